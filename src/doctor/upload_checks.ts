import { reasonOf } from './config_checks.ts'
import { notReachable } from './s3_checks.ts'
import type { Check } from './types.ts'

/**
 * The headers a direct upload's PUT carries beyond the safelisted ones:
 * the browser asks the bucket for them in its preflight.
 */
const UPLOAD_HEADERS = ['content-type', 'x-amz-checksum-sha256']

/**
 * An origin no app has: a grant to it means the rule allows any origin.
 */
const STRANGER = 'https://djamazing-doctor.invalid'

/**
 * Whether the bucket answers a browser's preflight for a direct upload
 * from `origin` with a grant.
 */
async function preflightGranted(url: string, origin: string): Promise<boolean> {
  const response = await fetch(url, {
    method: 'OPTIONS',
    headers: {
      'origin': origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': UPLOAD_HEADERS.join(','),
    },
  })
  await response.body?.cancel()
  const allowOrigin = response.headers.get('access-control-allow-origin')
  const methods = (response.headers.get('access-control-allow-methods') ?? '').toUpperCase()
  const headers = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase()
  return (
    response.ok &&
    (allowOrigin === origin || allowOrigin === '*') &&
    methods.includes('PUT') &&
    UPLOAD_HEADERS.every((header) => headers.includes(header) || headers.includes('*'))
  )
}

const CORS_FIX =
  'give the bucket the CORS rule of docs/uploads.md: AllowedOrigins [the app origin], AllowedMethods ["PUT"], AllowedHeaders ["content-type", "x-amz-checksum-sha256"], ExposeHeaders ["ETag"] (aws s3api put-bucket-cors)'

/**
 * Disks with direct uploads on S3: a browser on the app's origin may PUT
 * to the bucket (the preflight gets a grant), and one on another origin
 * may not. Without the grant every direct upload fails in the browser
 * with a network error that tells nothing more.
 */
export const uploadCorsCheck: Check = {
  id: 'uploads.cors',
  title: "direct uploads: the bucket's CORS rule",
  appliesTo: (context) => context.pendingPrefix !== undefined && context.store !== 'local',
  async run(context) {
    const origin = context.disk.appOrigin
    if (!origin) {
      return { status: 'skipped', message: "the app's origin is unknown (set appUrl)" }
    }
    if (!context.bucketReachable) return notReachable(context)
    const url = await context.objects!.presignPut(`${context.pendingPrefix}djamazing-doctor`, {
      expiresIn: 60,
    })
    const target = new URL(url)
    target.search = ''
    try {
      if (!(await preflightGranted(target.href, origin))) {
        return {
          status: 'error',
          diagnosis: 'upload-cors-missing',
          message: `a page on ${origin} may not PUT to the bucket: its preflight gets no CORS grant, so every direct upload fails in the browser`,
          fix: CORS_FIX,
        }
      }
      if (await preflightGranted(target.href, STRANGER)) {
        return {
          status: 'warn',
          diagnosis: 'upload-cors-any-origin',
          message: 'the bucket lets pages of any origin PUT to it, not only the app',
          fix: 'list the app origins in AllowedOrigins instead of "*" (docs/uploads.md)',
        }
      }
    } catch (error) {
      return {
        status: 'error',
        diagnosis: 's3-unreachable',
        message: `the preflight could not be sent: ${reasonOf(error)}`,
      }
    }
    return {
      status: 'ok',
      message: `pages on ${origin} may PUT uploads to the bucket; other origins may not`,
    }
  },
}

import { cdnUrlFor } from '../cdn_url.ts'
import { parseDuration } from '../duration.ts'
import { encodeStrict } from '../object_key.ts'
import { DEFAULT_SIGNATURE_TIMEOUT } from '../disk/redirects.ts'
import { reasonOf } from './config_checks.ts'
import { diagnoseCdnAnswer, fetchCdn, isHtml, type CdnResponse } from './cdn_response.ts'
import type { Check, CheckResult, DiskContext } from './types.ts'

type Outcome = Omit<CheckResult, 'id'>

/**
 * How long the doctor's signed URLs live: long enough that a clock a few
 * seconds off does not decide the answer (the clock check does that).
 */
const PROBE_URL_LIFETIME = 300

const signed = (context: DiskContext, url: string) =>
  context.signer!.signUrl(url, { expiresIn: PROBE_URL_LIFETIME, now: context.now() })

/**
 * The key the CDN checks ask for: the probe, or with `--read-only` a key
 * that does not exist (a signed 404 still proves the signature passed).
 */
function targetKey(context: DiskContext) {
  return context.probe?.key ?? context.missingKey
}

/**
 * GETs a URL, turning a network failure into the check's answer.
 */
async function get(context: DiskContext, url: string): Promise<CdnResponse | Outcome> {
  try {
    return await fetchCdn(context, url)
  } catch (error) {
    const cause = (error as { cause?: { code?: string } })?.cause?.code ?? reasonOf(error)
    return {
      status: 'error',
      diagnosis: 'cdn-unreachable',
      message: `the CDN at ${context.cdn!.origin} cannot be reached (${cause})`,
      fix: 'check cdnUrl; for the local edge, the app (node ace serve) must be running',
    }
  }
}

function failed(answer: CdnResponse | Outcome): answer is Outcome {
  return !('headers' in answer)
}

/**
 * An answer of S3 itself, passed on by the CDN: the request got past the
 * CDN's signature check. For a key that does not exist S3 says 404
 * `NoSuchKey`, or 403 `Access Denied` (capital D, unlike CloudFront's own
 * refusal) when the distribution may not list the bucket, as
 * docs/aws-setup.md advises.
 */
function fromOrigin(response: CdnResponse): boolean {
  return (
    response.status < 400 ||
    (response.status === 404 && response.error?.code === 'NoSuchKey') ||
    (response.status === 403 && response.error?.message === 'Access Denied')
  )
}

/**
 * Whether a response carries the probe (or, read-only, an answer of S3
 * for a key that does not exist).
 */
function servesTarget(context: DiskContext, response: CdnResponse): boolean {
  if (context.probe) return response.status === 200 && response.body === context.probe.body
  return fromOrigin(response) && response.status >= 400
}

/**
 * What passing looks like, said for a read-only run too.
 */
function passed(context: DiskContext, response: CdnResponse, what: string): Outcome {
  if (context.probe) return { status: 'ok', message: `${what} serves the probe byte for byte` }
  // Only a read-only run is told how to fetch a real object.
  const hint = context.write ? '' : ' (run without --read-only to fetch a real object)'
  return {
    status: 'ok',
    message: `${what} passes the CDN: the store answered ${response.status} for a key that does not exist${hint}`,
  }
}

/**
 * A refusal of a URL the doctor signed a moment ago for several minutes:
 * when the clock is not that far off, a refused signature means CloudFront
 * holds another public key under that id.
 */
function refusal(response: CdnResponse, context: DiskContext): Outcome {
  const found = diagnoseCdnAnswer(response, context.signer?.keyPairId)
  const skew = clockSkew(context)
  if (found.diagnosis === 'signature-refused' && skew !== undefined) {
    if (Math.abs(skew) < PROBE_URL_LIFETIME * 1000) {
      return {
        status: 'error',
        diagnosis: 'public-key-mismatch',
        message: `CloudFront refused a fresh signature of ${context.signer!.keyPairId}: the public key it holds under that id is not the public half of this private key`,
        fix: 'upload the public key of this private key (config.cloudfront-key shows how it ends) to CloudFront > Public keys, add it to the key group, and set keyPairId to its new ID',
      }
    }
  }
  return { status: 'error', ...found }
}

const isProtected = (context: DiskContext) => context.mode === 'protected'
const hasCdn = (context: DiskContext) => context.cdn !== undefined

export const unsignedRefusedCheck: Check = {
  id: 'cdn.unsigned-refused',
  title: 'protected prefix refuses unsigned requests',
  appliesTo: (context) => hasCdn(context) && isProtected(context),
  async run(context) {
    const response = await get(context, cdnUrlFor(context.cdn!, targetKey(context)))
    if (failed(response)) return response
    if (response.status === 403 && response.error?.code === 'MissingKey') {
      return { status: 'ok', message: 'an unsigned URL is refused (403 MissingKey)' }
    }
    if (isHtml(response)) return refusal(response, context)
    if (fromOrigin(response)) {
      return {
        status: 'critical',
        diagnosis: 'protected-prefix-unsigned',
        message: `anyone can read protected files: an unsigned URL under "${context.prefix}" was answered ${response.status}`,
        fix: `restrict viewer access on the cache behavior for "${context.prefix}*" to the trusted key group (CloudFront > Behaviors > Restrict viewer access: Yes)`,
      }
    }
    return refusal(response, context)
  },
}

/**
 * The URL of `key` with every `/` of the disk's prefix spelled `%2F`:
 * `uploads%2Fa.txt` for `uploads/a.txt`.
 */
function encodedSlashUrl(context: DiskContext, key: string): string {
  const url = cdnUrlFor(context.cdn!, key)
  let rest = url.slice(context.cdn!.base.length)
  for (let slashes = context.prefix.split('/').length - 1; slashes > 0; slashes--) {
    rest = rest.replace('/', '%2F')
  }
  return `${context.cdn!.base}${rest}`
}

export const encodedSlashCheck: Check = {
  id: 'cdn.encoded-slash',
  title: "protected prefix refuses unsigned requests that spell its '/' as %2F",
  // CloudFront matches behaviors on the path with %2F still encoded, and
  // S3 decodes it: with a public default behavior, "uploads%2Fa.txt"
  // misses the signed "uploads/*" and reads uploads/a.txt unsigned.
  appliesTo: (context) => hasCdn(context) && isProtected(context) && context.prefix.includes('/'),
  async run(context) {
    const response = await get(context, encodedSlashUrl(context, targetKey(context)))
    if (failed(response)) return response
    if (fromOrigin(response)) {
      return {
        status: 'critical',
        diagnosis: 'encoded-slash-bypass',
        message: `anyone can read protected files: an unsigned URL spelling "${context.prefix}" with %2F was answered ${response.status} from the origin, because it matches a public behavior (or a public default behavior) instead of the signed one`,
        fix: `restrict viewer access on the default cache behavior and give the public prefixes their own unrestricted behaviors, or restrict every behavior that can match "${context.prefix.replaceAll('/', '%2F')}..." (docs/aws-setup.md)`,
      }
    }
    if (response.status === 403) return { status: 'ok', message: 'refused (403)' }
    return refusal(response, context)
  },
}

export const signedServesCheck: Check = {
  id: 'cdn.signed-url',
  title: 'a signed URL serves the object',
  appliesTo: (context) => hasCdn(context) && context.signer !== undefined,
  async run(context) {
    const url = cdnUrlFor(context.cdn!, targetKey(context))
    const response = await get(context, signed(context, url))
    if (failed(response)) return response
    if (servesTarget(context, response)) return passed(context, response, 'a signed URL')
    return refusal(response, context)
  },
}

const DISPOSITION = 'attachment; filename="djamazing-doctor.txt"'

export const overridesCheck: Check = {
  id: 'cdn.response-overrides',
  title: 'signed response-content-disposition comes back',
  // Links of protected disks carry download names and types this way.
  appliesTo: (context) => hasCdn(context) && isProtected(context) && context.signer !== undefined,
  async run(context) {
    if (!context.probe) return { status: 'skipped', message: 'needs the probe object' }
    const url = `${cdnUrlFor(context.cdn!, context.probe.key)}?response-content-disposition=${encodeStrict(DISPOSITION)}`
    const response = await get(context, signed(context, url))
    if (failed(response)) return response
    if (response.status !== 200) return refusal(response, context)
    const disposition = response.headers.get('content-disposition')
    if (disposition === DISPOSITION) {
      return { status: 'ok', message: 'Content-Disposition set from the signed query' }
    }
    return {
      status: 'error',
      diagnosis: 'overrides-not-forwarded',
      message: `the CDN does not forward query strings to S3: Content-Disposition came back ${disposition === null ? 'missing' : `as "${disposition}"`}, so download names and content types of links are lost`,
      fix: 'use a cache policy that includes the query strings response-content-disposition and response-content-type on the protected behaviors (docs/aws-setup.md, step 6)',
    }
  },
}

export const publicUnsignedCheck: Check = {
  id: 'cdn.public-unsigned',
  title: 'public prefix serves unsigned',
  appliesTo: (context) => hasCdn(context) && context.mode === 'public',
  async run(context) {
    const response = await get(context, cdnUrlFor(context.cdn!, targetKey(context)))
    if (failed(response)) return response
    if (servesTarget(context, response)) return passed(context, response, 'an unsigned URL')
    if (response.status === 403 && response.error?.code === 'MissingKey') {
      return {
        status: 'error',
        diagnosis: 'public-prefix-signed',
        message: `the public prefix "${context.prefix}" asks for signatures: public URLs will all be 403`,
        fix: `give "${context.prefix}*" a cache behavior without restricted viewer access`,
      }
    }
    return refusal(response, context)
  },
}

/**
 * How far the app's clock is from the CDN's, in ms, at the least: the
 * `Date` header has whole seconds, so the CDN's time was in
 * [date, date + 1 s) while the request was in flight. Positive: the app is
 * ahead. `undefined` before any CDN answer.
 */
function clockSkew(context: DiskContext): number | undefined {
  const seen = context.cdnDates.at(-1)
  const cdnTime = seen ? Date.parse(seen.date) : Number.NaN
  if (!seen || Number.isNaN(cdnTime)) return undefined
  const low = seen.sentAt - (cdnTime + 1000)
  const high = seen.receivedAt - cdnTime
  return low > 0 ? low : high < 0 ? high : 0
}

export const clockCheck: Check = {
  id: 'cdn.clock',
  title: "clock against the CDN's Date header",
  appliesTo: hasCdn,
  run(context) {
    const skew = clockSkew(context)
    if (skew === undefined) {
      return { status: 'skipped', message: 'no CDN answer carried a Date header' }
    }
    // A disk whose settings do not resolve: the driver's default.
    const timeout =
      context.resolved?.redirects.expiresIn ??
      parseDuration(DEFAULT_SIGNATURE_TIMEOUT, 'redirects.expiresIn')
    const seconds = (Math.abs(skew) / 1000).toFixed(1)
    if (Math.abs(skew) < 1000) {
      return { status: 'ok', message: `within a second of the CDN's clock` }
    }
    const behind = skew < 0
    return {
      status: behind && Math.abs(skew) >= timeout * 1000 ? 'error' : 'warn',
      diagnosis: 'clock-skew',
      message: behind
        ? `this clock is at least ${seconds} s behind the CDN's: redirect URLs (valid ${timeout} s) arrive ${Math.abs(skew) >= timeout * 1000 ? 'already expired' : 'with less time left'}`
        : `this clock is at least ${seconds} s ahead of the CDN's: signed URLs live ${seconds} s longer than configured`,
      fix: 'keep the app hosts on NTP (chrony, systemd-timesyncd); AWS allows no skew',
    }
  },
}

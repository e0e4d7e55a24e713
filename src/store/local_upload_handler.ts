import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import debug from '../debug.ts'
import { edgeError, edgeErrors, sendError } from '../edge/error_response.ts'
import { parseTarget } from '../edge/request_target.ts'
import type { LocalStore } from './local_store.ts'
import {
  header,
  uploadSigningKey,
  verifyUploadUrl,
  type UploadUrlPart,
} from './local_upload_url.ts'
import { MULTIPART_LIMITS } from './multipart.ts'
import { s3Error, s3ErrorOf } from './s3_errors.ts'
import type { ObjectWrite } from './types.ts'

/**
 * S3's limit for one PUT (and one part).
 */
const MAX_UPLOAD_BYTES = MULTIPART_LIMITS.maxPartSize

export type UploadHandlerOptions = {
  /**
   * The bucket of the local store the uploads go to.
   */
  store: LocalStore
  /**
   * The secret the upload URLs were signed with (`localStore.uploadSecret`).
   */
  uploadSecret: string
  /**
   * The clock expiry is checked with. Default: `() => new Date()`.
   */
  now?: () => Date
}

/**
 * What S3 keeps of a PUT's headers: the stored headers and user metadata,
 * and the checksums it checks the body against.
 */
function writeOf(headers: IncomingHttpHeaders): ObjectWrite {
  const md5 = header(headers, 'content-md5')
  const sha256 = header(headers, 'x-amz-checksum-sha256')
  if (md5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw s3Error('InvalidDigest')
  if (sha256 !== undefined && !/^[A-Za-z0-9+/]{43}=$/.test(sha256)) throw s3Error('InvalidRequest')
  const expires = header(headers, 'expires')
  const metadata: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice(11)] = header(headers, name)!
  }
  return {
    contentType: header(headers, 'content-type'),
    cacheControl: header(headers, 'cache-control'),
    contentDisposition: header(headers, 'content-disposition'),
    contentEncoding: header(headers, 'content-encoding'),
    contentLanguage: header(headers, 'content-language'),
    expires: expires && !Number.isNaN(Date.parse(expires)) ? new Date(expires) : undefined,
    metadata,
    contentMd5: md5,
    checksumSha256: sha256,
  }
}

/**
 * Creates the handler of upload URLs for one bucket of the local store:
 * it takes their PUT requests (objects and parts of multipart uploads),
 * `target` being the raw rest of the URL after the CDN base path (key and
 * query), as for the edge's `serve`. It resolves once the response is
 * sent, and never rejects. The store writes the body to a temporary
 * file and moves it into place only once every check passed: a refused
 * or broken upload leaves the object previously stored under the key as
 * it was.
 */
export function createUploadHandler(options: UploadHandlerOptions) {
  const signingKey = uploadSigningKey(options.uploadSecret, 'localStore.uploadSecret')
  const store = options.store
  const now = options.now ?? (() => new Date())

  /**
   * Checks the request as S3 does, then stores its body.
   */
  async function storeBody(req: IncomingMessage, key: string, part: UploadUrlPart | undefined) {
    const declared = req.headers['content-length']
    if (declared === undefined || !/^\d+$/.test(declared)) throw s3Error('MissingContentLength')
    const size = Number(declared)
    if (size > MAX_UPLOAD_BYTES) throw s3Error('EntityTooLarge')
    const write = writeOf(req.headers)
    await store.files.assertKeptApart(key).catch((refusal: Error) => {
      throw s3Error('InvalidObjectName', refusal.message)
    })
    const { etag } = part
      ? await store.uploadPart(key, part.uploadId, part.partNumber, req, {
          size,
          checksumSha256: write.checksumSha256,
        })
      : await store.putStream(key, req, { ...write, size })
    return { etag, size }
  }

  async function receive(req: IncomingMessage, res: ServerResponse, target: string) {
    if (req.method !== 'PUT') return sendError(res, req.method, edgeErrors.methodNotAllowed('PUT'))
    const { key, query } = parseTarget(target)
    if (key === undefined || key.endsWith('/')) {
      return sendError(res, req.method, edgeErrors.invalidUri())
    }
    const check = verifyUploadUrl(signingKey, {
      bucket: store.bucket,
      objectKey: key,
      query,
      headers: req.headers,
      now: now(),
    })
    if (!check.ok) {
      debug('local store: upload of %s refused: %s', key, check.reason)
      return sendError(res, req.method, check)
    }
    let stored: { etag: string; size: number }
    try {
      stored = await storeBody(req, key, check.part)
    } catch (failure) {
      // The refusals are S3's: answered as S3 answers them.
      const refusal = s3ErrorOf(failure)
      const status = refusal?.$metadata?.httpStatusCode
      if (!refusal || status === undefined || status >= 500) throw failure
      return sendError(res, req.method, edgeError(status, refusal.name!, refusal.message!))
    }
    debug('local store: stored %s:%s (%d bytes)', store.bucket, key, stored.size)
    res.writeHead(200, { 'ETag': stored.etag, 'Content-Length': 0 })
    res.end()
  }

  return async function handleUpload(req: IncomingMessage, res: ServerResponse, target: string) {
    try {
      await receive(req, res, target)
    } catch (failure) {
      debug('local store: upload failed: %s', (failure as Error).message)
      if (!res.headersSent && !res.destroyed) sendError(res, req.method, edgeErrors.internalError())
      else res.destroy()
    }
  }
}

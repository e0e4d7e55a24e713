import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import debug from '../debug.ts'
import { edgeErrors, sendError, type EdgeError } from '../edge/error_response.ts'
import { parseTarget } from '../edge/request_target.ts'
import { assertKeptApart, bucketFolder, fileMetadata, objectFile } from './files.ts'
import { uploadSigningKey, verifyUploadUrl } from './upload_url.ts'

/**
 * S3's limit for one PUT.
 */
const MAX_UPLOAD_BYTES = 5 * 1024 ** 3

export type UploadHandlerOptions = {
  /**
   * The local store's folder and the bucket the uploads go to.
   */
  root: string
  bucket: string
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
 * Takes the PUT requests of the local store's upload URLs:
 * `handler(req, res, target)`, `target` being the raw rest of the URL
 * after the CDN base path (key and query), as for the edge's `serve`.
 * Resolves once the response is sent, and never rejects.
 */
export type UploadHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  target: string
) => Promise<void>

const error = (status: number, code: string, message: string): EdgeError => ({
  status,
  code,
  message,
})

/**
 * The body's checksum headers, checked against the bytes received, as
 * S3 checks them (signed or not).
 */
function expectedDigests(req: IncomingMessage): { md5?: string; sha256?: string } | EdgeError {
  const header = (name: string) => {
    const value = req.headers[name]
    return Array.isArray(value) ? value.join(',') : value
  }
  const md5 = header('content-md5')
  const sha256 = header('x-amz-checksum-sha256')
  if (md5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(md5)) {
    return error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.')
  }
  if (sha256 !== undefined && !/^[A-Za-z0-9+/]{43}=$/.test(sha256)) {
    return error(400, 'InvalidRequest', 'Value for x-amz-checksum-sha256 header is invalid.')
  }
  return { md5, sha256 }
}

/**
 * Creates the handler of upload URLs for one bucket of the local store.
 * The object is written to a temporary file and moved into place only
 * once every check passed: a refused or broken upload leaves the object
 * previously stored under the key as it was.
 */
export function createUploadHandler(options: UploadHandlerOptions): UploadHandler {
  const signingKey = uploadSigningKey(options.uploadSecret, 'localStore.uploadSecret')
  const folder = bucketFolder(options.root, options.bucket)
  const incoming = join(options.root, '.incoming')
  const now = options.now ?? (() => new Date())

  async function receive(req: IncomingMessage, res: ServerResponse, target: string) {
    if (req.method !== 'PUT') return sendError(res, req.method, edgeErrors.methodNotAllowed('PUT'))
    const { key, query } = parseTarget(target)
    if (key === undefined || key.endsWith('/')) {
      return sendError(res, req.method, edgeErrors.invalidUri())
    }
    const check = verifyUploadUrl(signingKey, {
      bucket: options.bucket,
      objectKey: key,
      query,
      headers: req.headers,
      now: now(),
    })
    if (!check.ok) {
      debug('local store: upload of %s refused: %s', key, check.reason)
      return sendError(res, req.method, error(check.status, check.code, check.message))
    }
    const declared = req.headers['content-length']
    if (declared === undefined || !/^\d+$/.test(declared)) {
      return sendError(
        res,
        req.method,
        error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.')
      )
    }
    const length = Number(declared)
    if (length > MAX_UPLOAD_BYTES) {
      return sendError(
        res,
        req.method,
        error(
          400,
          'EntityTooLarge',
          'Your proposed upload exceeds the maximum allowed object size.'
        )
      )
    }
    const digests = expectedDigests(req)
    if ('code' in digests) return sendError(res, req.method, digests)
    const folderStats = await stat(folder).catch(() => undefined)
    if (!folderStats?.isDirectory()) return sendError(res, req.method, edgeErrors.noSuchBucket())
    try {
      await assertKeptApart(folder, key)
    } catch (refusal) {
      const reason = (refusal as Error).message
      return sendError(res, req.method, error(400, 'InvalidObjectName', reason))
    }

    const md5 = createHash('md5')
    const sha256 = createHash('sha256')
    let received = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length
        md5.update(chunk)
        sha256.update(chunk)
        callback(null, chunk)
      },
    })
    await mkdir(incoming, { recursive: true })
    const temporary = join(incoming, randomUUID())
    try {
      await pipeline(req, counter, createWriteStream(temporary))
      if (received !== length) {
        return sendError(
          res,
          req.method,
          error(
            400,
            'IncompleteBody',
            'You did not provide the number of bytes specified by the Content-Length HTTP header.'
          )
        )
      }
      if (
        (digests.md5 && md5.digest('base64') !== digests.md5) ||
        (digests.sha256 && sha256.digest('base64') !== digests.sha256)
      ) {
        return sendError(
          res,
          req.method,
          error(400, 'BadDigest', 'The checksum you specified did not match what we received.')
        )
      }
      const file = objectFile(folder, key)
      await mkdir(dirname(file), { recursive: true })
      await rename(temporary, file)
      debug('local store: stored %s:%s (%d bytes)', options.bucket, key, received)
      const { etag } = fileMetadata(key, await stat(file))
      res.writeHead(200, { 'ETag': etag, 'Content-Length': 0 })
      res.end()
    } finally {
      await rm(temporary, { force: true })
    }
  }

  return async function handleUpload(req, res, target) {
    try {
      await receive(req, res, target)
    } catch (failure) {
      debug('local store: upload failed: %s', (failure as Error).message)
      if (!res.headersSent && !res.destroyed) sendError(res, req.method, edgeErrors.internalError())
      else res.destroy()
    }
  }
}

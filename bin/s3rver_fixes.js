// s3rver 3.7 differs from S3 where djamazing needs it to behave as S3:
//
// - It answers NotImplemented to ListMultipartUploads and UploadPartCopy,
//   and 405 to AbortMultipartUpload and ListParts, though it keeps uploads
//   in <bucket>/._S3rver_uploads/<id>/. They are added over that folder, so
//   an aborted upload is really gone, tests can see one left open, and
//   large copies can take S3's UploadPartCopy path.
// - It ignores If-Match (GET, HEAD) and x-amz-copy-source-if-match: both
//   answer 412 PreconditionFailed on another ETag, as on S3.
// - S3 percent-decodes x-amz-copy-source fully; s3rver uses decodeURI,
//   which keeps %2B, %23, %3F, %26, ... encoded and then finds no such key.
//   It is handed the fully decoded source instead (re-encoded so that its
//   decodeURI gives it back).
// - It answers a PUT before the object's file is flushed, and rewrites the
//   file in place: a GET right after (or during) a write can read a
//   truncated object. S3 never shows a partial object: the store now
//   writes to a temporary file and renames it once complete.
import { randomBytes, createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const escapeXml = (text) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`)

function xml(ctx, status, body) {
  ctx.status = status
  ctx.type = 'application/xml'
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
}

/**
 * Adds the fixes to an s3rver instance (a Koa app) before it runs.
 */
export function fixS3rver(server, directory) {
  const store = server.store
  store.putObject = async function putObject(object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object')
    await mkdir(dirname(objectPath), { recursive: true })
    const md5 = createHash('md5')
    let size = 0
    const content = Buffer.isBuffer(object.content)
      ? Readable.from([object.content])
      : object.content
    const partial = `${objectPath}.${randomBytes(6).toString('hex')}.partial`
    try {
      await pipeline(
        content,
        new Transform({
          transform(chunk, _encoding, callback) {
            md5.update(chunk)
            size += chunk.length
            callback(null, chunk)
          },
        }),
        createWriteStream(partial)
      )
      const digest = md5.digest('hex')
      await this.putMetadata(object.bucket, object.key, object.metadata, digest)
      await rename(partial, objectPath)
      return { size, md5: digest }
    } finally {
      await rm(partial, { force: true })
    }
  }

  const uploadsFolder = (bucket) => join(directory, bucket, '._S3rver_uploads')

  async function listMultipartUploads(ctx, bucket) {
    const ids = await readdir(uploadsFolder(bucket)).catch(() => [])
    const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : ''
    const uploads = []
    for (const id of ids) {
      const folder = join(uploadsFolder(bucket), id)
      const key = await readFile(join(folder, 'key'), 'utf8').catch(() => null)
      if (key === null || !key.startsWith(prefix)) continue
      const { birthtime } = await stat(folder)
      uploads.push(
        `<Upload><Key>${escapeXml(key)}</Key><UploadId>${id}</UploadId>` +
          `<Initiated>${birthtime.toISOString()}</Initiated></Upload>`
      )
    }
    xml(
      ctx,
      200,
      `<ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket>` +
        `<IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`
    )
  }

  const noSuchUpload = (ctx) =>
    xml(
      ctx,
      404,
      '<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>'
    )
  const preconditionFailed = (ctx) =>
    xml(
      ctx,
      412,
      '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>'
    )

  async function uploadFolder(bucket, uploadId) {
    const folder = join(uploadsFolder(bucket), uploadId)
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(folder).catch(() => null))) return null
    return folder
  }

  async function abortMultipartUpload(ctx, bucket, uploadId) {
    const folder = await uploadFolder(bucket, uploadId)
    if (!folder) return noSuchUpload(ctx)
    await rm(folder, { recursive: true, force: true })
    ctx.status = 204
  }

  async function listParts(ctx, bucket, key, uploadId) {
    const folder = await uploadFolder(bucket, uploadId)
    if (!folder) return noSuchUpload(ctx)
    const numbers = (await readdir(folder))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b)
    const parts = []
    for (const number of numbers) {
      const md5 = await readFile(join(folder, `${number}.md5`), 'utf8').catch(() => null)
      if (md5 === null) continue
      const { size, mtime } = await stat(join(folder, String(number)))
      parts.push(
        `<Part><PartNumber>${number}</PartNumber><ETag>"${md5}"</ETag><Size>${size}</Size>` +
          `<LastModified>${mtime.toISOString()}</LastModified></Part>`
      )
    }
    xml(
      ctx,
      200,
      `<ListPartsResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key>` +
        `<UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`
    )
  }

  /**
   * The source of a copy: "bucket/key", percent-decoded as S3 reads it.
   */
  function copySourceOf(header) {
    const [bucket, ...key] = decodeURIComponent(header.replace(/^\//, '')).split('/')
    return { bucket, key: key.join('/') }
  }

  async function uploadPartCopy(ctx, bucket, uploadId) {
    if (!(await uploadFolder(bucket, uploadId))) return noSuchUpload(ctx)
    const source = copySourceOf(ctx.headers['x-amz-copy-source'])
    const metadata = await store.getMetadata(source.bucket, source.key).catch(() => null)
    if (!metadata) {
      return xml(
        ctx,
        404,
        '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'
      )
    }
    const ifMatch = ctx.headers['x-amz-copy-source-if-match']
    if (
      ifMatch !== undefined &&
      ifMatch.replaceAll('"', '') !== metadata.etag.replaceAll('"', '')
    ) {
      return preconditionFailed(ctx)
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.headers['x-amz-copy-source-range'] ?? '')
    const object = await store.getObject(
      source.bucket,
      source.key,
      range ? { start: Number(range[1]), end: Number(range[2]) } : undefined
    )
    const { md5 } = await store.putPart(
      bucket,
      uploadId,
      Number(ctx.query.partNumber),
      object.content
    )
    xml(
      ctx,
      200,
      `<CopyPartResult><ETag>"${md5}"</ETag><LastModified>${new Date().toISOString()}</LastModified></CopyPartResult>`
    )
  }

  /**
   * Whether an If-Match (or x-amz-copy-source-if-match) names another
   * ETag than the object's; a missing object is left to s3rver.
   */
  async function changedSince(bucket, key, ifMatch) {
    if (ifMatch === undefined || ifMatch.trim() === '*') return false
    const metadata = await store.getMetadata(bucket, key).catch(() => null)
    if (!metadata) return false
    const current = metadata.etag.replaceAll('"', '')
    return !ifMatch.split(',').some((tag) => tag.trim().replaceAll('"', '') === current)
  }

  server.middleware.unshift(async (ctx, next) => {
    const copySource = ctx.headers['x-amz-copy-source']
    const [, rawBucket = '', ...rawKey] = ctx.path.split('/')
    const bucket = decodeURIComponent(rawBucket)
    const key = decodeURIComponent(rawKey.join('/'))
    const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined
    if (ctx.method === 'PUT' && key !== '' && uploadId && typeof copySource === 'string') {
      return uploadPartCopy(ctx, bucket, uploadId)
    }
    if (typeof copySource === 'string') {
      const source = copySourceOf(copySource)
      if (
        await changedSince(source.bucket, source.key, ctx.headers['x-amz-copy-source-if-match'])
      ) {
        return preconditionFailed(ctx)
      }
      ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(copySource))
    }
    if (ctx.method === 'GET' && key === '' && 'uploads' in ctx.query) {
      return listMultipartUploads(ctx, bucket)
    }
    if (ctx.method === 'DELETE' && key !== '' && uploadId) {
      return abortMultipartUpload(ctx, bucket, uploadId)
    }
    if (ctx.method === 'GET' && key !== '' && uploadId) {
      return listParts(ctx, bucket, key, uploadId)
    }
    if (
      (ctx.method === 'GET' || ctx.method === 'HEAD') &&
      key !== '' &&
      !['acl', 'tagging', 'uploads', 'uploadId'].some((name) => name in ctx.query) &&
      (await changedSince(bucket, key, ctx.headers['if-match']))
    ) {
      return preconditionFailed(ctx)
    }
    return next()
  })
}

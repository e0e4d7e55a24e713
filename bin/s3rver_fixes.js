// s3rver 3.7 differs from S3 where djamazing needs it to behave as S3:
//
// - It answers NotImplemented to ListMultipartUploads and 405 to
//   AbortMultipartUpload, though it keeps uploads in
//   <bucket>/._S3rver_uploads/<id>/. Both are added over that folder, so an
//   aborted upload is really gone and tests can see one left open.
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
    const uploads = []
    for (const id of ids) {
      const folder = join(uploadsFolder(bucket), id)
      const key = await readFile(join(folder, 'key'), 'utf8').catch(() => null)
      if (key === null) continue
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

  async function abortMultipartUpload(ctx, bucket, uploadId) {
    const folder = join(uploadsFolder(bucket), uploadId)
    if (!/^[0-9a-f]+$/.test(uploadId) || !(await stat(folder).catch(() => null))) {
      return xml(
        ctx,
        404,
        '<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>'
      )
    }
    await rm(folder, { recursive: true, force: true })
    ctx.status = 204
  }

  server.middleware.unshift(async (ctx, next) => {
    const copySource = ctx.headers['x-amz-copy-source']
    if (typeof copySource === 'string') {
      ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(copySource))
    }
    const [, bucket = '', ...key] = ctx.path.split('/')
    if (ctx.method === 'GET' && key.join('') === '' && 'uploads' in ctx.query) {
      return listMultipartUploads(ctx, decodeURIComponent(bucket))
    }
    if (ctx.method === 'DELETE' && key.join('') !== '' && typeof ctx.query.uploadId === 'string') {
      return abortMultipartUpload(ctx, decodeURIComponent(bucket), ctx.query.uploadId)
    }
    return next()
  })
}

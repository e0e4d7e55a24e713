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
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

const escapeXml = (text) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`)

function xml(ctx, status, body) {
  ctx.status = status
  ctx.type = 'application/xml'
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
}

/**
 * Adds the fixes to an s3rver instance (a Koa app) before it runs.
 */
export function fixS3rver(server, directory) {
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

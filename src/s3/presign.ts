import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'

/**
 * The object a presigned URL is for, and how long it lives (seconds).
 */
type PresignTarget = { bucket: string; key: string; expiresIn: number }

/**
 * An S3 presigned GET. The response overrides are query parameters the
 * signature covers, so they cannot be changed without breaking it.
 */
export function presignGet(
  client: S3Client,
  params: PresignTarget & { contentType?: string; contentDisposition?: string }
): Promise<string> {
  const command = new GetObjectCommand({
    Bucket: params.bucket,
    Key: params.key,
    ResponseContentType: params.contentType,
    ResponseContentDisposition: params.contentDisposition,
  })
  return getSignedUrl(client, command, { expiresIn: params.expiresIn })
}

/**
 * An S3 presigned PUT bound to a content type, a length and a SHA-256.
 *
 * The presigner leaves `content-type` out of the signature on purpose (it
 * adds it to the unsignable headers), and `content-length` is only signed
 * when present. Listing them as signable headers puts them into
 * `X-Amz-SignedHeaders`: S3 then refuses an upload with another type or
 * size, so a browser cannot turn a 10 KB avatar slot into a 5 GB video.
 * `x-amz-checksum-sha256` is signed the same way, and kept a header (not
 * hoisted into the query): S3 refuses a body whose SHA-256 differs, so
 * other bytes of the same length are refused too.
 */
export function presignPut(
  client: S3Client,
  params: PresignTarget & {
    contentType?: string
    contentLength?: number
    checksumSha256?: string
    signingDate?: Date
  }
): Promise<string> {
  const signableHeaders = new Set<string>()
  if (params.contentType !== undefined) signableHeaders.add('content-type')
  if (params.contentLength !== undefined) signableHeaders.add('content-length')
  if (params.checksumSha256 !== undefined) signableHeaders.add('x-amz-checksum-sha256')
  const command = new PutObjectCommand({
    Bucket: params.bucket,
    Key: params.key,
    ContentType: params.contentType,
    ContentLength: params.contentLength,
    ChecksumSHA256: params.checksumSha256,
  })
  return getSignedUrl(client, command, {
    expiresIn: params.expiresIn,
    signableHeaders,
    unhoistableHeaders: signableHeaders,
    signingDate: params.signingDate,
  })
}

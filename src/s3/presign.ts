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
 * An S3 presigned PUT bound to a content type and a length.
 *
 * The presigner leaves `content-type` out of the signature on purpose (it
 * adds it to the unsignable headers), and `content-length` is only signed
 * when present. Listing both as signable headers puts them into
 * `X-Amz-SignedHeaders`: S3 then refuses an upload with another type or
 * size, so a browser cannot turn a 10 KB avatar slot into a 5 GB video.
 */
export function presignPut(
  client: S3Client,
  params: PresignTarget & { contentType?: string; contentLength?: number }
): Promise<string> {
  const signableHeaders = new Set<string>()
  if (params.contentType !== undefined) signableHeaders.add('content-type')
  if (params.contentLength !== undefined) signableHeaders.add('content-length')
  const command = new PutObjectCommand({
    Bucket: params.bucket,
    Key: params.key,
    ContentType: params.contentType,
    ContentLength: params.contentLength,
  })
  return getSignedUrl(client, command, {
    expiresIn: params.expiresIn,
    signableHeaders,
    unhoistableHeaders: signableHeaders,
  })
}

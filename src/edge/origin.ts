import type { Readable } from 'node:stream'
import {
  GetObjectCommand,
  HeadObjectCommand,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { S3ErrorLike } from '../s3/errors.ts'
import { edgeErrors, type EdgeError } from './error_response.ts'

/**
 * What the origin says about an object: its full size, validators, the
 * stored headers CloudFront passes on, and the body for a GET.
 */
export type OriginObject = {
  size: number
  etag?: string
  lastModified?: Date
  headers: Record<string, string>
  body?: Readable
}

/**
 * Where the edge reads objects from: an S3 bucket (`Origin`), or a bucket
 * of the local store (`FileOrigin`).
 */
export type ObjectOrigin = {
  head(key: string, abortSignal: AbortSignal): Promise<OriginObject>
  /**
   * The object or one byte range of it. `ifMatch` pins the ETag seen by
   * an earlier HEAD, so a range is never cut from a newer version.
   */
  get(
    key: string,
    options: { range?: { start: number; end: number }; ifMatch?: string },
    abortSignal: AbortSignal
  ): Promise<OriginObject & { body: Readable }>
}

/**
 * A refusal or failure of the origin, already translated to the edge's answer.
 */
export class OriginFailure extends Error {
  constructor(
    readonly edgeError: EdgeError,
    options?: ErrorOptions
  ) {
    super(edgeError.message, options)
  }
}

function storedHeaders(output: HeadObjectCommandOutput | GetObjectCommandOutput) {
  const headers: Record<string, string> = {
    'Content-Type': output.ContentType ?? 'application/octet-stream',
  }
  if (output.CacheControl) headers['Cache-Control'] = output.CacheControl
  if (output.ContentDisposition) headers['Content-Disposition'] = output.ContentDisposition
  if (output.ContentEncoding) headers['Content-Encoding'] = output.ContentEncoding
  if (output.ContentLanguage) headers['Content-Language'] = output.ContentLanguage
  if (output.ExpiresString) headers['Expires'] = output.ExpiresString
  return headers
}

/**
 * S3's answers, as CloudFront passes them on: a missing bucket or object
 * is 404 (S3 says 403 instead when the reader may not list the bucket, and so
 * does the edge), anything else the origin fails with is a 502.
 */
function translate(error: unknown): never {
  if (error instanceof Error && error.name === 'AbortError') throw error
  // The status decides, also when the SDK could not parse the error body
  // (then the error is no S3ServiceException): s3rver, some S3-compatible
  // stores and proxies answer a 404 with a non-XML body.
  // By shape, not `instanceof S3ServiceException`: the app's own client may
  // come from another SDK release, whose errors are another class.
  const e = error as S3ErrorLike
  const status = e?.$metadata?.httpStatusCode
  const named = e?.$metadata ? e.name : undefined
  if (named === 'NoSuchBucket') {
    throw new OriginFailure(edgeErrors.noSuchBucket(), { cause: error })
  }
  if (status === 404 || named === 'NoSuchKey' || named === 'NotFound') {
    throw new OriginFailure(edgeErrors.notFound(), { cause: error })
  }
  if (status === 403) {
    throw new OriginFailure(edgeErrors.accessDenied('Access Denied'), { cause: error })
  }
  throw new OriginFailure(edgeErrors.badGateway(), { cause: error })
}

/**
 * Reads objects from one bucket through one S3 client. The bucket and the
 * client are fixed when the edge is created; a request only ever chooses
 * the key, so it cannot reach another bucket or host.
 */
export class Origin implements ObjectOrigin {
  #client: S3Client
  #bucket: string

  constructor(client: S3Client, bucket: string) {
    this.#client = client
    this.#bucket = bucket
  }

  async head(key: string, abortSignal: AbortSignal): Promise<OriginObject> {
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
        { abortSignal }
      )
      return {
        size: output.ContentLength ?? 0,
        etag: output.ETag,
        lastModified: output.LastModified,
        headers: storedHeaders(output),
      }
    } catch (error) {
      translate(error)
    }
  }

  async get(
    key: string,
    options: { range?: { start: number; end: number }; ifMatch?: string },
    abortSignal: AbortSignal
  ): Promise<OriginObject & { body: Readable }> {
    try {
      const output = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Range: options.range && `bytes=${options.range.start}-${options.range.end}`,
          IfMatch: options.ifMatch,
        }),
        { abortSignal }
      )
      const total = output.ContentRange?.split('/')[1]
      return {
        size: total === undefined ? (output.ContentLength ?? 0) : Number(total),
        etag: output.ETag,
        lastModified: output.LastModified,
        headers: storedHeaders(output),
        body: output.Body as Readable,
      }
    } catch (error) {
      translate(error)
    }
  }
}

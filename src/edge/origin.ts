import type { StoredObject } from '../store/types.ts'
import { isObjectMissing, s3ErrorOf } from '../store/s3_errors.ts'
import { edgeErrors, type EdgeError } from './error_response.ts'

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

/**
 * The headers S3 sends from what it stored with the object, which
 * CloudFront passes on: the same for either store.
 */
export function storedHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': object.contentType ?? 'application/octet-stream',
  }
  if (object.cacheControl) headers['Cache-Control'] = object.cacheControl
  if (object.contentDisposition) headers['Content-Disposition'] = object.contentDisposition
  if (object.contentEncoding) headers['Content-Encoding'] = object.contentEncoding
  if (object.contentLanguage) headers['Content-Language'] = object.contentLanguage
  if (object.expires) headers['Expires'] = object.expires
  for (const [name, value] of Object.entries(object.metadata)) {
    headers[`x-amz-meta-${name}`] = value
  }
  return headers
}

/**
 * The store's answers, as CloudFront passes S3's on: a missing bucket or
 * object is 404 (S3 says 403 instead when the reader may not list the
 * bucket, and so does the edge), a changed object 412, anything else the
 * origin fails with a 502.
 */
export function originFailure(failure: unknown): OriginFailure {
  // The status decides, also when the SDK could not parse the error body:
  // s3rver, some S3-compatible stores and proxies answer a 404 with a
  // non-XML body. The cause is S3's own error (or the local store's, shaped
  // like it) when there is one: what the edge passes on.
  const e = s3ErrorOf(failure)
  const error = e ?? (failure as { cause?: unknown })?.cause ?? failure
  const status = e?.$metadata?.httpStatusCode
  const name = isObjectMissing(failure) ? 'NoSuchKey' : e?.name
  if (name === 'NoSuchBucket') return new OriginFailure(edgeErrors.noSuchBucket(), { cause: error })
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') {
    return new OriginFailure(edgeErrors.notFound(), { cause: error })
  }
  if (status === 403) {
    return new OriginFailure(edgeErrors.accessDenied('Access Denied'), { cause: error })
  }
  if (status === 412) return new OriginFailure(edgeErrors.preconditionFailed(), { cause: error })
  return new OriginFailure(edgeErrors.badGateway(), { cause: error })
}

/**
 * The origin's answer, or its failure as the edge's answer.
 */
export function fromOrigin<T>(request: Promise<T>): Promise<T> {
  return request.catch((error: unknown) => {
    throw originFailure(error)
  })
}

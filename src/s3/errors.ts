import { E_DJAMAZING_OBJECT_NOT_FOUND, E_DJAMAZING_S3_REQUEST_FAILED } from '../errors.ts'

/**
 * An error of the AWS SDK, read by shape: the app's client may come from
 * another SDK release than the one `instanceof` would check against.
 */
export type S3ErrorLike = {
  name?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

/**
 * True when S3 answered that the object does not exist. HEAD responses
 * have no body, so only the status tells; a missing bucket is not a
 * missing object when S3 says so.
 */
export function isNotFound(error: unknown): boolean {
  const e = error as S3ErrorLike
  if (e?.name === 'NoSuchBucket') return false
  return e?.$metadata?.httpStatusCode === 404 || e?.name === 'NoSuchKey' || e?.name === 'NotFound'
}

/**
 * Wraps a failed S3 call in a named error that keeps the original as its
 * `cause`. flydrive's `Disk` wraps it once more in its own `E_CANNOT_...`.
 */
export function wrapS3Error(error: unknown, operation: string, key: string, bucket: string) {
  if (isNotFound(error)) {
    return new E_DJAMAZING_OBJECT_NOT_FOUND([key, bucket], { cause: error })
  }
  const e = error as S3ErrorLike
  const reason = [e?.name, e?.message].filter(Boolean).join(': ') || String(error)
  return new E_DJAMAZING_S3_REQUEST_FAILED([operation, key, reason], { cause: error })
}

import { E_DJAMAZING_OBJECT_NOT_FOUND, E_DJAMAZING_S3_REQUEST_FAILED } from '../errors.ts'

/**
 * An error of the AWS SDK, read by shape: the app's client may come from
 * another SDK release than the one `instanceof` would check against. The
 * local store's failures have the same shape, so callers read both alike.
 */
export type S3ErrorLike = {
  name?: string
  message?: string
  $metadata?: { httpStatusCode?: number }
}

/**
 * An error shaped like S3's (the local store raises them as S3 would).
 */
export function s3Error(name: string, status: number, message: string): Error & S3ErrorLike {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } })
}

/**
 * S3's error behind one of ours (its `cause`), or the error itself.
 */
export function s3ErrorOf(error: unknown): S3ErrorLike | undefined {
  const e = error as { cause?: unknown } & S3ErrorLike
  if (e?.$metadata) return e
  return (e?.cause as S3ErrorLike)?.$metadata ? (e.cause as S3ErrorLike) : undefined
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

/**
 * What `head` found, or undefined when the object does not exist.
 */
export function unlessMissing<T>(lookup: Promise<T>): Promise<T | undefined> {
  return lookup.catch((error: unknown) => {
    if ((error as Error)?.name === 'E_DJAMAZING_OBJECT_NOT_FOUND') return undefined
    throw error
  })
}

/**
 * A store failure named after the caller's operation (the driver's
 * `getStream` rather than the store's `get`); any other error, such as a
 * body that broke off while read, wrapped the same way.
 */
export function failureOf(error: unknown, operation: string, key: string, bucket: string) {
  const e = error as { name?: string; message?: string; cause?: unknown }
  if (e?.name !== 'E_DJAMAZING_S3_REQUEST_FAILED') {
    return e?.name?.startsWith('E_') ? error : wrapS3Error(error, operation, key, bucket)
  }
  // The message is `S3 <operation> of "<key>" failed: <reason>` (errors.ts).
  const [, storeKey, reason] = /^S3 \S+ of "(.*)" failed: (.*)$/s.exec(e.message ?? '') ?? []
  if (reason === undefined) return error
  return new E_DJAMAZING_S3_REQUEST_FAILED([operation, storeKey, reason], { cause: e.cause })
}

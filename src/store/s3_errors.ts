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
 * The S3 errors the local store raises, with S3's status and message.
 */
const S3_ERRORS = {
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchBucket: [404, 'The specified bucket does not exist'],
  NoSuchUpload: [404, 'The specified upload does not exist.'],
  PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold'],
  BadDigest: [400, 'The checksum you specified did not match what we received.'],
  IncompleteBody: [
    400,
    'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  ],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  InvalidPartOrder: [400, 'The list of parts was not in ascending order.'],
  InvalidPart: [400, 'One or more of the specified parts could not be found.'],
  InvalidArgument: [400, 'Part number must be an integer between 1 and 10000, inclusive'],
  MalformedXML: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema.',
  ],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed object size.'],
  InvalidDigest: [400, 'The Content-MD5 you specified was invalid.'],
  InvalidRequest: [400, 'Value for x-amz-checksum-sha256 header is invalid.'],
  InvalidObjectName: [400, 'Object name contains unsupported characters.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented'],
} as const

/**
 * An error shaped like S3's (the local store raises them as S3 would),
 * with S3's message unless one more precise is given.
 */
export function s3Error(
  name: keyof typeof S3_ERRORS,
  message: string = S3_ERRORS[name][1]
): Error & S3ErrorLike {
  const status = S3_ERRORS[name][0]
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
 * Wraps a failed store call in a named error that keeps the original as
 * its `cause` (named errors pass as they are). flydrive's `Disk` wraps it
 * once more in its own `E_CANNOT_...`.
 */
export function wrapS3Error(
  error: unknown,
  operation: string,
  key: string,
  store: { bucket: string; kind?: 's3' | 'local' }
) {
  const e = error as S3ErrorLike
  if (e?.name?.startsWith('E_DJAMAZING_')) return error
  if (isNotFound(error)) {
    return new E_DJAMAZING_OBJECT_NOT_FOUND([key, store.bucket], { cause: error })
  }
  // The local store's own failures (file system errors) are named by it.
  const origin = store.kind === 'local' ? 'local store: ' : ''
  const reason = [e?.name, e?.message].filter(Boolean).join(': ') || String(error)
  return new E_DJAMAZING_S3_REQUEST_FAILED([operation, key, `${origin}${reason}`], {
    cause: error,
  })
}

/**
 * Runs one request of a store; a failure is wrapped as `wrapS3Error` does.
 */
export async function storeRequest<T>(
  store: { bucket: string; kind: 's3' | 'local' },
  operation: string,
  key: string,
  request: () => Promise<T>
): Promise<T> {
  try {
    return await request()
  } catch (error) {
    throw wrapS3Error(error, operation, key, store)
  }
}

/**
 * Whether a store call failed because the object does not exist.
 */
export function isObjectMissing(error: unknown): boolean {
  return (error as Error)?.name === 'E_DJAMAZING_OBJECT_NOT_FOUND'
}

/**
 * What `head` found, or undefined when the object does not exist.
 */
export function unlessMissing<T>(lookup: Promise<T>): Promise<T | undefined> {
  return lookup.catch((error: unknown) => {
    if (isObjectMissing(error)) return undefined
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
    return e?.name?.startsWith('E_') ? error : wrapS3Error(error, operation, key, { bucket })
  }
  // The message is `S3 <operation> of "<key>" failed: <reason>` (errors.ts).
  const [, storeKey, reason] = /^S3 \S+ of "(.*)" failed: (.*)$/s.exec(e.message ?? '') ?? []
  if (reason === undefined) return error
  return new E_DJAMAZING_S3_REQUEST_FAILED([operation, storeKey, reason], { cause: e.cause })
}

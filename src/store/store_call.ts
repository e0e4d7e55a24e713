import debug from '../debug.ts'
import { failureOf } from './s3_errors.ts'

/**
 * What a log line and an error name of a disk's store call.
 */
export type CallSite = { readonly name: string; readonly bucket: string }

/**
 * One debug line per operation: the disk, the bucket and the key, never a
 * signed URL.
 */
export function logCall(disk: CallSite, operation: string, objectKey: string) {
  debug('%s %s %s:%s', operation, disk.name, disk.bucket, objectKey)
}

/**
 * Runs one operation on a disk's store; a failure is named after it.
 */
export async function storeCall<T>(
  disk: CallSite,
  operation: string,
  objectKey: string,
  work: () => Promise<T>
): Promise<T> {
  logCall(disk, operation, objectKey)
  try {
    return await work()
  } catch (error) {
    throw failureOf(error, operation, objectKey, disk.bucket)
  }
}

import { parseDuration } from '../duration.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { assertValidObjectKey } from '../object_key.ts'
import { MULTIPART_LIMITS } from '../store/multipart.ts'
import type { DirectUploadOptions } from '../uploads/types.ts'

/**
 * S3 stores at most 5 GiB with one PUT; larger files need multipart.
 */
const MAX_PUT_SIZE = MULTIPART_LIMITS.maxPartSize
const MIB = 1024 * 1024

/**
 * A byte count setting, checked at boot.
 */
function wholeBytes(value: number, min: number, max: number, setting: string, limit: string) {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `${value} must be a whole number of bytes from ${min} to ${max} (${limit})`,
    ])
  }
  return value
}

/**
 * Checks a disk's `uploads` settings, naming the one that is wrong.
 */
export function readUploadSettings(
  options: DirectUploadOptions,
  setting: (name: string) => string
) {
  const given = options.pendingPrefix ?? 'pending-uploads/'
  const pendingPrefix = given.endsWith('/') ? given : `${given}/`
  try {
    assertValidObjectKey(pendingPrefix)
  } catch (error) {
    throw new E_DJAMAZING_INVALID_CONFIG(
      [setting('uploads.pendingPrefix'), (error as Error).message],
      { cause: error }
    )
  }
  return Object.freeze({
    // Whole seconds: the token and the store's URLs carry Unix seconds.
    expiresIn: Math.ceil(parseDuration(options.expiresIn ?? '10m', setting('uploads.expiresIn'))),
    confirmWithin: Math.ceil(
      parseDuration(options.confirmWithin ?? '1h', setting('uploads.confirmWithin'))
    ),
    multipartExpiresIn: Math.ceil(
      parseDuration(options.multipartExpiresIn ?? '1d', setting('uploads.multipartExpiresIn'))
    ),
    maxSize: wholeBytes(
      options.maxSize ?? MAX_PUT_SIZE,
      1,
      MULTIPART_LIMITS.maxObjectSize,
      setting('uploads.maxSize'),
      "5 TiB, S3's limit for one object"
    ),
    multipartThreshold: wholeBytes(
      options.multipartThreshold ?? 64 * MIB,
      1,
      MAX_PUT_SIZE,
      setting('uploads.multipartThreshold'),
      "5 GiB, S3's limit for one PUT"
    ),
    partSize: wholeBytes(
      options.partSize ?? 16 * MIB,
      MULTIPART_LIMITS.minPartSize,
      MULTIPART_LIMITS.maxPartSize,
      setting('uploads.partSize'),
      "5 GiB; S3's parts are 5 MiB to 5 GiB"
    ),
    // Where uploads wait for their confirm, relative to the disk's prefix:
    // a folder (ending with "/"). The local edge restricts it like the
    // CloudFront set-up does.
    pendingPrefix,
  })
}

/**
 * A disk's `uploads` settings, checked: durations in seconds, sizes in
 * bytes.
 */
export type UploadSettings = ReturnType<typeof readUploadSettings>

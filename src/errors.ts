import { createError } from '@poppinss/utils/exception'

/**
 * Every error djamazing raises is defined here, once. Configuration errors
 * name the setting and say how to fix it; they are raised when a disk is
 * created, so a bad config fails at boot, not on the first request.
 */

/**
 * An object key the driver refuses before any request is made
 * (path traversal, control characters, a leading slash, ...).
 */
export const E_DJAMAZING_INVALID_KEY = createError<[key: string, reason: string]>(
  'Invalid object key "%s": %s',
  'E_DJAMAZING_INVALID_KEY',
  400
)

/**
 * A disk was configured without a bucket.
 */
export const E_DJAMAZING_MISSING_BUCKET = createError<[setting: string]>(
  'Missing "%s": set it to the name of the S3 bucket that stores the files',
  'E_DJAMAZING_MISSING_BUCKET'
)

/**
 * The CDN URL is missing, malformed, carries credentials, a query or a fragment.
 */
export const E_DJAMAZING_INVALID_CDN_URL = createError<[setting: string, reason: string]>(
  'Invalid "%s": %s',
  'E_DJAMAZING_INVALID_CDN_URL'
)

/**
 * A plain http CDN URL in production: signed URLs would travel in clear text.
 */
export const E_DJAMAZING_INSECURE_CDN_URL = createError<[setting: string, url: string]>(
  'Insecure "%s" (%s): CloudFront URLs must use https in production. Use the https:// URL of the distribution',
  'E_DJAMAZING_INSECURE_CDN_URL'
)

/**
 * Any other invalid disk setting (a negative timeout, an unknown mode, ...).
 */
export const E_DJAMAZING_INVALID_CONFIG = createError<[setting: string, reason: string]>(
  'Invalid "%s": %s',
  'E_DJAMAZING_INVALID_CONFIG'
)

import { createError as createException, type Exception } from '@poppinss/utils/exception'

/**
 * `createError` of `@poppinss/utils`, with the code as the error's name:
 * its errors are all named "Exception", so a boot error printed by
 * AdonisJS or Node.js read "Exception: ..." without saying which one.
 */
function createError<T extends any[] = never>(message: string, code: string, status?: number) {
  const Base = createException<T>(message, code, status)
  const Named = class extends (Base as typeof Exception) {
    constructor(args?: any, options?: ErrorOptions) {
      super(args, options)
      this.name = code
    }

    toString() {
      return `${this.name}: ${this.message}`
    }
  }
  return Named as unknown as typeof Base
}

/**
 * An error naming a setting and what is wrong with it.
 */
function invalidSetting(code: string) {
  return createError<[setting: string, reason: string]>('Invalid "%s": %s', code)
}

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
export const E_DJAMAZING_INVALID_CDN_URL = invalidSetting('E_DJAMAZING_INVALID_CDN_URL')

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
export const E_DJAMAZING_INVALID_CONFIG = invalidSetting('E_DJAMAZING_INVALID_CONFIG')

/**
 * A disk uses the local store while the app runs in production.
 */
export const E_DJAMAZING_LOCAL_STORE_IN_PRODUCTION = createError<
  [disk: string, setting: string, allowance: string]
>(
  'Disk "%s" keeps its files in the local store ("%s" is "local") while the app runs in production: they would live on this server\'s disk only, with no CDN in front. Set it to "s3" with the AWS settings (DJAMAZING_STORE=s3 in .env), or set "%s: true" to run the local store in production on purpose',
  'E_DJAMAZING_LOCAL_STORE_IN_PRODUCTION'
)

/**
 * A wrong value passed to a method at call time (a duration that is not
 * one, a size that is not a whole number of bytes, ...). Configuration
 * read when a disk is created raises `E_DJAMAZING_INVALID_CONFIG` instead.
 */
export const E_DJAMAZING_INVALID_ARGUMENT = createError<[argument: string, reason: string]>(
  'Invalid argument "%s": %s',
  'E_DJAMAZING_INVALID_ARGUMENT'
)

/*
 * Protected links
 */

/**
 * A disk name that cannot appear in a link path. Disk names are letters,
 * digits, `_` and `-`, at most 64 characters.
 */
export const E_DJAMAZING_INVALID_DISK_NAME = createError<[disk: string]>(
  'Invalid disk name "%s": use letters, digits, "_" and "-" (at most 64 characters)',
  'E_DJAMAZING_INVALID_DISK_NAME'
)

/**
 * A protected link was requested without a usable user id (missing, empty,
 * too long, or not a string or safe integer).
 */
export const E_DJAMAZING_INVALID_LINK_USER = createError<[reason: string]>(
  'Cannot make a protected link: %s. Pass the stable id of the user the link is for, e.g. { userId: user.id }',
  'E_DJAMAZING_INVALID_LINK_USER'
)

/**
 * A protected link was requested for a guest (`userId: null`) on a disk that
 * does not allow guest links: such a link would be a bearer link.
 */
export const E_DJAMAZING_GUEST_LINK = createError<[disk: string]>(
  'Cannot make a protected link for a guest on disk "%s": guest links are off. Make links only for a logged-in user (in an Edge template: @if(auth.user) ... @end around driveUrl), or set links: { guestLinks: true } on the disk',
  'E_DJAMAZING_GUEST_LINK'
)

/**
 * A content-type, content-disposition or revision value that cannot be
 * carried by a link (not a string, control characters, too long).
 */
export const E_DJAMAZING_INVALID_LINK_OPTION = createError<[option: string, reason: string]>(
  'Invalid link option "%s": %s',
  'E_DJAMAZING_INVALID_LINK_OPTION'
)

/**
 * The CloudFront URL built for a redirect does not start with the disk's
 * CDN origin. Never caused by request input (the target is built from the
 * configuration and the verified key): it means a misconfigured signer.
 */
export const E_DJAMAZING_UNSAFE_REDIRECT = createError<[disk: string]>(
  'Refused to redirect for disk "%s": the signed URL is not on the configured CDN origin. Check the disk\'s cdnUrl and CloudFront signer',
  'E_DJAMAZING_UNSAFE_REDIRECT',
  500
)

/*
 * CloudFront signing
 */

/**
 * A CloudFront private or public key that cannot be used: unreadable,
 * malformed, encrypted without a passphrase, a public key where the private
 * one is needed, or not one of the two kinds CloudFront key groups accept
 * (RSA-2048, ECDSA P-256). Raised when the signer or verifier is created.
 */
export const E_DJAMAZING_INVALID_CLOUDFRONT_KEY = invalidSetting(
  'E_DJAMAZING_INVALID_CLOUDFRONT_KEY'
)

/**
 * A CloudFront key pair id that is missing, malformed, or names no configured key.
 */
export const E_DJAMAZING_INVALID_KEY_PAIR_ID = invalidSetting('E_DJAMAZING_INVALID_KEY_PAIR_ID')

/**
 * A CloudFront URL or cookies that cannot be signed as asked: a URL that is
 * not absolute, already carries signing parameters or is too long, a
 * missing or out-of-range expiry, a canned policy asked for options only a
 * custom policy can carry, a malformed IP range or resource.
 */
export const E_DJAMAZING_INVALID_SIGNING_OPTIONS = createError<[option: string, reason: string]>(
  'Cannot sign with "%s": %s',
  'E_DJAMAZING_INVALID_SIGNING_OPTIONS'
)

/*
 * Storage (the S3 driver)
 */

/**
 * The object does not exist (S3 answered 404). `get`, `getStream`,
 * `getBytes` and `getMetaData` raise it; `exists` answers false and
 * `delete` succeeds instead.
 */
export const E_DJAMAZING_OBJECT_NOT_FOUND = createError<[key: string, bucket: string]>(
  'Object "%s" not found in bucket "%s"',
  'E_DJAMAZING_OBJECT_NOT_FOUND',
  404
)

/**
 * An S3 request (or the stream being uploaded) failed. The original error
 * is its `cause`.
 */
export const E_DJAMAZING_S3_REQUEST_FAILED = createError<
  [operation: string, key: string, reason: string]
>('S3 %s of "%s" failed: %s', 'E_DJAMAZING_S3_REQUEST_FAILED', 500)

/**
 * `setVisibility` asked for a visibility other than the disk's mode on a
 * disk without ACLs: access is decided by the bucket policy and CloudFront
 * for the whole disk, so one object cannot differ.
 */
export const E_DJAMAZING_VISIBILITY_FIXED = createError<
  [key: string, visibility: string, disk: string, mode: string]
>(
  'Cannot make "%s" %s: every file of disk "%s" is served as %s. Use another disk, or set "supportsACL: true" on a bucket with ACLs enabled',
  'E_DJAMAZING_VISIBILITY_FIXED'
)

/**
 * `getUrl` on a protected disk that cannot make protected links.
 */
export const E_DJAMAZING_PROTECTED_URL_UNAVAILABLE = createError<
  [key: string, disk: string, reason: string]
>('Cannot make a URL for "%s" on protected disk "%s": %s', 'E_DJAMAZING_PROTECTED_URL_UNAVAILABLE')

/**
 * A URL asked of a driver made by `bucket(name)` without a CDN of its own:
 * the disk's `cdnUrl` serves the disk's bucket, so its URLs would open
 * another object (the one with the same key in the original bucket).
 */
export const E_DJAMAZING_BUCKET_URL_UNAVAILABLE = createError<
  [key: string, bucket: string, disk: string, reason: string]
>('Cannot make a URL for "%s" in bucket "%s" (disk "%s"): %s', 'E_DJAMAZING_BUCKET_URL_UNAVAILABLE')

/**
 * `linkFor` (a protected link with options) on a public disk.
 */
export const E_DJAMAZING_NOT_PROTECTED = createError<[key: string, disk: string]>(
  'Cannot make a protected link for "%s": disk "%s" is public. Use getUrl() for its CDN URL, or getSignedUrl() for a CloudFront signed URL with response overrides',
  'E_DJAMAZING_NOT_PROTECTED'
)

/*
 * Direct uploads (the browser PUTs to the store; the app starts and confirms)
 */

/**
 * `startUpload` was given something it cannot bind an upload to (a size
 * that is not a whole number of bytes or is over the limit, a checksum
 * that is not a base64 SHA-256, a content type with control characters, a
 * key inside the pending prefix), or `confirmUpload` a token that is
 * malformed, forged, or made for another disk. Answered 400.
 */
export const E_DJAMAZING_INVALID_UPLOAD = createError<[reason: string]>(
  'Invalid upload: %s',
  'E_DJAMAZING_INVALID_UPLOAD',
  400
)

/**
 * `confirmUpload` by a user other than the one the upload was started for.
 * The pending object is left alone: a user must not be able to destroy
 * someone else's upload either. Answered 403.
 */
export const E_DJAMAZING_UPLOAD_FORBIDDEN = createError(
  'This upload was started by another user',
  'E_DJAMAZING_UPLOAD_FORBIDDEN',
  403
)

/**
 * `confirmUpload` after the token's confirm window. The pending object is
 * left to the cleanup (lifecycle rule or `djamazing:uploads:prune`).
 * Answered 410: start a new upload.
 */
export const E_DJAMAZING_UPLOAD_EXPIRED = createError(
  'This upload expired: start a new one',
  'E_DJAMAZING_UPLOAD_EXPIRED',
  410
)

/**
 * `confirmUpload` found the stored object not as it was started: missing,
 * another size, type or checksum, stored after the target expired, its
 * final key already taken, or refused by the app's content check. The
 * pending object is deleted. Answered 422.
 */
export const E_DJAMAZING_UPLOAD_REJECTED = createError<[reason: string]>(
  'Upload rejected: %s',
  'E_DJAMAZING_UPLOAD_REJECTED',
  422
)

/**
 * `confirmUpload` of an upload that another request is confirming right
 * now, or that was already confirmed: a confirm takes effect once. The
 * file, if confirmed, is left as the first confirm made it. Answered 409.
 */
export const E_DJAMAZING_UPLOAD_CONFLICT = createError<[reason: string]>(
  'Upload not confirmed again: %s',
  'E_DJAMAZING_UPLOAD_CONFLICT',
  409
)

/*
 * AdonisJS: configuration and request-time errors of the provider and of
 * the `djamazing()` helper of `config/drive.ts`.
 */

/**
 * A protected disk exists while HttpContext's async local storage is off:
 * links could not be bound to the user of the current request. Also
 * raised by `startUpload`/`confirmUpload` without a `realm` on a disk
 * with several guards: the token could not be bound to the right one.
 */
export const E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED = createError<[disk: string]>(
  'The protected disk "%s" needs the current HTTP request to know who is logged in. Enable async local storage: in config/app.ts set "useAsyncLocalStorage: true" inside "http: defineConfig({ ... })"',
  'E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED'
)

/**
 * A protected link was asked for outside an HTTP request (a job, a
 * command, a test) without naming the user it is for.
 */
export const E_DJAMAZING_NO_REQUEST = createError<[disk: string]>(
  'Cannot make a protected link for disk "%s" outside an HTTP request: there is no logged-in user to bind it to. Name the user with asUser(user, () => disk.getUrl(key)) from "djamazing", or use getSignedUrl() for a direct CloudFront URL that is not bound to a user',
  'E_DJAMAZING_NO_REQUEST'
)

/**
 * A protected disk needs `ctx.auth`, which only exists after the
 * initialize-auth middleware of `@adonisjs/auth` ran for the request.
 */
export const E_DJAMAZING_AUTH_MISSING = createError<[disk: string]>(
  'The protected disk "%s" reads the logged-in user from ctx.auth, which is not defined for this request. Install @adonisjs/auth and register "() => import(\'@adonisjs/auth/initialize_auth_middleware\')" in router.use([...]) in start/kernel.ts',
  'E_DJAMAZING_AUTH_MISSING'
)

/**
 * A protected link was asked for a user authenticated with a guard the
 * disk does not list in its `guards`: the link would be bound to a user
 * of another kind, whose id may be another person's on the disk's guards.
 */
export const E_DJAMAZING_FOREIGN_GUARD = createError<[disk: string, guard: string, guards: string]>(
  'Cannot make a protected link for disk "%s": the user of this request is authenticated with the guard "%s", and the disk serves users of: %s. Add the guard to the disk\'s "guards" in config/drive.ts, or make the link on a page of those users',
  'E_DJAMAZING_FOREIGN_GUARD'
)

/**
 * The app has no usable encryption keys to sign protected links with.
 */
export const E_DJAMAZING_MISSING_APP_KEY = createError<[reason: string]>(
  'Cannot sign protected links: %s. Define config/encryption.ts with defineConfig() and at least one key (e.g. keys: [env.get("APP_KEY")])',
  'E_DJAMAZING_MISSING_APP_KEY'
)

/**
 * `config/drive.ts` has djamazing disks, but the provider is not registered.
 */
export const E_DJAMAZING_PROVIDER_MISSING = createError(
  'djamazing disks need the djamazing provider: add "() => import(\'djamazing/djamazing_provider\')" to the providers of adonisrc.ts (after @adonisjs/drive/drive_provider), or run "node ace configure djamazing"',
  'E_DJAMAZING_PROVIDER_MISSING'
)

/*
 * Image variants (resized copies of images, made with sharp)
 */

/**
 * A disk declares `variants`, and the optional peer dependency `sharp`
 * that makes them is not installed. Raised when the disk is created.
 */
export const E_DJAMAZING_SHARP_MISSING = createError<[setting: string]>(
  '"%s" declares image variants, which are made with sharp, and sharp is not installed. Install it: npm install sharp',
  'E_DJAMAZING_SHARP_MISSING'
)

/**
 * A disk invalidates CloudFront paths (`invalidation`), and
 * `@aws-sdk/client-cloudfront`, an optional peer dependency, is not installed.
 */
export const E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING = createError<[setting: string]>(
  '"%s" invalidates CloudFront paths, which needs @aws-sdk/client-cloudfront, and it is not installed. Install it: npm install @aws-sdk/client-cloudfront',
  'E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING'
)

/**
 * A write with `invalidation.awaitInvalidation` whose invalidation
 * CloudFront never accepted (the write itself is done). The cause is
 * CloudFront's last answer.
 */
export const E_DJAMAZING_INVALIDATION_FAILED = createError<
  [paths: string, attempts: number, reason: string]
>(
  'CloudFront did not invalidate %s after %d attempts: %s. The file itself was written',
  'E_DJAMAZING_INVALIDATION_FAILED'
)

/**
 * A variant name the disk does not declare.
 */
export const E_DJAMAZING_UNKNOWN_VARIANT = createError<[variant: string, disk: string]>(
  'Unknown variant "%s" of disk "%s": declare it in the disk\'s variants.transforms',
  'E_DJAMAZING_UNKNOWN_VARIANT'
)

/**
 * The original of a variant does not exist. Answered 404.
 */
export const E_DJAMAZING_VARIANT_SOURCE_MISSING = createError<[key: string]>(
  'Cannot make a variant of "%s": the file does not exist',
  'E_DJAMAZING_VARIANT_SOURCE_MISSING',
  404
)

/**
 * The original is not an image sharp can read (a text file, a PDF, ...),
 * whatever type it was stored or declared with. Answered 422.
 */
export const E_DJAMAZING_VARIANT_NOT_AN_IMAGE = createError<[key: string]>(
  'Cannot make a variant of "%s": the file is not an image',
  'E_DJAMAZING_VARIANT_NOT_AN_IMAGE',
  422
)

/**
 * The original is an image of a format the disk does not take as input
 * (SVG by default: it is a document that can reference other files).
 * Answered 422.
 */
export const E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED = createError<
  [key: string, format: string, allowed: string]
>(
  'Cannot make a variant of "%s": %s images are not taken (allowed: %s). Add the format to variants.inputFormats to take it',
  'E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED',
  422
)

/**
 * The original has more pixels or bytes than the disk's limits
 * (`variants.maxInputPixels`, `variants.maxInputBytes`): a decompression
 * bomb is refused from its header, before it is decoded. Answered 422.
 */
export const E_DJAMAZING_VARIANT_TOO_LARGE = createError<[key: string, reason: string]>(
  'Cannot make a variant of "%s": %s',
  'E_DJAMAZING_VARIANT_TOO_LARGE',
  422
)

/**
 * The original is an image whose data is broken (truncated, corrupt).
 * Answered 422.
 */
export const E_DJAMAZING_VARIANT_CORRUPT_IMAGE = createError<[key: string, reason: string]>(
  'Cannot make a variant of "%s": the image is damaged (%s)',
  'E_DJAMAZING_VARIANT_CORRUPT_IMAGE',
  422
)

/**
 * Making the variant took longer than `variants.timeout`; the work was
 * stopped. Answered 503: a later request tries again.
 */
export const E_DJAMAZING_VARIANT_TIMEOUT = createError<[key: string, seconds: number]>(
  'Making a variant of "%s" took longer than %s seconds and was stopped',
  'E_DJAMAZING_VARIANT_TIMEOUT',
  503
)

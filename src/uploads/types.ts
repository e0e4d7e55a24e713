import type { LinkSecret } from '../links/types.ts'
import type { Duration } from '../duration.ts'

/**
 * The disk option `uploads`: direct uploads from the browser to the store.
 * The AdonisJS provider fills in `secrets` from `config/encryption.ts`.
 */
export type DirectUploadOptions = {
  /**
   * The secrets upload tokens are signed with (the first signs, every one
   * verifies). Default: the disk's `links.secrets`.
   */
  secrets?: LinkSecret[]

  /**
   * Where uploads wait for their confirm, relative to the disk's prefix.
   * Keys of the disk must not start with it; the bucket's lifecycle rule
   * expires objects under it. Default `'pending-uploads/'`.
   */
  pendingPrefix?: string

  /**
   * How long the PUT target of `startUpload` works. Short: the URL is a
   * bearer credential for one write. Default `'10m'`.
   */
  expiresIn?: Duration

  /**
   * How long after the target expired `confirmUpload` still accepts the
   * token. Default `'1h'`.
   */
  confirmWithin?: Duration

  /**
   * The largest upload `startUpload` accepts, in bytes. Default and
   * ceiling 5 GiB, S3's limit for one PUT.
   */
  maxSize?: number

  /**
   * The realm of the user of the current request, for uploads started and
   * confirmed without a `realm`. Filled in by the AdonisJS provider (the
   * guard the user was authenticated with).
   */
  currentUserRealm?(): string | null | undefined | Promise<string | null | undefined>
}

/**
 * What `startUpload` is given: the app's decisions about one upload.
 */
export type StartUploadOptions = {
  /**
   * The user the upload is for: only they can confirm it.
   */
  userId: string | number

  /**
   * The realm that user id belongs to (in AdonisJS, the auth guard), when
   * ids of different kinds of users can collide: only a user of the same
   * realm can confirm. Default: the disk's `uploads.currentUserRealm()`
   * (the AdonisJS provider reads the guard of the request), else none.
   */
  realm?: string | null

  /**
   * The type the object is stored and served with. Signed: the store
   * refuses a PUT with another `Content-Type`.
   */
  contentType: string

  /**
   * The exact length in bytes. Signed: the store refuses another length.
   */
  size: number

  /**
   * The base64 SHA-256 of the content, as the browser module computes it.
   * Signed as `x-amz-checksum-sha256`: S3 refuses other bytes.
   */
  checksum: string

  /**
   * Default: the disk's `uploads.expiresIn`.
   */
  expiresIn?: Duration

  /**
   * The clock, for tests. Default: now.
   */
  now?: Date
}

/**
 * The answer of a start endpoint, as the browser module reads it: PUT the
 * file to `url` with exactly these `headers`, then confirm with `token`.
 */
export type UploadTarget = {
  method: 'PUT'
  url: string
  headers: { 'content-type': string; 'x-amz-checksum-sha256': string }
  /**
   * Signed by the app; `confirmUpload` takes it back.
   */
  token: string
  /**
   * The final key the object gets once confirmed.
   */
  key: string
  expiresAt: Date
}

/**
 * What `confirmUpload` is given besides the token.
 */
export type ConfirmUploadOptions = {
  /**
   * The user confirming: must be the one the upload was started for.
   */
  userId: string | number

  /**
   * The realm of the user confirming: must be the one the upload was
   * started for. Default as for `startUpload`.
   */
  realm?: string | null

  /**
   * The app's own look at the content before it becomes final: it gets the
   * first bytes (up to 4,100, enough for magic numbers) and returns false
   * to refuse. Use it to check that the bytes are of the type signed.
   */
  checkContent?: (firstBytes: Uint8Array, upload: ConfirmedUpload) => boolean | Promise<boolean>

  /**
   * The clock, for tests. Default: now.
   */
  now?: Date
}

/**
 * An upload `confirmUpload` made final.
 */
export type ConfirmedUpload = {
  key: string
  contentType: string
  size: number
  /**
   * Base64 SHA-256 of the content.
   */
  checksum: string
}

/**
 * What `prunePendingUploads` is given.
 */
export type PruneUploadsOptions = {
  /**
   * Pending uploads stored longer ago than this are deleted. Default `'1d'`.
   */
  olderThan?: Duration
  /**
   * The clock, for tests. Default: now.
   */
  now?: Date
}

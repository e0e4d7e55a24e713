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
   * The largest upload `startUpload` accepts, in bytes. Default 5 GiB;
   * at most 5 TiB, S3's limit for one object (above 5 GiB, multipart only).
   */
  maxSize?: number

  /**
   * The realm of the user of the current request, for uploads started and
   * confirmed without a `realm`. Filled in by the AdonisJS provider (the
   * guard the user was authenticated with).
   */
  currentUserRealm?(): string | null | undefined | Promise<string | null | undefined>

  /**
   * Uploads of this many bytes or more are multipart: parts signed one by
   * one, each with its SHA-256, resumable. Default 64 MiB.
   */
  multipartThreshold?: number

  /**
   * The length of every part but the last, in bytes (at least 5 MiB, S3's
   * minimum); larger when a file would need more than 10,000 parts.
   * Default 16 MiB.
   */
  partSize?: number

  /**
   * How long parts of a multipart upload can be signed and listed after it
   * started (each part's URL still works only `expiresIn`). Default `'1d'`.
   */
  multipartExpiresIn?: Duration
}

/**
 * What `startUpload` is given: the app's decisions about one upload.
 */
export type StartUploadOptions = UploadUserOptions & {
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
   * The `Content-Disposition` the object is stored and served with (e.g.
   * `attachment; filename="report.pdf"`), fixed on the server when the
   * upload is created: the browser cannot change it. An upload given one
   * is multipart whatever its size (a single PUT would need the browser
   * to send it). Printable ASCII; default none.
   */
  contentDisposition?: string

  /**
   * The base64 SHA-256 of the content, as the browser module computes it.
   * Signed as `x-amz-checksum-sha256`: S3 refuses other bytes. Needed for
   * a single PUT; without it (or from `multipartThreshold` bytes) the
   * upload is multipart and each part is signed with its own SHA-256.
   */
  checksum?: string

  /**
   * Default: the disk's `uploads.expiresIn`.
   */
  expiresIn?: Duration
}

/**
 * What `startUpload` answers, as the browser module reads it: one PUT, or
 * a multipart upload.
 */
export type UploadTarget = PutUploadTarget | MultipartUploadTarget

/**
 * PUT the file to `url` with exactly these `headers`, then confirm with
 * `token`.
 */
export type PutUploadTarget = {
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
 * Upload `partCount` parts of `partSize` bytes (the last one the rest),
 * each to the URL `signUploadPart` gives for it and its SHA-256, then
 * `completeUpload` with `token`.
 */
export type MultipartUploadTarget = {
  method: 'multipart'
  /**
   * Signed by the app; every later call takes it back. It names no secret:
   * it can be kept in the browser to resume after a reload.
   */
  token: string
  key: string
  size: number
  partSize: number
  partCount: number
  /**
   * Parts can be signed until then; complete within `confirmWithin` more.
   */
  expiresAt: Date
}

/**
 * What `signUploadPart` is given besides the token.
 */
export type SignPartOptions = UploadUserOptions & {
  /**
   * 1 to the target's `partCount`.
   */
  partNumber: number
  /**
   * The base64 SHA-256 of the part's bytes: signed, the store refuses
   * other bytes.
   */
  checksum: string
}

/**
 * Where one part goes: PUT exactly `size` bytes with these headers.
 */
export type PartTarget = {
  method: 'PUT'
  url: string
  headers: { 'x-amz-checksum-sha256': string }
  partNumber: number
  size: number
  expiresAt: Date
}

/**
 * A part the store holds, as `listUploadParts` reports it.
 */
export type StoredPart = {
  partNumber: number
  size: number
  /**
   * Base64 SHA-256, where the store reports it.
   */
  checksum?: string
  etag: string
}

/**
 * Who is asking, given to `startUpload` and to every call on its token.
 */
export type UploadUserOptions = {
  /**
   * The user the upload is for: only they can make the later calls on it.
   */
  userId: string | number
  /**
   * The realm that user id belongs to (in AdonisJS, the auth guard), when
   * ids of different kinds of users can collide: only a user of the same
   * realm can make the later calls. Default: the disk's
   * `uploads.currentUserRealm()` (the AdonisJS provider reads the guard of
   * the request), else none.
   */
  realm?: string | null
  /**
   * The clock, for tests. Default: now.
   */
  now?: Date
}

/**
 * What `completeUpload` is given besides the token: `confirmUpload`'s
 * options, and the SHA-256 of every part in order, as the browser computed
 * them. Where the store reports the checksums it verified (S3, the local
 * store) they must be these; where it does not (s3rver), the joined bytes
 * are hashed part by part.
 */
export type CompleteUploadOptions = ConfirmUploadOptions & { checksums: string[] }

/**
 * What `confirmUpload` is given besides the token.
 */
export type ConfirmUploadOptions = UploadUserOptions & {
  /**
   * The app's own look at the content before it becomes final: it gets the
   * first bytes (up to 4,100, enough for magic numbers) and returns false
   * to refuse. Use it to check that the bytes are of the type signed.
   */
  checkContent?: (firstBytes: Uint8Array, upload: ConfirmedUpload) => boolean | Promise<boolean>
}

/**
 * An upload `confirmUpload` made final.
 */
export type ConfirmedUpload = {
  key: string
  contentType: string
  size: number
  /**
   * Base64 SHA-256 of the content; for a multipart upload, the SHA-256 of
   * its parts' SHA-256s followed by `-<parts>`, as S3 reports it.
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

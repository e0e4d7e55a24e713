import { randomUUID } from 'node:crypto'
import debug from '../debug.ts'
import { parseDuration } from '../duration.ts'
import {
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_INVALID_UPLOAD,
  E_DJAMAZING_UPLOAD_CONFLICT,
  E_DJAMAZING_UPLOAD_EXPIRED,
  E_DJAMAZING_UPLOAD_FORBIDDEN,
  E_DJAMAZING_UPLOAD_REJECTED,
} from '../errors.ts'
import { assertValidObjectKey } from '../object_key.ts'
import type { LinkSecret } from '../links/types.ts'
import type { UploadSettings } from '../disk/upload_settings.ts'
import { s3ErrorOf } from '../store/s3_errors.ts'
import type { ObjectStore } from '../store/types.ts'
import { confirmPending, putChecksumProblem, type PendingUpload } from './confirm.ts'
import { compositeChecksum, joinedChecksumProblem, partsProblem } from './multipart_check.ts'
import { partLength, planParts, type PartPlan } from './part_plan.ts'
import { abortQuietly, prunePending } from './prune.ts'
import { UploadTokens, unixSeconds, type UploadClaims } from './token.ts'
import { isHeaderValue, isSha256, realmOf, userOf } from './upload_input.ts'
import type {
  CompleteUploadOptions,
  ConfirmedUpload,
  ConfirmUploadOptions,
  DirectUploadOptions,
  MultipartUploadTarget,
  PartTarget,
  PruneUploadsOptions,
  SignPartOptions,
  StartUploadOptions,
  StoredPart,
  UploadTarget,
  UploadUserOptions,
} from './types.ts'

/**
 * The disk's direct uploads, or the error that says how to turn them on.
 */
export function directUploadsOf(disk: {
  uploads?: DirectUploads
  setting(name: string): string
}): DirectUploads {
  if (disk.uploads) return disk.uploads
  throw new E_DJAMAZING_INVALID_CONFIG([
    disk.setting('uploads.secrets'),
    'direct uploads sign tokens with an app secret: set uploads: { secrets: [appKey] } (the AdonisJS provider does it for protected disks and disks with an uploads option)',
  ])
}

/**
 * What a disk hands to its direct uploads.
 */
export type DirectUploadsDisk = {
  store: ObjectStore
  disk: string
  /**
   * The disk's key prefix: "" or ending with "/".
   */
  prefix: string
  secrets: LinkSecret[]
}

/**
 * Direct uploads from the browser: the app starts an upload (a key it
 * chose, a PUT target bound to type, size and SHA-256, a signed token),
 * the browser PUTs the bytes to the store, and the app confirms: it checks
 * the stored object against the token and only then moves it to its key.
 * Until then the object waits under the pending prefix, where a lifecycle
 * rule or {@link prune} removes what is never confirmed. The driver's
 * methods of the same names document each step.
 */
export class DirectUploads {
  #disk: DirectUploadsDisk
  #tokens: UploadTokens
  #settings: UploadSettings
  #currentUserRealm: DirectUploadOptions['currentUserRealm']

  constructor(
    disk: DirectUploadsDisk,
    settings: UploadSettings,
    currentUserRealm?: DirectUploadOptions['currentUserRealm']
  ) {
    this.#disk = disk
    this.#tokens = new UploadTokens(disk.secrets)
    this.#settings = settings
    this.#currentUserRealm = currentUserRealm
  }

  /**
   * The prefix of pending objects in the bucket (the disk's prefix
   * included): what the lifecycle rule filters on.
   */
  get pendingPrefix(): string {
    return `${this.#disk.prefix}${this.#settings.pendingPrefix}`
  }

  /**
   * Whether a key of the disk lies under the pending prefix: no URL is
   * made for it, since unconfirmed uploads are never served.
   */
  isPending(key: string): boolean {
    return key.startsWith(this.#settings.pendingPrefix)
  }

  async start(key: string, options: StartUploadOptions): Promise<UploadTarget> {
    assertValidObjectKey(key)
    assertValidObjectKey(`${this.#disk.prefix}${key}`)
    if (this.isPending(key)) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `the key "${key}" is inside the pending prefix "${this.#settings.pendingPrefix}"`,
      ])
    }
    const user = userOf(options.userId)
    const realm = await this.#realm(options.realm)
    const { contentType, size, checksum, contentDisposition } = options
    if (!isHeaderValue(contentType)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['contentType must be a printable ASCII header value'])
    }
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#settings.maxSize) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `size must be a whole number of bytes from 0 to ${this.#settings.maxSize}`,
      ])
    }
    if (contentDisposition !== undefined && !isHeaderValue(contentDisposition)) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        'contentDisposition must be a printable ASCII header value',
      ])
    }
    // A disposition is fixed where the upload is created, on the server: a
    // single PUT would need the browser to send it (and a CORS rule for it).
    // The threshold is at most 5 GiB, S3's limit for one PUT.
    const multipart =
      size > 0 &&
      (checksum === undefined ||
        contentDisposition !== undefined ||
        size >= this.#settings.multipartThreshold)
    if (!multipart && !isSha256(checksum)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['checksum must be the base64 SHA-256 of the content'])
    }
    const expiresIn =
      options.expiresIn === undefined
        ? this.#settings.expiresIn
        : Math.ceil(parseDuration(options.expiresIn, 'expiresIn', E_DJAMAZING_INVALID_ARGUMENT))
    const now = options.now ?? new Date()
    const expires = unixSeconds(now) + (multipart ? this.#settings.multipartExpiresIn : expiresIn)

    const claims: UploadClaims = {
      disk: this.#disk.disk,
      key,
      id: randomUUID(),
      user,
      realm,
      contentType,
      size,
      sha256: multipart ? '' : checksum!,
      uploadId: '',
      partSize: 0,
      expires,
      confirmBy: expires + this.#settings.confirmWithin,
    }
    const { pendingKey } = this.#pending(claims)
    if (multipart) return this.#startMultipart(claims, pendingKey, contentDisposition)

    debug('startUpload %s:%s -> %s', this.#disk.store.bucket, key, pendingKey)
    const url = await this.#disk.store.presignPut(pendingKey, {
      contentType,
      contentLength: size,
      checksumSha256: checksum,
      expiresIn,
      now,
    })
    return {
      method: 'PUT',
      url,
      headers: { 'content-type': contentType, 'x-amz-checksum-sha256': checksum! },
      token: this.#tokens.sign(claims),
      key,
      expiresAt: new Date(expires * 1000),
    }
  }

  /**
   * The multipart upload is created with the app's content type and
   * disposition (the browser's part requests cannot change them) and
   * SHA-256 checksums, so the store checks every part against the checksum
   * signed into its URL.
   */
  async #startMultipart(
    claims: UploadClaims,
    pendingKey: string,
    contentDisposition: string | undefined
  ): Promise<MultipartUploadTarget> {
    const plan = planParts(claims.size, this.#settings.partSize)
    claims.partSize = plan.partSize
    claims.uploadId = await this.#disk.store.createMultipart(pendingKey, {
      contentType: claims.contentType,
      contentDisposition,
    })
    debug(
      'startUpload %s:%s -> %s (multipart, %d parts)',
      this.#disk.store.bucket,
      claims.key,
      pendingKey,
      plan.count
    )
    return {
      method: 'multipart',
      token: this.#tokens.sign(claims),
      key: claims.key,
      size: claims.size,
      partSize: plan.partSize,
      partCount: plan.count,
      expiresAt: new Date(claims.expires * 1000),
    }
  }

  /**
   * No part beyond the declared size can be signed: its length comes from
   * the signed size and part size.
   */
  async signPart(token: string, options: SignPartOptions): Promise<PartTarget> {
    const now = options.now ?? new Date()
    const claims = await this.#claims(token, { ...options, now }, true, 'expires')
    const plan = planParts(claims.size, claims.partSize)
    const size = partLength(plan, options.partNumber)
    if (size === undefined) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `partNumber must be a whole number from 1 to ${plan.count}`,
      ])
    }
    const { checksum } = options
    if (!isSha256(checksum)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['checksum must be the base64 SHA-256 of the part'])
    }
    // A part URL lives `expiresIn`, never past the upload's own expiry.
    const expiresIn = Math.max(
      1,
      Math.min(this.#settings.expiresIn, claims.expires - unixSeconds(now))
    )
    const url = await this.#disk.store.presignPart(
      this.#pending(claims).pendingKey,
      claims.uploadId,
      options.partNumber,
      { contentLength: size, checksumSha256: checksum, expiresIn, now }
    )
    return {
      method: 'PUT',
      url,
      headers: { 'x-amz-checksum-sha256': checksum },
      partNumber: options.partNumber,
      size,
      expiresAt: new Date((unixSeconds(now) + expiresIn) * 1000),
    }
  }

  async listParts(token: string, options: UploadUserOptions): Promise<StoredPart[]> {
    const claims = await this.#claims(token, options, true, 'confirmBy')
    const parts = await this.#storedParts(this.#pending(claims))
    return parts.map((part) => ({
      partNumber: part.partNumber,
      size: part.size ?? 0,
      checksum: part.checksumSha256,
      etag: part.etag,
    }))
  }

  async complete(token: string, options: CompleteUploadOptions): Promise<ConfirmedUpload> {
    const claims = await this.#claims(token, options, true, 'confirmBy')
    const plan = planParts(claims.size, claims.partSize)
    const { checksums } = options
    if (
      !Array.isArray(checksums) ||
      checksums.length !== plan.count ||
      !checksums.every(isSha256)
    ) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `checksums must be the base64 SHA-256 of each of the ${plan.count} parts`,
      ])
    }
    const upload = this.#pending(claims)
    const composite = compositeChecksum(checksums)
    const checksumProblem = joinedChecksumProblem(this.#disk.store, plan, checksums, composite)
    const join = () => this.#joinParts(upload, plan, checksums)
    return confirmPending(upload, options, composite, checksumProblem, join)
  }

  /**
   * Completes the store's multipart upload once every planned part is
   * there with its length and checksum; refuses (and deletes) it if not.
   */
  async #joinParts(upload: PendingUpload, plan: PartPlan, checksums: string[]) {
    const parts = await this.#storedParts(upload)
    const problem = partsProblem(plan, parts, checksums)
    if (problem) await this.#refuse(upload, problem)
    try {
      await this.#disk.store.completeMultipart(
        upload.pendingKey,
        upload.claims.uploadId,
        parts.map((part, index) => ({ ...part, checksumSha256: checksums[index] }))
      )
    } catch (error) {
      const refusal = s3ErrorOf(error)
      // Completed or aborted meanwhile by another request: not ours to
      // delete.
      if (refusal?.name === 'NoSuchUpload') {
        throw new E_DJAMAZING_UPLOAD_CONFLICT(['it was completed or cancelled meanwhile'], {
          cause: error,
        })
      }
      // The store's own refusal (a part's checksum or size): the upload is
      // not the one started.
      const status = refusal?.$metadata?.httpStatusCode
      if (status === undefined || status >= 500) throw error
      await this.#refuse(upload, `the store refused to join the parts: ${(error as Error).message}`)
    }
  }

  async abort(token: string, options: UploadUserOptions): Promise<void> {
    const upload = this.#pending(await this.#claims(token, options, true))
    await this.#discard(upload)
    debug('abortUpload %s:%s', this.#disk.store.bucket, upload.pendingKey)
  }

  /**
   * Refuses a multipart upload: its parts and pending object are deleted.
   */
  async #refuse(upload: PendingUpload, problem: string): Promise<never> {
    await this.#discard(upload)
    debug('completeUpload %s:%s refused: %s', this.#disk.store.bucket, upload.pendingKey, problem)
    throw new E_DJAMAZING_UPLOAD_REJECTED([problem])
  }

  /**
   * Drops a multipart upload: the store's parts, and anything already
   * joined under the pending prefix.
   */
  async #discard({ claims, pendingKey }: PendingUpload) {
    await abortQuietly(this.#disk.store, pendingKey, claims.uploadId)
    await this.#disk.store.delete(pendingKey)
  }

  /**
   * The token's claims, for its user (and realm) on this disk, of the kind
   * of upload (`multipart` or a single PUT) the call is for, and before its
   * `until` time. Checked before anything touches the store: another user
   * must not even delete the upload.
   */
  async #claims(
    token: string,
    options: UploadUserOptions,
    multipart: boolean,
    until?: 'expires' | 'confirmBy'
  ): Promise<UploadClaims> {
    const claims = this.#tokens.verify(token)
    if (claims.disk !== this.#disk.disk) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['the upload token was made for another disk'])
    }
    if (
      userOf(options.userId) !== claims.user ||
      (await this.#realm(options.realm)) !== claims.realm
    ) {
      throw new E_DJAMAZING_UPLOAD_FORBIDDEN()
    }
    if (multipart !== (claims.uploadId !== '')) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        multipart
          ? 'the upload token is of a single PUT, not multipart'
          : 'a multipart upload is confirmed by completing it',
      ])
    }
    if (until && unixSeconds(options.now ?? new Date()) > claims[until]) {
      throw new E_DJAMAZING_UPLOAD_EXPIRED()
    }
    return claims
  }

  /**
   * The parts stored so far; refused once the upload is gone (completed,
   * aborted, or expired by the lifecycle rule).
   */
  async #storedParts({ claims, pendingKey }: PendingUpload) {
    try {
      return await this.#disk.store.listParts(pendingKey, claims.uploadId)
    } catch (error) {
      if (s3ErrorOf(error)?.name === 'NoSuchUpload') {
        throw new E_DJAMAZING_UPLOAD_REJECTED(
          ['the upload is gone (completed, cancelled or expired)'],
          { cause: error }
        )
      }
      throw error
    }
  }

  async confirm(token: string, options: ConfirmUploadOptions): Promise<ConfirmedUpload> {
    const claims = await this.#claims(token, options, false, 'confirmBy')
    const checksumProblem = putChecksumProblem(this.#disk.store, claims.sha256)
    return confirmPending(this.#pending(claims), options, claims.sha256, checksumProblem)
  }

  prune(options?: PruneUploadsOptions): Promise<string[]> {
    return prunePending(this.#disk.store, this.pendingPrefix, options)
  }

  /**
   * The realm given, else the current user's (the disk's
   * `currentUserRealm`), else none.
   */
  async #realm(given: string | null | undefined): Promise<string | null> {
    return realmOf(given === undefined ? await this.#currentUserRealm?.() : given)
  }

  /**
   * Where the upload waits (under the pending prefix), and its final key.
   */
  #pending(claims: UploadClaims): PendingUpload {
    const { store, prefix } = this.#disk
    const pendingKey = `${this.pendingPrefix}${claims.id}`
    return { store, claims, pendingKey, finalKey: `${prefix}${claims.key}` }
  }
}

import { createHash, randomUUID } from 'node:crypto'
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
import { MAX_PUT_SIZE, type UploadSettings } from '../disk/upload_settings.ts'
import { s3ErrorOf, unlessMissing } from '../store/s3_errors.ts'
import type { ObjectStore, StoredObject } from '../store/types.ts'
import { compositeChecksum, firstPartDiffering, partsProblem } from './multipart_check.ts'
import { partLength, planParts, type PartPlan } from './part_plan.ts'
import { UploadTokens, type UploadClaims } from './token.ts'
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
 * A stored object may be stamped a little after its target expired: the
 * app's and the store's clocks differ, and some stores stamp the end of a
 * long body rather than its start. S3 itself refuses a PUT that starts
 * after the expiry; this is the app's own, looser, second check.
 */
const LATE_ALLOWANCE_SECONDS = 300

/**
 * Enough of the content for magic-number checks (file-type reads as much).
 */
const CONTENT_CHECK_BYTES = 4100

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/
const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/

/**
 * The user id as signed: integers and their decimal strings are one user.
 */
function userOf(userId: unknown): string {
  if (typeof userId === 'number' && Number.isSafeInteger(userId)) return String(userId)
  if (typeof userId === 'string' && userId.length > 0 && userId.length <= 256) return userId
  throw new E_DJAMAZING_INVALID_UPLOAD(['userId must be a non-empty string or a safe integer'])
}

/**
 * The realm as signed: a non-empty string, or null for none.
 */
function realmOf(realm: unknown): string | null {
  if (realm === null || realm === undefined) return null
  if (typeof realm === 'string' && realm.length > 0 && realm.length <= 256) return realm
  throw new E_DJAMAZING_INVALID_UPLOAD(['realm must be a non-empty string, or null'])
}

/**
 * Why the stored bytes (the object at `objectKey`) are not the ones
 * started, or null.
 */
type ChecksumProblem = (stored: StoredObject, objectKey: string) => Promise<string | null>

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

/**
 * Runs a step on the copy confirm checks. The copy lives under the
 * pending prefix, so a prune run meanwhile (with an `olderThan` shorter
 * than a confirm) may delete it: the confirm is then refused, a 4xx
 * saying why, never a failure of the store.
 */
async function whileChecked<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    if ((error as { code?: string }).code !== 'E_DJAMAZING_OBJECT_NOT_FOUND') throw error
    throw new E_DJAMAZING_UPLOAD_REJECTED(
      ['the upload was deleted while it was being confirmed (by a prune of pending uploads?)'],
      { cause: error }
    )
  }
}

/**
 * Final keys (with their bucket) a confirm of this process is working on.
 */
const CONFIRMING = new Set<string>()

/**
 * What a disk hands to its direct uploads.
 */
export type DirectUploadsDisk = {
  store: ObjectStore
  bucket: string
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
 * rule or {@link prune} removes what is never confirmed.
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
    if (key.startsWith(this.#settings.pendingPrefix)) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `the key "${key}" is inside the pending prefix "${this.#settings.pendingPrefix}"`,
      ])
    }
    const user = userOf(options.userId)
    const realm = await this.#realm(options.realm)
    const { contentType, size, checksum } = options
    if (typeof contentType !== 'string' || !HEADER_VALUE.test(contentType)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['contentType must be a printable ASCII header value'])
    }
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#settings.maxSize) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `size must be a whole number of bytes from 0 to ${this.#settings.maxSize}`,
      ])
    }
    const { contentDisposition } = options
    if (contentDisposition !== undefined && !HEADER_VALUE.test(contentDisposition)) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        'contentDisposition must be a printable ASCII header value',
      ])
    }
    // A disposition is fixed where the upload is created, on the server: a
    // single PUT would need the browser to send it (and a CORS rule for it).
    const multipart =
      size > 0 &&
      (checksum === undefined ||
        contentDisposition !== undefined ||
        size >= this.#settings.multipartThreshold ||
        size > MAX_PUT_SIZE)
    if (!multipart && (typeof checksum !== 'string' || !BASE64_SHA256.test(checksum))) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['checksum must be the base64 SHA-256 of the content'])
    }
    const expiresIn =
      options.expiresIn === undefined
        ? this.#settings.expiresIn
        : Math.ceil(parseDuration(options.expiresIn, 'expiresIn', E_DJAMAZING_INVALID_ARGUMENT))
    const now = options.now ?? new Date()
    const expires =
      seconds(now) + Math.ceil(multipart ? this.#settings.multipartExpiresIn : expiresIn)

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
    const pendingKey = this.#pendingKey(claims)
    if (multipart) return this.#startMultipart(claims, pendingKey, contentDisposition)

    debug('startUpload %s:%s -> %s', this.#disk.bucket, key, pendingKey)
    const url = await this.#disk.store.presignPut(pendingKey, {
      contentType,
      contentLength: size,
      checksumSha256: checksum,
      expiresIn: Math.ceil(expiresIn),
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
   * SHA-256 checksums, so
   * the store checks every part against the checksum signed into its URL.
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
      this.#disk.bucket,
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
   * A URL for one part of a multipart upload, bound to the part's exact
   * length (from the signed size and part size: no part beyond the
   * declared size can be signed) and to the SHA-256 the browser gives.
   */
  async signPart(token: string, options: SignPartOptions): Promise<PartTarget> {
    const now = options.now ?? new Date()
    const claims = await this.#multipartClaims(token, options)
    if (seconds(now) > claims.expires) throw new E_DJAMAZING_UPLOAD_EXPIRED()
    const plan = this.#planOf(claims)
    const size = partLength(plan, options.partNumber)
    if (size === undefined) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `partNumber must be a whole number from 1 to ${plan.count}`,
      ])
    }
    const { checksum } = options
    if (typeof checksum !== 'string' || !BASE64_SHA256.test(checksum)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['checksum must be the base64 SHA-256 of the part'])
    }
    // A part URL lives `expiresIn`, never past the upload's own expiry.
    const expiresIn = Math.max(
      1,
      Math.min(Math.ceil(this.#settings.expiresIn), claims.expires - seconds(now))
    )
    const url = await this.#disk.store.presignPart(
      this.#pendingKey(claims),
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
      expiresAt: new Date((seconds(now) + expiresIn) * 1000),
    }
  }

  /**
   * The parts the store holds, for resuming: a part listed with its
   * planned length need not be sent again.
   */
  async listParts(token: string, options: UploadUserOptions): Promise<StoredPart[]> {
    const claims = await this.#multipartClaims(token, options)
    if (seconds(options.now ?? new Date()) > claims.confirmBy) {
      throw new E_DJAMAZING_UPLOAD_EXPIRED()
    }
    const parts = await this.#storedParts(claims)
    return parts.map((part) => ({
      partNumber: part.partNumber,
      size: part.size ?? 0,
      checksum: part.checksumSha256,
      etag: part.etag,
    }))
  }

  /**
   * Joins the parts of a multipart upload, then confirms it as
   * {@link confirm} does a single PUT: the stored object must be what was
   * started (every part of its planned length and SHA-256), passes
   * `checkContent`, and only then becomes the file. Refused: the upload
   * and everything it stored are deleted.
   */
  async complete(token: string, options: CompleteUploadOptions): Promise<ConfirmedUpload> {
    const claims = await this.#multipartClaims(token, options)
    if (seconds(options.now ?? new Date()) > claims.confirmBy) {
      throw new E_DJAMAZING_UPLOAD_EXPIRED()
    }
    const plan = this.#planOf(claims)
    const { checksums } = options
    if (
      !Array.isArray(checksums) ||
      checksums.length !== plan.count ||
      !checksums.every((checksum) => typeof checksum === 'string' && BASE64_SHA256.test(checksum))
    ) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `checksums must be the base64 SHA-256 of each of the ${plan.count} parts`,
      ])
    }
    return this.#oneAtATime(claims, async (finalKey) => {
      const pendingKey = this.#pendingKey(claims)
      await this.#joinParts(claims, pendingKey, plan, checksums)
      const composite = compositeChecksum(checksums)
      return this.#confirmOnce(claims, finalKey, options, composite, async (stored, objectKey) => {
        if (stored.checksumSha256 !== undefined) {
          return stored.checksumSha256 === composite
            ? null
            : 'the stored bytes are not the ones hashed (SHA-256 of the parts differs)'
        }
        const differing = await firstPartDiffering(this.#disk.store, objectKey, plan, checksums)
        return differing === null
          ? null
          : `part ${differing} is not the bytes hashed (SHA-256 differs)`
      })
    })
  }

  /**
   * Completes the store's multipart upload once every planned part is
   * there with its length and checksum; refuses (and deletes) it if not.
   */
  async #joinParts(claims: UploadClaims, pendingKey: string, plan: PartPlan, checksums: string[]) {
    const parts = await this.#storedParts(claims)
    const problem = partsProblem(plan, parts, checksums)
    if (problem) await this.#refuse(claims, pendingKey, problem)
    try {
      await this.#disk.store.completeMultipart(
        pendingKey,
        claims.uploadId,
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
      await this.#refuse(
        claims,
        pendingKey,
        `the store refused to join the parts: ${(error as Error).message}`
      )
    }
  }

  /**
   * Cancels a multipart upload: the store drops its parts, and anything
   * already joined under the pending prefix is deleted.
   */
  async abort(token: string, options: UploadUserOptions): Promise<void> {
    const claims = await this.#multipartClaims(token, options)
    const pendingKey = this.#pendingKey(claims)
    await this.#abortQuietly(pendingKey, claims.uploadId)
    await this.#disk.store.delete(pendingKey)
    debug('abortUpload %s:%s', this.#disk.bucket, pendingKey)
  }

  /**
   * Refuses a multipart upload: its parts and pending object are deleted.
   */
  async #refuse(claims: UploadClaims, pendingKey: string, problem: string): Promise<never> {
    await this.#abortQuietly(pendingKey, claims.uploadId)
    await this.#disk.store.delete(pendingKey)
    debug('completeUpload %s:%s refused: %s', this.#disk.bucket, pendingKey, problem)
    throw new E_DJAMAZING_UPLOAD_REJECTED([problem])
  }

  /**
   * The token's claims, for its user (and realm) on this disk. Before
   * anything touches the store: another user must not even delete the
   * upload.
   */
  async #claims(
    token: string,
    options: { userId: unknown; realm?: string | null }
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
    return claims
  }

  async #multipartClaims(
    token: string,
    options: { userId: unknown; realm?: string | null }
  ): Promise<UploadClaims> {
    const claims = await this.#claims(token, options)
    if (claims.uploadId === '') {
      throw new E_DJAMAZING_INVALID_UPLOAD(['the upload token is of a single PUT, not multipart'])
    }
    return claims
  }

  #planOf(claims: UploadClaims): PartPlan {
    return {
      size: claims.size,
      partSize: claims.partSize,
      count: Math.ceil(claims.size / claims.partSize),
    }
  }

  /**
   * The parts stored so far; refused once the upload is gone (completed,
   * aborted, or expired by the lifecycle rule).
   */
  async #storedParts(claims: UploadClaims) {
    try {
      return await this.#disk.store.listParts(this.#pendingKey(claims), claims.uploadId)
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

  async #abortQuietly(pendingKey: string, uploadId: string) {
    await this.#disk.store.abortMultipart(pendingKey, uploadId).catch((error) => {
      if (s3ErrorOf(error)?.name !== 'NoSuchUpload') throw error
    })
  }

  async confirm(token: string, options: ConfirmUploadOptions): Promise<ConfirmedUpload> {
    const claims = await this.#claims(token, options)
    if (claims.uploadId !== '') {
      throw new E_DJAMAZING_INVALID_UPLOAD(['a multipart upload is confirmed by completing it'])
    }
    if (seconds(options.now ?? new Date()) > claims.confirmBy) {
      throw new E_DJAMAZING_UPLOAD_EXPIRED()
    }
    return this.#oneAtATime(claims, (finalKey) =>
      this.#confirmOnce(claims, finalKey, options, claims.sha256, async (stored, objectKey) => {
        // A multipart object's checksum is a checksum of checksums ("...-N").
        const verified = stored.checksumSha256?.includes('-') ? undefined : stored.checksumSha256
        return (verified ?? (await this.#sha256(objectKey))) === claims.sha256
          ? null
          : 'the stored bytes are not the ones the upload was started for (SHA-256 differs)'
      })
    )
  }

  /**
   * One confirm (or complete) at a time per final key in this process;
   * across processes, the conditional copies of confirm decide where the
   * store enforces them.
   */
  async #oneAtATime<T>(claims: UploadClaims, work: (finalKey: string) => Promise<T>): Promise<T> {
    const finalKey = `${this.#disk.prefix}${claims.key}`
    const claim = `${this.#disk.bucket}\0${finalKey}`
    if (CONFIRMING.has(claim)) {
      throw new E_DJAMAZING_UPLOAD_CONFLICT(['it is being confirmed by another request'])
    }
    CONFIRMING.add(claim)
    try {
      return await work(finalKey)
    } finally {
      CONFIRMING.delete(claim)
    }
  }

  /**
   * Confirm proper. The pending object stays writable by whoever holds
   * its PUT URL until the URL expires, and not every store enforces the
   * signed checksum (s3rver, some S3-compatible stores): so it is first
   * copied to a key nobody can write, and that copy is what is checked
   * and what becomes the file. The checked bytes are the final bytes on
   * every store.
   */
  async #confirmOnce(
    claims: UploadClaims,
    finalKey: string,
    options: ConfirmUploadOptions,
    checksum: string,
    checksumProblem: ChecksumProblem
  ): Promise<ConfirmedUpload> {
    const pendingKey = this.#pendingKey(claims)
    const upload: ConfirmedUpload = {
      key: claims.key,
      contentType: claims.contentType,
      size: claims.size,
      checksum,
    }
    const store = this.#disk.store
    const pending = await unlessMissing(store.head(pendingKey))
    if (!pending) {
      if (await unlessMissing(store.head(finalKey))) {
        throw new E_DJAMAZING_UPLOAD_CONFLICT(['it was already confirmed'])
      }
      throw new E_DJAMAZING_UPLOAD_REJECTED(['nothing was uploaded'])
    }
    const checkedKey = `${pendingKey}.checked-${randomUUID()}`
    try {
      if (!(await this.#copyPending(pendingKey, checkedKey, finalKey))) {
        throw new E_DJAMAZING_UPLOAD_CONFLICT(['it is being confirmed by another request'])
      }
      const problem = await whileChecked(async () => {
        const checked = await store.head(checkedKey)
        // When it was stored is the pending object's: the copy is new.
        return this.#problemWith(
          { ...checked, lastModified: pending.lastModified },
          claims,
          checkedKey,
          upload,
          options,
          checksumProblem
        )
      })
      if (problem) {
        await store.delete(pendingKey)
        debug('confirmUpload %s:%s refused: %s', this.#disk.bucket, pendingKey, problem)
        throw new E_DJAMAZING_UPLOAD_REJECTED([problem])
      }
      if (!(await whileChecked(() => this.#copyIfAbsent(checkedKey, finalKey)))) {
        throw new E_DJAMAZING_UPLOAD_CONFLICT(['it was already confirmed'])
      }
      await store.delete(pendingKey)
    } finally {
      await store.delete(checkedKey)
    }
    debug('confirmUpload %s:%s', this.#disk.bucket, finalKey)
    return upload
  }

  /**
   * Copies an object only if nothing is at the destination: false when
   * something is (412), or a concurrent write to it won (409). S3 enforces
   * it with `If-None-Match: *` across app instances, the local store with
   * an exclusive create; a store that ignores the condition (s3rver, some
   * S3-compatible stores) copies anyway.
   */
  async #copyIfAbsent(sourceKey: string, destinationKey: string): Promise<boolean> {
    try {
      await this.#disk.store.copy(sourceKey, destinationKey, { ifNoneMatch: '*' })
      return true
    } catch (error) {
      const status = s3ErrorOf(error)?.$metadata?.httpStatusCode
      if (status === 412 || status === 409) return false
      throw error
    }
  }

  /**
   * Copies the pending object to the key confirm checks. A pending object
   * gone meanwhile was confirmed (the file exists) or deleted by a
   * refused confirm: either way, not this request's to confirm.
   */
  async #copyPending(pendingKey: string, checkedKey: string, finalKey: string) {
    try {
      return await this.#copyIfAbsent(pendingKey, checkedKey)
    } catch (error) {
      if ((error as { code?: string }).code !== 'E_DJAMAZING_OBJECT_NOT_FOUND') throw error
      if (await unlessMissing(this.#disk.store.head(finalKey))) {
        throw new E_DJAMAZING_UPLOAD_CONFLICT(['it was already confirmed'], { cause: error })
      }
      throw new E_DJAMAZING_UPLOAD_REJECTED(['nothing was uploaded'], { cause: error })
    }
  }

  /**
   * Deletes pending uploads stored longer ago than `olderThan`, and aborts
   * multipart uploads started that long ago; confirmed files are never
   * under the pending prefix, so never touched. Returns the object keys
   * deleted or aborted.
   */
  async prune(options: PruneUploadsOptions = {}): Promise<string[]> {
    const olderThan = parseDuration(
      options.olderThan ?? '1d',
      'olderThan',
      E_DJAMAZING_INVALID_ARGUMENT
    )
    const cutoff = (options.now ?? new Date()).getTime() - olderThan * 1000
    const prefix = this.pendingPrefix
    const old: string[] = []
    let token: string | undefined
    do {
      const page = await this.#disk.store.list({ prefix, token })
      for (const object of page.objects) {
        if (object.lastModified.getTime() < cutoff) old.push(object.key)
      }
      token = page.token
    } while (token)
    if (old.length > 0) await this.#disk.store.deleteMany(old)
    // Multipart uploads started before the cutoff and never completed:
    // their parts are stored (and billed) though no object lists them.
    for (const upload of await this.#disk.store.listMultipartUploads(prefix)) {
      if (upload.initiated.getTime() >= cutoff) continue
      await this.#abortQuietly(upload.key, upload.uploadId)
      old.push(upload.key)
    }
    debug('pruneUploads %s:%s deleted %d', this.#disk.bucket, prefix, old.length)
    return old
  }

  /**
   * Why the stored object (at `objectKey`) is not the upload that was
   * started, or null.
   */
  async #problemWith(
    stored: StoredObject,
    claims: UploadClaims,
    objectKey: string,
    upload: ConfirmedUpload,
    options: ConfirmUploadOptions,
    checksumProblem: ChecksumProblem
  ): Promise<string | null> {
    if (stored.size !== claims.size) {
      return `the stored object is ${stored.size} bytes, the upload was started for ${claims.size}`
    }
    if (stored.contentType !== undefined && stored.contentType !== claims.contentType) {
      return `the stored object is of type "${stored.contentType}", the upload was started for "${claims.contentType}"`
    }
    if (seconds(stored.lastModified) > claims.expires + LATE_ALLOWANCE_SECONDS) {
      return 'it was stored after its upload target expired'
    }
    const checksum = await checksumProblem(stored, objectKey)
    if (checksum) return checksum
    if (options.checkContent) {
      const firstBytes = await this.#firstBytes(objectKey)
      if (!(await options.checkContent(firstBytes, upload))) return 'the content check refused it'
    }
    if (await unlessMissing(this.#disk.store.head(`${this.#disk.prefix}${claims.key}`))) {
      return `the key "${claims.key}" is already taken (confirmed before?)`
    }
    return null
  }

  /**
   * The SHA-256 of the stored bytes, for stores that do not report the one
   * they verified (s3rver, the local store).
   */
  async #sha256(objectKey: string): Promise<string> {
    const hash = createHash('sha256')
    const { body } = await this.#disk.store.get(objectKey)
    for await (const chunk of body) hash.update(chunk)
    return hash.digest('base64')
  }

  /**
   * The first bytes of the object, for `checkContent`.
   */
  async #firstBytes(objectKey: string): Promise<Uint8Array> {
    const chunks: Buffer[] = []
    let length = 0
    const { body: stream } = await this.#disk.store.get(objectKey)
    for await (const chunk of stream) {
      chunks.push(chunk)
      length += chunk.length
      if (length >= CONTENT_CHECK_BYTES) break
    }
    stream.destroy()
    return Buffer.concat(chunks).subarray(0, CONTENT_CHECK_BYTES)
  }

  /**
   * The realm given, else the current user's (the disk's
   * `currentUserRealm`), else none.
   */
  async #realm(given: string | null | undefined): Promise<string | null> {
    return realmOf(given === undefined ? await this.#currentUserRealm?.() : given)
  }

  #pendingKey(claims: UploadClaims): string {
    return `${this.pendingPrefix}${claims.id}`
  }
}

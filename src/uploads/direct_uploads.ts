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
import { s3ErrorOf, unlessMissing } from '../store/s3_errors.ts'
import type { ObjectStore, StoredObject } from '../store/types.ts'
import { UploadTokens, type UploadClaims } from './token.ts'
import type {
  ConfirmedUpload,
  ConfirmUploadOptions,
  DirectUploadOptions,
  PruneUploadsOptions,
  StartUploadOptions,
  UploadTarget,
} from './types.ts'

/**
 * S3 stores at most 5 GiB with one PUT; larger files need multipart.
 */
const MAX_PUT_SIZE = 5 * 1024 ** 3

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

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

/**
 * Where a disk's uploads wait for their confirm, relative to its prefix:
 * a folder (ending with "/"). The local edge restricts it like the
 * CloudFront set-up does.
 */
export function pendingPrefixOf(options: DirectUploadOptions | undefined): string {
  const prefix = options?.pendingPrefix ?? 'pending-uploads/'
  return prefix.endsWith('/') ? prefix : `${prefix}/`
}

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
  /**
   * The setting path of an option, for errors.
   */
  setting(name: string): string
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
  #pendingPrefix: string
  #expiresIn: number
  #confirmWithin: number
  #maxSize: number
  #currentUserRealm: DirectUploadOptions['currentUserRealm']

  constructor(disk: DirectUploadsDisk, options: DirectUploadOptions = {}) {
    this.#disk = disk
    this.#tokens = new UploadTokens(options.secrets ?? disk.secrets)
    this.#currentUserRealm = options.currentUserRealm
    this.#expiresIn = parseDuration(options.expiresIn ?? '10m', disk.setting('uploads.expiresIn'))
    // Whole seconds: the token carries Unix seconds.
    this.#confirmWithin = Math.ceil(
      parseDuration(options.confirmWithin ?? '1h', disk.setting('uploads.confirmWithin'))
    )
    const maxSize = options.maxSize ?? MAX_PUT_SIZE
    if (!Number.isSafeInteger(maxSize) || maxSize < 1 || maxSize > MAX_PUT_SIZE) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        disk.setting('uploads.maxSize'),
        `${maxSize} must be a whole number of bytes from 1 to ${MAX_PUT_SIZE} (5 GiB, S3's limit for one PUT)`,
      ])
    }
    this.#maxSize = maxSize
    const pendingPrefix = pendingPrefixOf(options)
    try {
      assertValidObjectKey(pendingPrefix)
    } catch (error) {
      throw new E_DJAMAZING_INVALID_CONFIG(
        [disk.setting('uploads.pendingPrefix'), (error as Error).message],
        { cause: error }
      )
    }
    this.#pendingPrefix = pendingPrefix
  }

  /**
   * The prefix of pending objects in the bucket (the disk's prefix
   * included): what the lifecycle rule filters on.
   */
  get pendingPrefix(): string {
    return `${this.#disk.prefix}${this.#pendingPrefix}`
  }

  /**
   * Whether a key of the disk lies under the pending prefix: no URL is
   * made for it, since unconfirmed uploads are never served.
   */
  isPending(key: string): boolean {
    return key.startsWith(this.#pendingPrefix)
  }

  async start(key: string, options: StartUploadOptions): Promise<UploadTarget> {
    assertValidObjectKey(key)
    assertValidObjectKey(`${this.#disk.prefix}${key}`)
    if (key.startsWith(this.#pendingPrefix)) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `the key "${key}" is inside the pending prefix "${this.#pendingPrefix}"`,
      ])
    }
    const user = userOf(options.userId)
    const realm = await this.#realm(options.realm)
    const { contentType, size, checksum } = options
    if (typeof contentType !== 'string' || !HEADER_VALUE.test(contentType)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['contentType must be a printable ASCII header value'])
    }
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#maxSize) {
      throw new E_DJAMAZING_INVALID_UPLOAD([
        `size must be a whole number of bytes from 0 to ${this.#maxSize}`,
      ])
    }
    if (typeof checksum !== 'string' || !BASE64_SHA256.test(checksum)) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['checksum must be the base64 SHA-256 of the content'])
    }
    const expiresIn =
      options.expiresIn === undefined
        ? this.#expiresIn
        : Math.ceil(parseDuration(options.expiresIn, 'expiresIn', E_DJAMAZING_INVALID_ARGUMENT))
    const now = options.now ?? new Date()
    const expires = seconds(now) + Math.ceil(expiresIn)

    const claims: UploadClaims = {
      disk: this.#disk.disk,
      key,
      id: randomUUID(),
      user,
      realm,
      contentType,
      size,
      sha256: checksum,
      expires,
      confirmBy: expires + this.#confirmWithin,
    }
    const pendingKey = this.#pendingKey(claims)
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
      headers: { 'content-type': contentType, 'x-amz-checksum-sha256': checksum },
      token: this.#tokens.sign(claims),
      key,
      expiresAt: new Date(expires * 1000),
    }
  }

  async confirm(token: string, options: ConfirmUploadOptions): Promise<ConfirmedUpload> {
    const claims = this.#tokens.verify(token)
    if (claims.disk !== this.#disk.disk) {
      throw new E_DJAMAZING_INVALID_UPLOAD(['the upload token was made for another disk'])
    }
    // Before anything touches the store: another user's confirm must not
    // even delete the pending object.
    if (
      userOf(options.userId) !== claims.user ||
      (await this.#realm(options.realm)) !== claims.realm
    ) {
      throw new E_DJAMAZING_UPLOAD_FORBIDDEN()
    }
    if (seconds(options.now ?? new Date()) > claims.confirmBy) {
      throw new E_DJAMAZING_UPLOAD_EXPIRED()
    }

    // One confirm at a time per final key in this process; across
    // processes, the conditional copies below decide where the store
    // enforces them.
    const finalKey = `${this.#disk.prefix}${claims.key}`
    const claim = `${this.#disk.bucket}\0${finalKey}`
    if (CONFIRMING.has(claim)) {
      throw new E_DJAMAZING_UPLOAD_CONFLICT(['it is being confirmed by another request'])
    }
    CONFIRMING.add(claim)
    try {
      return await this.#confirmOnce(claims, finalKey, options)
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
    options: ConfirmUploadOptions
  ): Promise<ConfirmedUpload> {
    const pendingKey = this.#pendingKey(claims)
    const upload: ConfirmedUpload = {
      key: claims.key,
      contentType: claims.contentType,
      size: claims.size,
      checksum: claims.sha256,
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
          options
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
   * Deletes pending uploads stored longer ago than `olderThan`; confirmed
   * files are never under the pending prefix, so never touched. Returns
   * the object keys deleted.
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
    options: ConfirmUploadOptions
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
    // A multipart object's checksum is a checksum of checksums ("...-N").
    const verified = stored.checksumSha256?.includes('-') ? undefined : stored.checksumSha256
    if ((verified ?? (await this.#sha256(objectKey))) !== claims.sha256) {
      return 'the stored bytes are not the ones the upload was started for (SHA-256 differs)'
    }
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

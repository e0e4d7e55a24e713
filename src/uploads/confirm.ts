import { createHash, randomUUID } from 'node:crypto'
import { buffer } from 'node:stream/consumers'
import debug from '../debug.ts'
import { E_DJAMAZING_UPLOAD_CONFLICT, E_DJAMAZING_UPLOAD_REJECTED } from '../errors.ts'
import { isObjectMissing, s3ErrorOf, unlessMissing } from '../store/s3_errors.ts'
import type { ObjectStore, StoredObject } from '../store/types.ts'
import { unixSeconds, type UploadClaims } from './token.ts'
import type { ConfirmedUpload, ConfirmUploadOptions } from './types.ts'

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

/**
 * An upload waiting under the pending prefix, and the key it becomes.
 */
export type PendingUpload = {
  store: ObjectStore
  claims: UploadClaims
  pendingKey: string
  finalKey: string
}

/**
 * Why the stored bytes (the object at `objectKey`) are not the ones
 * started, or null.
 */
export type ChecksumProblem = (stored: StoredObject, objectKey: string) => Promise<string | null>

/**
 * Final keys (with their bucket) a confirm of this process is working on.
 */
const CONFIRMING = new Set<string>()

/**
 * Confirms a pending upload (after `join`, for a multipart one), one
 * confirm at a time per final key in this process; across processes, the
 * conditional copies of the confirm decide where the store enforces them.
 */
export async function confirmPending(
  upload: PendingUpload,
  options: ConfirmUploadOptions,
  checksum: string,
  checksumProblem: ChecksumProblem,
  join?: () => Promise<void>
): Promise<ConfirmedUpload> {
  const claim = `${upload.store.bucket}\0${upload.finalKey}`
  if (CONFIRMING.has(claim)) {
    throw new E_DJAMAZING_UPLOAD_CONFLICT(['it is being confirmed by another request'])
  }
  CONFIRMING.add(claim)
  try {
    await join?.()
    return await confirmOnce(upload, options, checksum, checksumProblem)
  } finally {
    CONFIRMING.delete(claim)
  }
}

/**
 * Confirm proper. A single PUT's pending object stays writable by
 * whoever holds its PUT URL until the URL expires, and not every store
 * enforces the signed checksum (s3rver, some S3-compatible stores): so it
 * is first copied to a key nobody can write, and that copy is what is
 * checked and what becomes the file. A joined multipart upload's object
 * is written by its completion only (part URLs write parts, never the
 * object; no PUT URL is made for its key), so it is checked where it is,
 * saving a copy of the whole file. The checked bytes are the final bytes
 * on every store.
 */
async function confirmOnce(
  upload: PendingUpload,
  options: ConfirmUploadOptions,
  checksum: string,
  checksumProblem: ChecksumProblem
): Promise<ConfirmedUpload> {
  const { store, claims, pendingKey, finalKey } = upload
  const confirmed: ConfirmedUpload = {
    key: claims.key,
    contentType: claims.contentType,
    size: claims.size,
    checksum,
  }
  const pending = await unlessMissing(store.head(pendingKey))
  if (!pending) throw await goneError(upload)
  const joined = claims.uploadId !== ''
  const checkedKey = joined ? pendingKey : `${pendingKey}.checked-${randomUUID()}`
  try {
    if (!joined && !(await copyPending(upload, checkedKey))) {
      throw new E_DJAMAZING_UPLOAD_CONFLICT(['it is being confirmed by another request'])
    }
    const problem = await whileChecked(async () => {
      const checked = await store.head(checkedKey)
      // When it was stored is the pending object's: the copy is new.
      const stored = { ...checked, lastModified: pending.lastModified }
      return problemWith(stored, upload, checkedKey, confirmed, options, checksumProblem)
    })
    // A joined upload's pending object is the one checked: the `finally`
    // below deletes it, whatever the outcome.
    if (problem) {
      if (!joined) await store.delete(pendingKey)
      debug('confirmUpload %s:%s refused: %s', store.bucket, pendingKey, problem)
      throw new E_DJAMAZING_UPLOAD_REJECTED([problem])
    }
    if (!(await whileChecked(() => copyIfAbsent(store, checkedKey, finalKey)))) {
      throw new E_DJAMAZING_UPLOAD_CONFLICT(['it was already confirmed'])
    }
    if (!joined) await store.delete(pendingKey)
  } finally {
    await store.delete(checkedKey)
  }
  debug('confirmUpload %s:%s', store.bucket, finalKey)
  return confirmed
}

/**
 * Why the pending object is gone: confirmed (the file exists), or never
 * uploaded (or deleted by a refused confirm).
 */
async function goneError({ store, finalKey }: PendingUpload, cause?: unknown) {
  return (await unlessMissing(store.head(finalKey)))
    ? new E_DJAMAZING_UPLOAD_CONFLICT(['it was already confirmed'], { cause })
    : new E_DJAMAZING_UPLOAD_REJECTED(['nothing was uploaded'], { cause })
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
    if (!isObjectMissing(error)) throw error
    throw new E_DJAMAZING_UPLOAD_REJECTED(
      ['the upload was deleted while it was being confirmed (by a prune of pending uploads?)'],
      { cause: error }
    )
  }
}

/**
 * Copies an object only if nothing is at the destination: false when
 * something is (412), or a concurrent write to it won (409). S3 enforces
 * it with `If-None-Match: *` across app instances, the local store with
 * an exclusive create; a store that ignores the condition (s3rver, some
 * S3-compatible stores) copies anyway.
 */
async function copyIfAbsent(store: ObjectStore, sourceKey: string, destinationKey: string) {
  try {
    await store.copy(sourceKey, destinationKey, { ifNoneMatch: '*' })
    return true
  } catch (error) {
    const status = s3ErrorOf(error)?.$metadata?.httpStatusCode
    if (status === 412 || status === 409) return false
    throw error
  }
}

/**
 * Copies the pending object to the key confirm checks. A pending object
 * gone meanwhile is not this request's to confirm.
 */
async function copyPending(upload: PendingUpload, checkedKey: string): Promise<boolean> {
  try {
    return await copyIfAbsent(upload.store, upload.pendingKey, checkedKey)
  } catch (error) {
    if (!isObjectMissing(error)) throw error
    throw await goneError(upload, error)
  }
}

/**
 * Why the stored object (at `objectKey`) is not the upload that was
 * started, or null.
 */
async function problemWith(
  stored: StoredObject,
  { store, claims, finalKey }: PendingUpload,
  objectKey: string,
  confirmed: ConfirmedUpload,
  options: ConfirmUploadOptions,
  checksumProblem: ChecksumProblem
): Promise<string | null> {
  if (stored.size !== claims.size) {
    return `the stored object is ${stored.size} bytes, the upload was started for ${claims.size}`
  }
  if (stored.contentType !== undefined && stored.contentType !== claims.contentType) {
    return `the stored object is of type "${stored.contentType}", the upload was started for "${claims.contentType}"`
  }
  if (unixSeconds(stored.lastModified) > claims.expires + LATE_ALLOWANCE_SECONDS) {
    return 'it was stored after its upload target expired'
  }
  const checksum = await checksumProblem(stored, objectKey)
  if (checksum) return checksum
  if (options.checkContent) {
    const firstBytes = await firstBytesOf(store, objectKey, stored.size)
    if (!(await options.checkContent(firstBytes, confirmed))) return 'the content check refused it'
  }
  if (await unlessMissing(store.head(finalKey))) {
    return `the key "${claims.key}" is already taken (confirmed before?)`
  }
  return null
}

/**
 * The check of a single PUT's bytes: the SHA-256 the store verified, else
 * (s3rver, the local store) the stored bytes hashed.
 */
export function putChecksumProblem(store: ObjectStore, sha256: string): ChecksumProblem {
  return async (stored, objectKey) => {
    // A multipart object's checksum is a checksum of checksums ("...-N").
    const verified = stored.checksumSha256?.includes('-') ? undefined : stored.checksumSha256
    return (verified ?? (await sha256Of(store, objectKey))) === sha256
      ? null
      : 'the stored bytes are not the ones the upload was started for (SHA-256 differs)'
  }
}

async function sha256Of(store: ObjectStore, objectKey: string): Promise<string> {
  const hash = createHash('sha256')
  const { body } = await store.get(objectKey)
  for await (const chunk of body) hash.update(chunk)
  return hash.digest('base64')
}

/**
 * The first bytes of the object (of `size` bytes), for `checkContent`.
 */
async function firstBytesOf(store: ObjectStore, objectKey: string, size: number) {
  if (size === 0) return new Uint8Array()
  const range = { start: 0, end: Math.min(size, CONTENT_CHECK_BYTES) - 1 }
  const { body } = await store.get(objectKey, { range })
  return buffer(body)
}

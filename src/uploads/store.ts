import type { Readable } from 'node:stream'

/**
 * What confirm learns of a stored object without reading it.
 */
export type StoredObject = {
  size: number
  /**
   * As stored; undefined on stores that keep no types (the local store,
   * which checked the signed type when it took the PUT).
   */
  contentType?: string
  lastModified?: Date
  /**
   * The base64 SHA-256 the store verified and kept with the PUT, if it
   * reports one (S3 does); otherwise confirm hashes the bytes.
   */
  sha256?: string
}

/**
 * The few operations direct uploads need of a store: S3, or the local
 * store of development. Keys are full object keys (the disk's prefix
 * included).
 */
export interface UploadStore {
  /**
   * A URL to PUT one object, bound to its type, exact length and SHA-256.
   */
  presignPut(
    objectKey: string,
    put: { contentType: string; size: number; sha256: string; expiresIn: number; now: Date }
  ): Promise<string>
  /**
   * The object, or null when there is none.
   */
  head(objectKey: string): Promise<StoredObject | null>
  read(objectKey: string): Promise<Readable>
  /**
   * Copies an object, only if nothing is at the destination: false when
   * something is. S3 enforces it with `If-None-Match: *`, across app
   * instances; a store that ignores the condition (s3rver, some
   * S3-compatible stores) copies anyway.
   */
  copyIfAbsent(sourceKey: string, destinationKey: string): Promise<boolean>
  delete(objectKey: string): Promise<void>
  /**
   * Every object under a prefix, with when it was stored.
   */
  list(prefix: string): AsyncIterable<{ key: string; lastModified: Date }>
  deleteMany(objectKeys: string[]): Promise<void>
}

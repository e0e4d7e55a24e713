import type { Readable } from 'node:stream'

/*
 * One object store under every part of djamazing: the driver, direct
 * uploads, the local edge and the doctor reach storage only through it.
 * Two implementations keep the same contract: `S3Store` (an S3 bucket,
 * `@aws-sdk/client-s3` only) and `LocalStore` (files on this machine,
 * with what S3 keeps per object). Keys are full object keys (the disk's
 * prefix included) that `assertValidObjectKey` accepted.
 *
 * Failures are named errors: `E_DJAMAZING_OBJECT_NOT_FOUND` for a missing
 * object, `E_DJAMAZING_S3_REQUEST_FAILED` for anything else, with S3's
 * error (or one shaped like it: `name`, `$metadata.httpStatusCode`) as its
 * `cause`, so callers can tell `NoSuchBucket`, `PreconditionFailed`,
 * `BadDigest`, `EntityTooSmall`, ... apart on either store.
 */

/**
 * What a write stores with the bytes, and S3 gives back on every read.
 */
export type ObjectWrite = {
  contentType?: string
  cacheControl?: string
  contentDisposition?: string
  contentEncoding?: string
  contentLanguage?: string
  /**
   * The `Expires` header the object is served with.
   */
  expires?: Date
  /**
   * User metadata, served as `x-amz-meta-<name>` (names lower-case).
   */
  metadata?: Record<string, string>
  /**
   * The base64 SHA-256 of the bytes: the store refuses other bytes
   * (`BadDigest`) and keeps it.
   */
  checksumSha256?: string
  /**
   * The base64 MD5 of the bytes (`Content-MD5`), checked the same way.
   */
  contentMd5?: string
  /**
   * A canned ACL, for buckets with ACLs enabled (S3 only).
   */
  acl?: 'public-read' | 'private'
  /**
   * Further `PutObject` parameters (`StorageClass`, `Tagging`, ...) S3
   * takes as they are; the local store ignores them.
   */
  s3Params?: Record<string, unknown>
}

/**
 * An object as the store reports it, without its bytes.
 */
export type StoredObject = {
  key: string
  size: number
  /**
   * Quoted, as S3 sends it: `"<md5>"`, or `"<md5 of part md5s>-<parts>"`.
   */
  etag: string
  lastModified: Date
  contentType?: string
  cacheControl?: string
  contentDisposition?: string
  contentEncoding?: string
  contentLanguage?: string
  /**
   * The `Expires` header as stored.
   */
  expires?: string
  metadata: Record<string, string>
  /**
   * The base64 SHA-256 the store verified, when it reports one (S3 does
   * for objects written with one; a multipart one ends with `-<parts>`).
   */
  checksumSha256?: string
}

export type ListOptions = { prefix?: string; delimiter?: string; token?: string; maxKeys?: number }

export type ListPage = {
  /**
   * What S3's ListObjectsV2 gives per object.
   */
  objects: Pick<StoredObject, 'key' | 'size' | 'etag' | 'lastModified'>[]
  /**
   * Common prefixes (with a delimiter), each ending with the delimiter.
   */
  prefixes: string[]
  /**
   * Pass it back as `token` for the next page; undefined on the last one.
   */
  token?: string
}

/**
 * An object's bytes, or one range of them, with what the store reports.
 */
export type ObjectBody = StoredObject & { body: Readable }

export type GetOptions = {
  /**
   * Inclusive byte offsets, already resolved against the size.
   */
  range?: { start: number; end: number }
  /**
   * Only this version (its ETag): else `PreconditionFailed` (412).
   */
  ifMatch?: string
  signal?: AbortSignal
}

export type CopyOptions = {
  write?: ObjectWrite
  acl?: ObjectWrite['acl']
  /**
   * Only from this version of the source (its ETag): else 412.
   */
  ifMatch?: string
  /**
   * `'*'`: only if nothing is at the destination, else 412 (409 when a
   * concurrent write won). S3 enforces it across app instances, the local
   * store with an exclusive create; s3rver ignores it.
   */
  ifNoneMatch?: '*'
}

export type PresignedPut = {
  /**
   * Seconds the URL is valid.
   */
  expiresIn: number
  contentType?: string
  contentLength?: number
  checksumSha256?: string
  /**
   * The signing time (tests); default now.
   */
  now?: Date
}

export type PresignedPart = Omit<PresignedPut, 'contentType'>

export type PresignedGet = { expiresIn: number; contentType?: string; contentDisposition?: string }

/**
 * A write of a stream: `size` (when known) is checked against the bytes.
 */
export type StreamWrite = ObjectWrite & { size?: number; signal?: AbortSignal }

export type PartOptions = { size?: number; checksumSha256?: string; signal?: AbortSignal }

export type UploadedPart = {
  partNumber: number
  etag: string
  checksumSha256?: string
  /**
   * Reported by `listParts`.
   */
  size?: number
}

export type MultipartUpload = { key: string; uploadId: string; initiated: Date }

export interface ObjectStore {
  readonly kind: 's3' | 'local'
  readonly bucket: string

  /**
   * Fails when the bucket does not exist or cannot be reached.
   */
  headBucket(): Promise<void>
  /**
   * The object; `E_DJAMAZING_OBJECT_NOT_FOUND` when there is none
   * (`unlessMissing(store.head(key))` gives undefined instead).
   */
  head(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject>
  get(key: string, options?: GetOptions): Promise<ObjectBody>
  /**
   * The whole object in one buffer of its size, or `undefined` when it is
   * larger than `maxBytes` (then no more of it is read); not found as
   * `get`.
   */
  getBytes(key: string, maxBytes: number): Promise<Buffer | undefined>
  put(key: string, body: string | Uint8Array, write?: ObjectWrite): Promise<{ etag: string }>
  /**
   * Any length with bounded memory: one PUT below one part, multipart
   * above. Nothing is left behind when the stream or a request fails.
   */
  putStream(key: string, body: Readable, write?: StreamWrite): Promise<{ etag: string }>
  /**
   * Copies within the bucket, keeping the source's metadata unless
   * `write` is given (then it replaces it). `acl` sets the copy's (S3
   * only); `ifMatch` and `ifNoneMatch` make it conditional.
   */
  copy(source: string, destination: string, options?: CopyOptions): Promise<void>
  /**
   * Deleting a missing object succeeds.
   */
  delete(key: string): Promise<void>
  deleteMany(keys: string[]): Promise<void>
  list(options: ListOptions): Promise<ListPage>
  /**
   * A URL to PUT one object with, bound to what is given.
   */
  presignPut(key: string, put: PresignedPut): Promise<string>
  /**
   * A URL to GET the object with (S3 presigned; the local store has none).
   */
  presignGet(key: string, options: PresignedGet): Promise<string>
  /**
   * Whether everyone may read the object (its ACL), and setting it.
   */
  isPublic(key: string): Promise<boolean>
  setAcl(key: string, acl: 'public-read' | 'private'): Promise<void>

  createMultipart(key: string, write?: ObjectWrite): Promise<string>
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array | Readable,
    options?: PartOptions
  ): Promise<UploadedPart>
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    put: PresignedPart
  ): Promise<string>
  listParts(key: string, uploadId: string): Promise<UploadedPart[]>
  completeMultipart(key: string, uploadId: string, parts: UploadedPart[]): Promise<{ etag: string }>
  abortMultipart(key: string, uploadId: string): Promise<void>
  /**
   * Multipart uploads started and neither completed nor aborted.
   */
  listMultipartUploads(prefix?: string): Promise<MultipartUpload[]>
}

import type { Readable } from 'node:stream'
import { buffer, text } from 'node:stream/consumers'
import type {
  DriverContract,
  ObjectMetaData,
  ObjectVisibility,
  SignedURLOptions,
  UploadSignedURLOptions,
  WriteOptions,
} from 'flydrive/types'
import { copyObject } from './disk/copy.ts'
import { deleteFolder, folderKeyOf, listFolder, type ListAllOptions } from './disk/folders.ts'
import { isResolvedDisk, resolveDisk, type ResolvedDisk } from './disk/resolve_disk.ts'
import { setVisibilityOf, visibilityOf } from './disk/visibility.ts'
import type { ProtectedLinks } from './links/protected_links.ts'
import type { LinkOptions } from './links/types.ts'
import { objectWrite } from './store/object_write.ts'
import { unlessMissing } from './store/s3_errors.ts'
import { storeCall } from './store/store_call.ts'
import type { ObjectStore, StoredObject } from './store/types.ts'
import type { DjamazingOptions, FolderLinkOptions } from './types.ts'
import { directUploadsOf } from './uploads/direct_uploads.ts'
import { DiskUrls } from './urls/disk_urls.ts'
import type { DiskVariants } from './variants/disk_variants.ts'
import { DriverVariants } from './variants/driver_variants.ts'
import type {
  CompleteUploadOptions,
  ConfirmedUpload,
  ConfirmUploadOptions,
  PartTarget,
  PruneUploadsOptions,
  SignPartOptions,
  StartUploadOptions,
  StoredPart,
  UploadTarget,
  UploadUserOptions,
} from './uploads/types.ts'

/**
 * What `getMetaData` reports: flydrive's fields, and what else the store
 * keeps (the headers the object is served with, user metadata, checksum).
 */
export type DjamazingMetaData = ObjectMetaData &
  Omit<StoredObject, 'key' | 'size' | 'etag' | 'lastModified'>

/**
 * flydrive's `DriverContract` over the disk's store (S3 or local), files
 * served through a CDN; docs/driver.md says where it differs from
 * flydrive's S3 driver. Every key is checked before any request (also
 * without flydrive's `Disk`) and stored under the disk's `prefix`.
 */
export class DjamazingDriver implements DriverContract {
  // Private: the disk holds the S3 client and the signers, which must not
  // show up when the driver is logged or inspected.
  #disk: ResolvedDisk
  #urls: DiskUrls
  #variants: DriverVariants

  /**
   * Takes the disk's options (checked here: a bad setting fails now), or
   * a disk `resolveDisk` already made.
   */
  constructor(options: DjamazingOptions | ResolvedDisk) {
    const disk = isResolvedDisk(options) ? options : resolveDisk(options)
    this.#disk = disk
    this.#urls = new DiskUrls(disk)
    this.#variants = new DriverVariants(disk, this, (key, maxBytes) => {
      const objectKey = disk.objectKey(key)
      return this.#run('getBytes', objectKey, () => this.store.getBytes(objectKey, maxBytes))
    })
  }

  /** The disk as resolved from its options: what the edge, redirect route and doctor read. */
  get resolvedDisk(): ResolvedDisk {
    return this.#disk
  }

  /**
   * The redirect route's checks of the disk's links and signing of their
   * CloudFront URLs: set on protected disks with `links` and `cloudfront`.
   */
  get protectedLinks(): ProtectedLinks | undefined {
    return this.#disk.protectedLinks
  }

  /** The disk's image variants (`variants`), made by the redirect route when a link names one. */
  get variants(): DiskVariants | undefined {
    return this.#variants.variants
  }

  /** The disk's object store: every part of djamazing reads and writes through it. */
  get store(): ObjectStore {
    return this.#disk.objectStore
  }

  /** Runs one operation on the store; a failure is named after it. */
  #run<T>(operation: string, objectKey: string, work: () => Promise<T>): Promise<T> {
    return storeCall(this.#disk, operation, objectKey, work)
  }

  async #read<T>(operation: string, key: string, read: (body: Readable) => Promise<T>) {
    const objectKey = this.#disk.objectKey(key)
    return this.#run(operation, objectKey, async () => {
      const object = await this.store.get(objectKey)
      return read(object.body)
    })
  }

  /** After a write to `key`: its variants remade or dropped, its CloudFront copies invalidated. */
  async #written(key: string, contents?: string | Uint8Array): Promise<void> {
    await this.#variants.written(key, contents)
    await this.#invalidate(key)
  }

  /** Files (and folders, ending with "/") whose CloudFront copies are now stale. */
  #invalidate(...keys: string[]): Promise<void> | undefined {
    return this.#disk.invalidation?.changed(keys, this.#variants.variants)
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.#disk.objectKey(key)
    const object = await this.#run('exists', objectKey, () =>
      unlessMissing(this.store.head(objectKey))
    )
    return object !== undefined
  }

  get(key: string): Promise<string> {
    return this.#read('get', key, text)
  }

  getStream(key: string): Promise<Readable> {
    return this.#read('getStream', key, async (body) => body)
  }

  getBytes(key: string): Promise<Uint8Array> {
    return this.#read('getBytes', key, async (body) => new Uint8Array(await buffer(body)))
  }

  /** flydrive's metadata, and what else the store keeps (see {@link DjamazingMetaData}). */
  async getMetaData(key: string): Promise<DjamazingMetaData> {
    const objectKey = this.#disk.objectKey(key)
    const object = await this.#run('getMetaData', objectKey, () => this.store.head(objectKey))
    const { key: objectKeyOf, size, ...rest } = object
    return { ...rest, contentLength: size }
  }

  /** The disk's mode when ACLs are off (no request is made); the object's ACL otherwise. */
  getVisibility(key: string): Promise<ObjectVisibility> {
    return visibilityOf(this.#disk, key)
  }

  /**
   * Sets the object's ACL when the disk uses ACLs. Without ACLs, asking for
   * the disk's own visibility is a no-op and asking for the other one
   * raises `E_DJAMAZING_VISIBILITY_FIXED`, where flydrive's S3 driver
   * ignores it silently.
   */
  setVisibility(key: string, visibility: ObjectVisibility): Promise<void> {
    return setVisibilityOf(this.#disk, key, visibility)
  }

  async put(key: string, contents: string | Uint8Array, options?: WriteOptions): Promise<void> {
    const objectKey = this.#disk.objectKey(key)
    const write = objectWrite(objectKey, options, this.#disk)
    await this.#run('put', objectKey, () => this.store.put(objectKey, contents, write))
    await this.#written(key, contents)
  }

  /**
   * Any length with bounded memory: a multipart upload holding at most
   * `queueSize + 1` parts in memory (those in flight and the next). On a
   * failure it is aborted, and the object previously stored under the key
   * is left as it was.
   */
  async putStream(key: string, contents: Readable, options?: WriteOptions): Promise<void> {
    const objectKey = this.#disk.objectKey(key)
    const write = { ...objectWrite(objectKey, options, this.#disk), size: options?.contentLength }
    await this.#run('putStream', objectKey, () => this.store.putStream(objectKey, contents, write))
    await this.#written(key)
  }

  /** Keeps the source's metadata unless the options set some. */
  async copy(source: string, destination: string, options?: WriteOptions): Promise<void> {
    await copyObject(this.#disk, source, destination, options)
    await this.#written(destination)
  }

  /** Copies, then deletes the source. Its variants move with it. */
  async move(source: string, destination: string, options?: WriteOptions): Promise<void> {
    await copyObject(this.#disk, source, destination, options)
    await this.#delete(source)
    await this.#variants.moved(source, destination)
    await this.#invalidate(source, destination)
  }

  /** Deleting a missing object succeeds. */
  async delete(key: string): Promise<void> {
    await this.#delete(key)
    await this.#variants.deleted(key)
    await this.#invalidate(key)
  }

  async #delete(key: string): Promise<void> {
    const objectKey = this.#disk.objectKey(key)
    await this.#run('delete', objectKey, () => this.store.delete(objectKey))
  }

  /** A folder is a whole path segment; "" or "/" is the whole disk, never more than its prefix. */
  async deleteAll(prefix: string): Promise<void> {
    const folderKey = folderKeyOf(this.#disk, prefix)
    await this.#run('deleteAll', folderKey, () => deleteFolder(this.store, folderKey))
    await this.#variants.folderDeleted(prefix)
    await this.#invalidate(prefix === '/' ? '' : prefix.replace(/(?<=.)\/?$/, '/'))
  }

  /**
   * One page of a folder ("" or "/": the whole disk), keys relative to the
   * disk's prefix; a folder is a whole path segment, as for `deleteAll`.
   */
  listAll(prefix: string, options?: ListAllOptions): ReturnType<DriverContract['listAll']> {
    return listFolder(this.#disk, prefix, options, this)
  }

  /**
   * Public disks: the CDN URL of the object (`cdnUrl`, then its full key in
   * the bucket, each segment percent-encoded). Protected disks: a protected
   * link to the redirect route, for the user `links.currentUserId()` names.
   */
  getUrl(key: string): Promise<string> {
    return this.#urls.getUrl(key)
  }

  /**
   * Protected disks: what `getUrl` returns, with {@link LinkOptions} signed
   * into the link. flydrive's `Disk` has no such method: call it on the
   * driver, `(drive.use('uploads').driver as DjamazingDriver).linkFor(key)`.
   */
  linkFor(key: string, options: LinkOptions = {}): Promise<string> {
    return this.#urls.linkFor(key, options)
  }

  /**
   * The URL of a variant of `key`, as `getUrl` (docs/variants.md). Protected
   * disks: a link whose MAC covers the variant's key; following it makes the
   * variant if need be. Public disks: its CDN URL, once stored (made now).
   */
  getVariantUrl(key: string, variant: string): Promise<string> {
    return this.#variants.url(key, variant)
  }

  /**
   * A `srcset` of variants of `key` (`"<url> 320w, <url> 640w"`, URLs as
   * {@link getVariantUrl}). Every variant named must declare a width.
   */
  getSrcset(key: string, variants: string[]): Promise<string> {
    return this.#variants.srcset(key, variants)
  }

  /**
   * Protected disks with `folderCookies`: a link that, followed by its user,
   * sets CloudFront signed cookies for `folder` and sends the browser to
   * `entry` in it (`linkForFolder('hls/12/', { entry: 'index.m3u8' })`).
   */
  linkForFolder(folder: string, options: FolderLinkOptions): Promise<string> {
    return this.#urls.linkForFolder(folder, options)
  }

  /**
   * A CloudFront signed URL when the disk has a `cloudfront` key, else an S3
   * presigned GET; `contentType` and `contentDisposition` are signed in.
   */
  getSignedUrl(key: string, options?: SignedURLOptions): Promise<string> {
    return this.#urls.getSignedUrl(key, options)
  }

  /** `contentType` and `contentSize` are signed: S3 refuses another type or length. */
  getSignedUploadUrl(key: string, options?: UploadSignedURLOptions): Promise<string> {
    return this.#urls.getSignedUploadUrl(key, options)
  }

  /**
   * Starts a direct upload from the browser to `key` (chosen by the app,
   * never the client's file name) for `userId` (docs/uploads.md): a PUT
   * bound to the type, size and SHA-256 and a token for {@link confirmUpload},
   * or (`uploads.multipartThreshold` and up, or no checksum) a multipart
   * upload. Bad options: `E_DJAMAZING_INVALID_UPLOAD`.
   */
  async startUpload(key: string, options: StartUploadOptions): Promise<UploadTarget> {
    return directUploadsOf(this.#disk).start(key, options)
  }

  /**
   * Checks the object PUT for a token of {@link startUpload}: its user (else
   * `E_DJAMAZING_UPLOAD_FORBIDDEN`, object left alone), the signed size, type
   * and SHA-256, and `checkContent` (else `E_DJAMAZING_UPLOAD_REJECTED`,
   * object deleted). Then moves it to its key and makes eager variants.
   */
  async confirmUpload(token: string, options: ConfirmUploadOptions): Promise<ConfirmedUpload> {
    const confirmed = await directUploadsOf(this.#disk).confirm(token, options)
    await this.#written(confirmed.key)
    return confirmed
  }

  /**
   * A URL for one part of a multipart upload, bound to that part's exact
   * length and the SHA-256 given; `E_DJAMAZING_UPLOAD_EXPIRED` once expired.
   */
  async signUploadPart(token: string, options: SignPartOptions): Promise<PartTarget> {
    return directUploadsOf(this.#disk).signPart(token, options)
  }

  /** The parts of a multipart upload the store holds, to resume it. */
  async listUploadParts(token: string, options: UploadUserOptions): Promise<StoredPart[]> {
    return directUploadsOf(this.#disk).listParts(token, options)
  }

  /**
   * Joins a multipart upload's parts (each of its planned length and with
   * the SHA-256 in `checksums`), then confirms it as {@link confirmUpload}.
   */
  async completeUpload(token: string, options: CompleteUploadOptions): Promise<ConfirmedUpload> {
    const confirmed = await directUploadsOf(this.#disk).complete(token, options)
    await this.#written(confirmed.key)
    return confirmed
  }

  /** Cancels a multipart upload: its parts are deleted. */
  async abortUpload(token: string, options: UploadUserOptions): Promise<void> {
    return directUploadsOf(this.#disk).abort(token, options)
  }

  /**
   * For stores without lifecycle rules: deletes pending uploads, and aborts
   * multipart ones, older than `olderThan` (default 1d). Returns their keys.
   */
  async prunePendingUploads(options?: PruneUploadsOptions): Promise<string[]> {
    return directUploadsOf(this.#disk).prune(options)
  }

  /**
   * The same disk on another bucket, sharing its S3 client and CloudFront
   * key. `getUrl` (public disks) and CloudFront `getSignedUrl` need that
   * bucket's `cdnUrl`, else `E_DJAMAZING_BUCKET_URL_UNAVAILABLE`; it makes
   * no protected links, since the redirect route serves the disk's own.
   */
  bucket(bucket: string, options: { cdnUrl?: string } = {}): DjamazingDriver {
    return new DjamazingDriver(this.#disk.onBucket(bucket, options.cdnUrl))
  }
}

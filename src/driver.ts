import type { Readable } from 'node:stream'
import { buffer, text } from 'node:stream/consumers'
import type { DriveDirectory, DriveFile } from 'flydrive'
import type {
  DriverContract,
  ObjectMetaData,
  ObjectVisibility,
  SignedURLOptions,
  UploadSignedURLOptions,
  WriteOptions,
} from 'flydrive/types'
import debug from './debug.ts'
import { copyObject } from './disk/copy.ts'
import { deleteFolder, driveEntriesOf, folderKeyOf } from './disk/folders.ts'
import { isResolvedDisk, resolveDisk, type ResolvedDisk } from './disk/resolve_disk.ts'
import { setVisibilityOf, visibilityOf } from './disk/visibility.ts'
import type { ProtectedLinks } from './links/protected_links.ts'
import type { LinkOptions } from './links/types.ts'
import { objectWrite } from './store/object_write.ts'
import { unlessMissing } from './store/s3_errors.ts'
import { storeCall } from './store/store_call.ts'
import type { ObjectStore, StoredObject } from './store/types.ts'
import type { DjamazingOptions, FolderLinkOptions } from './types.ts'
import { directUploadsOf, type DirectUploads } from './uploads/direct_uploads.ts'
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
 * keeps with the object (the headers it is served with, user metadata,
 * the checksum).
 */
export type DjamazingMetaData = ObjectMetaData &
  Omit<StoredObject, 'key' | 'size' | 'etag' | 'lastModified'>

/**
 * flydrive's `DriverContract` over S3, with files served through a CDN.
 *
 * Every key is checked with `assertValidObjectKey` before any request,
 * also when the driver is used without flydrive's `Disk`, and is stored
 * under the disk's `prefix`.
 */
export class DjamazingDriver implements DriverContract {
  // Private: the disk holds the S3 client and the signers, which must not
  // show up when the driver is logged or inspected.
  #disk: ResolvedDisk
  #store: ObjectStore
  #urls: DiskUrls
  #variants: DriverVariants

  /**
   * Takes the disk's options (checked here: a bad setting fails now), or
   * a disk `resolveDisk` already made.
   */
  constructor(options: DjamazingOptions | ResolvedDisk) {
    const disk = isResolvedDisk(options) ? options : resolveDisk(options)
    this.#disk = disk
    this.#store = disk.objectStore
    this.#urls = new DiskUrls(disk)
    this.#variants = new DriverVariants(disk, this, (key, maxBytes) => {
      const objectKey = this.#objectKey(key)
      return this.#run('getBytes', objectKey, () => this.#store.getBytes(objectKey, maxBytes))
    })
    debug(
      'disk %s: bucket %s, prefix "%s", mode %s, cdn %s, ACLs %s, %s',
      disk.name,
      disk.bucket,
      disk.prefix,
      disk.mode,
      disk.cdn.origin,
      disk.supportsACL ? 'on' : 'off',
      disk.localStore ? `local store in ${disk.localStore.root}` : 'S3'
    )
  }

  /**
   * The disk as it was resolved from its options: what the local edge
   * (`createEdgeForDisks`), the redirect route and the doctor read.
   */
  get resolvedDisk(): ResolvedDisk {
    return this.#disk
  }

  /**
   * What the redirect route needs of a protected disk: checks its links
   * and signs the CloudFront URL of a link it verified. Set on protected
   * disks with `links` and `cloudfront`; `undefined` on any other.
   */
  get protectedLinks(): ProtectedLinks | undefined {
    return this.#disk.protectedLinks
  }

  /**
   * The disk's image variants, when it declares `variants`: the redirect
   * route makes a variant a link names before redirecting to it.
   */
  get variants(): DiskVariants | undefined {
    return this.#variants.variants
  }

  /**
   * The key in the bucket: validated, with the disk's prefix.
   */
  #objectKey(key: string): string {
    return this.#disk.objectKey(key)
  }

  /**
   * Runs one operation on the store; a failure is named after it.
   */
  #run<T>(operation: string, objectKey: string, work: () => Promise<T>): Promise<T> {
    return storeCall(this.#disk, operation, objectKey, work)
  }

  async #read<T>(operation: string, key: string, read: (body: Readable) => Promise<T>) {
    const objectKey = this.#objectKey(key)
    return this.#run(operation, objectKey, async () => {
      const object = await this.#store.get(objectKey)
      return read(object.body)
    })
  }

  #write(key: string, options: WriteOptions | undefined) {
    return objectWrite(key, options, this.#disk)
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.#objectKey(key)
    const object = await this.#run('exists', objectKey, () =>
      unlessMissing(this.#store.head(objectKey))
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

  /**
   * flydrive's metadata, and what else the store keeps: `cacheControl`,
   * `contentDisposition`, `contentEncoding`, `contentLanguage`, `expires`,
   * `metadata` (user metadata) and `checksumSha256` (when the store
   * reports one).
   */
  async getMetaData(key: string): Promise<DjamazingMetaData> {
    const objectKey = this.#objectKey(key)
    const object = await this.#run('getMetaData', objectKey, () => this.#store.head(objectKey))
    const { key: objectKeyOf, size, ...rest } = object
    void objectKeyOf
    return { ...rest, contentLength: size }
  }

  /**
   * The disk's mode when ACLs are off (no request is made); the object's
   * ACL otherwise.
   */
  getVisibility(key: string): Promise<ObjectVisibility> {
    return visibilityOf(this.#disk, key)
  }

  /**
   * Sets the object's ACL when the disk uses ACLs. Without ACLs, asking for
   * the disk's own visibility is a no-op and asking for the other one
   * fails, where flydrive's S3 driver ignores it silently.
   */
  setVisibility(key: string, visibility: ObjectVisibility): Promise<void> {
    return setVisibilityOf(this.#disk, key, visibility)
  }

  async put(key: string, contents: string | Uint8Array, options?: WriteOptions): Promise<void> {
    const objectKey = this.#objectKey(key)
    await this.#run('put', objectKey, () =>
      this.#store.put(objectKey, contents, this.#write(objectKey, options))
    )
    await this.#variants.written(key, contents)
    await this.#invalidate(key)
  }

  /**
   * Uploads a stream of any length with bounded memory: a multipart upload
   * (one plain PUT below one part) holding at most `queueSize` parts in
   * memory. If the stream or a part fails, the multipart upload is aborted
   * and the object previously stored under the key is left as it was.
   */
  async putStream(key: string, contents: Readable, options?: WriteOptions): Promise<void> {
    const objectKey = this.#objectKey(key)
    const write = { ...this.#write(objectKey, options), size: options?.contentLength }
    await this.#run('putStream', objectKey, () => this.#store.putStream(objectKey, contents, write))
    await this.#variants.written(key)
    await this.#invalidate(key)
  }

  /**
   * Copies within the bucket, keeping the source's metadata unless the
   * options set some.
   */
  async copy(source: string, destination: string, options?: WriteOptions): Promise<void> {
    await copyObject(this.#disk, source, destination, options)
    await this.#variants.written(destination)
    await this.#invalidate(destination)
  }

  /**
   * Copies, then deletes the source. Its variants move with it.
   */
  async move(source: string, destination: string, options?: WriteOptions): Promise<void> {
    await copyObject(this.#disk, source, destination, options)
    await this.#delete(source)
    await this.#variants.moved(source, destination)
    await this.#invalidate(source, destination)
  }

  /**
   * Files (and folders, ending with "/") whose CloudFront copies are now
   * stale, when the disk invalidates (src/invalidation/).
   */
  #invalidate(...keys: string[]): Promise<void> | undefined {
    return this.#disk.invalidation?.changed(keys, this.#variants.variants)
  }

  /**
   * Deletes one object; deleting a missing object succeeds.
   */
  async delete(key: string): Promise<void> {
    await this.#delete(key)
    await this.#variants.deleted(key)
    await this.#invalidate(key)
  }

  async #delete(key: string): Promise<void> {
    const objectKey = this.#objectKey(key)
    await this.#run('delete', objectKey, () => this.#store.delete(objectKey))
  }

  /**
   * Deletes every object under a folder ("" or "/": the whole disk, never
   * more than the disk's prefix), 1,000 keys per request.
   */
  async deleteAll(prefix: string): Promise<void> {
    await this.#deleteAll(prefix)
    await this.#variants.folderDeleted(prefix)
    await this.#invalidate(prefix === '/' ? '' : prefix.replace(/(?<=.)\/?$/, '/'))
  }

  async #deleteAll(prefix: string): Promise<void> {
    const folderKey = folderKeyOf(this.#disk, prefix)
    await this.#run('deleteAll', folderKey, () => deleteFolder(this.#store, folderKey))
  }

  /**
   * Lists a folder ("" or "/": the whole disk), one page of at most
   * `maxResults` (default 1,000) entries; pass the returned
   * `paginationToken` to get the next page. Not recursive: files and
   * folders directly inside; recursive: every file below. Keys come back
   * relative to the disk's prefix.
   */
  async listAll(
    prefix: string,
    options?: { recursive?: boolean; paginationToken?: string; maxResults?: number }
  ): Promise<{ paginationToken?: string; objects: Iterable<DriveFile | DriveDirectory> }> {
    const folderKey = folderKeyOf(this.#disk, prefix)
    const recursive = options?.recursive ?? false
    const page = await this.#run('listAll', folderKey, () =>
      this.#store.list({
        prefix: folderKey,
        delimiter: recursive ? undefined : '/',
        token: options?.paginationToken,
        maxKeys: options?.maxResults,
      })
    )
    return { paginationToken: page.token, objects: driveEntriesOf(page, this.#disk.prefix, this) }
  }

  /**
   * Public disks: the CDN URL of the object, whose path after `cdnUrl` is
   * the object's full key in the bucket (the disk's prefix included), each
   * segment percent-encoded. Protected disks: a protected link to the
   * redirect route, for the user `links.currentUserId()` names.
   */
  getUrl(key: string): Promise<string> {
    return this.#urls.getUrl(key)
  }

  /**
   * Protected disks: what `getUrl` returns, a link for the current user,
   * with options: a `contentDisposition` (e.g. the download name) or
   * `contentType` CloudFront serves the file with, signed into the link and
   * then into the CloudFront URL, and the link's `expiresIn`. flydrive's
   * `Disk` has no such method: call it on the driver,
   * `(drive.use('uploads').driver as DjamazingDriver).linkFor(key, options)`.
   */
  linkFor(key: string, options: LinkOptions = {}): Promise<string> {
    return this.#urls.linkFor(key, options)
  }

  /**
   * The URL of the variant `variant` of `key`, through the same API as the
   * original's (see docs/variants.md). Protected disks: a link bound to the
   * current user, whose MAC covers the variant's key (and so its name);
   * following it makes the variant if it is not stored yet, then redirects
   * to its short-lived CloudFront URL. Public disks: the variant's plain
   * CDN URL, once the variant is stored (made now if need be).
   */
  getVariantUrl(key: string, variant: string): Promise<string> {
    return this.#variants.url(key, variant)
  }

  /**
   * A `srcset` of the given variants of `key`: each one's URL (as
   * {@link getVariantUrl}) and its declared width, e.g.
   * `"<url> 320w, <url> 640w"`. Every variant named must declare a width.
   */
  getSrcset(key: string, variants: string[]): Promise<string> {
    return this.#variants.srcset(key, variants)
  }

  /**
   * Protected disks with `folderCookies`: a link that, followed by its
   * user, sets CloudFront signed cookies for the whole `folder` and sends
   * the browser to `entry` in it, e.g.
   * `linkForFolder('courses/12/hls/', { entry: 'index.m3u8' })`. Every
   * file of the folder then loads with the cookies alone.
   */
  linkForFolder(folder: string, options: FolderLinkOptions): Promise<string> {
    return this.#urls.linkForFolder(folder, options)
  }

  /**
   * A temporary download URL (default 30 minutes): a CloudFront signed URL
   * when the disk has a `cloudfront` key, an S3 presigned GET otherwise.
   * `contentType` and `contentDisposition` override the response headers.
   */
  getSignedUrl(key: string, options?: SignedURLOptions): Promise<string> {
    return this.#urls.getSignedUrl(key, options)
  }

  /**
   * A temporary URL (default 30 minutes) to PUT the object directly to S3.
   * `contentType` and `contentSize` are signed: S3 refuses an upload with
   * another `Content-Type` or `Content-Length`.
   */
  getSignedUploadUrl(key: string, options?: UploadSignedURLOptions): Promise<string> {
    return this.#urls.getSignedUploadUrl(key, options)
  }

  /**
   * Starts a direct upload from the browser to `key`, a key the app chose
   * (never the client's file name), for `userId`, writing under the pending
   * prefix. Below `uploads.multipartThreshold`, with a checksum: a PUT
   * target bound to the content type, the exact size and the SHA-256 of the
   * content, valid a short time, and a token for {@link confirmUpload}.
   * Otherwise a multipart upload (`method: 'multipart'`) and a token for
   * {@link signUploadPart}, {@link listUploadParts}, {@link completeUpload}
   * and {@link abortUpload}. See docs/uploads.md.
   */
  async startUpload(key: string, options: StartUploadOptions): Promise<UploadTarget> {
    return this.#uploads.start(key, options)
  }

  /**
   * Checks the object a browser PUT for a token of {@link startUpload}:
   * the user is the one it was started for (else 403, object left alone),
   * and the stored object has the signed size, type and SHA-256 and passes
   * `checkContent` (else 422, object deleted). Then moves it to its key
   * (and, on a disk with eager `variants`, makes its variants).
   */
  async confirmUpload(token: string, options: ConfirmUploadOptions): Promise<ConfirmedUpload> {
    const confirmed = await this.#uploads.confirm(token, options)
    await this.#variants.written(confirmed.key)
    await this.#invalidate(confirmed.key)
    return confirmed
  }

  /**
   * A URL for one part of a multipart upload, bound to that part's exact
   * length and to the SHA-256 given (400 for a part beyond the declared
   * size, 403 for another user, 410 once expired).
   */
  async signUploadPart(token: string, options: SignPartOptions): Promise<PartTarget> {
    return this.#uploads.signPart(token, options)
  }

  /**
   * The parts of a multipart upload the store holds, to resume it.
   */
  async listUploadParts(token: string, options: UploadUserOptions): Promise<StoredPart[]> {
    return this.#uploads.listParts(token, options)
  }

  /**
   * Joins a multipart upload's parts and confirms it as
   * {@link confirmUpload} does: every part of its planned length and the
   * SHA-256 in `checksums`, then `checkContent`, then moved to its key;
   * refused, everything it stored is deleted (422).
   */
  async completeUpload(token: string, options: CompleteUploadOptions): Promise<ConfirmedUpload> {
    const confirmed = await this.#uploads.complete(token, options)
    await this.#variants.written(confirmed.key)
    await this.#invalidate(confirmed.key)
    return confirmed
  }

  /**
   * Cancels a multipart upload: its parts are deleted.
   */
  async abortUpload(token: string, options: UploadUserOptions): Promise<void> {
    return this.#uploads.abort(token, options)
  }

  /**
   * Deletes pending uploads older than `olderThan` (default one day), and
   * aborts multipart uploads started that long ago, for stores without
   * lifecycle rules. Returns the object keys deleted.
   */
  async prunePendingUploads(options?: PruneUploadsOptions): Promise<string[]> {
    return this.#uploads.prune(options)
  }

  get #uploads(): DirectUploads {
    return directUploadsOf(this.#disk)
  }

  /**
   * The disk's object store: what every part of djamazing reads and
   * writes the disk's objects through.
   */
  get store(): ObjectStore {
    return this.#store
  }

  /**
   * The same disk on another bucket, sharing this disk's S3 client and its
   * parsed CloudFront key. The disk's `cdnUrl` serves the disk's own
   * bucket, so URLs need the other bucket's CDN: pass `{ cdnUrl }` for
   * `getUrl` (public disks) and CloudFront `getSignedUrl`; without it they
   * raise `E_DJAMAZING_BUCKET_URL_UNAVAILABLE`. Protected links are never
   * made for another bucket: the redirect route serves the disk's own.
   * An S3 presigned `getSignedUrl` (no `cloudfront`) names the bucket and
   * works either way.
   */
  bucket(bucket: string, options: { cdnUrl?: string } = {}): DjamazingDriver {
    return new DjamazingDriver(this.#disk.onBucket(bucket, options.cdnUrl))
  }
}

import type { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectAclCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import type { DriveDirectory, DriveFile } from 'flydrive'
import type {
  DriverContract,
  ObjectMetaData,
  ObjectVisibility,
  SignedURLOptions,
  UploadSignedURLOptions,
  WriteOptions,
} from 'flydrive/types'
import { cdnUrlFor } from './cdn_url.ts'
import debug from './debug.ts'
import { parseDuration } from './duration.ts'
import {
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_INVALID_KEY,
  E_DJAMAZING_NOT_PROTECTED,
  E_DJAMAZING_BUCKET_URL_UNAVAILABLE,
  E_DJAMAZING_PROTECTED_URL_UNAVAILABLE,
  E_DJAMAZING_S3_REQUEST_FAILED,
  E_DJAMAZING_VISIBILITY_FIXED,
} from './errors.ts'
import { assertValidObjectKey, encodeObjectKey } from './object_key.ts'
import { type LocalStore } from './local/store.ts'
import { signUploadUrl } from './local/upload_url.ts'
import { isResolvedDisk, resolveDisk, type ResolvedDisk } from './disk/resolve_disk.ts'
import { isNotFound, wrapS3Error } from './s3/errors.ts'
import { driveDirectoryFor, driveFileFor } from './s3/listing.ts'
import { presignGet, presignPut } from './s3/presign.ts'
import { SignedUrls } from './protected_urls.ts'
import type { ProtectedLinks } from './links/protected_links.ts'
import type { LinkOptions } from './links/types.ts'
import { replacesMetadata, writeParams } from './s3/write_params.ts'
import type { DjamazingOptions, FolderLinkOptions } from './types.ts'
import type { DirectUploads } from './uploads/direct_uploads.ts'
import { DiskVariants } from './variants/disk_variants.ts'
import { driverStorage } from './variants/driver_storage.ts'
import type {
  ConfirmedUpload,
  ConfirmUploadOptions,
  PruneUploadsOptions,
  StartUploadOptions,
  UploadTarget,
} from './uploads/types.ts'

/**
 * The lifetime of signed URLs when none is given, as flydrive's S3 driver.
 */
const DEFAULT_SIGNED_URL_EXPIRY = '30mins'

/**
 * S3's grantee for "everyone", read when the disk uses ACLs.
 */
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'

/**
 * DeleteObjects takes at most 1,000 keys, as many as one listing page.
 */
const DELETE_BATCH = 1000

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
  // Set on S3 disks; local store disks keep their files in #local.
  #client!: S3Client
  #local?: LocalStore
  #urls: SignedUrls
  #variants: DiskVariants | undefined

  /**
   * Takes the disk's options (checked here: a bad setting fails now), or
   * a disk `resolveDisk` already made.
   */
  constructor(options: DjamazingOptions | ResolvedDisk) {
    const disk = isResolvedDisk(options) ? options : resolveDisk(options)
    this.#disk = disk
    if (disk.local) this.#local = disk.local.files
    else this.#client = disk.client!
    this.#urls = new SignedUrls(disk)
    if (disk.variants) {
      this.#variants = new DiskVariants(disk.variants, driverStorage(this), {
        disk: disk.name,
        setting: disk.setting('variants'),
      })
    }
    debug(
      'disk %s: bucket %s, prefix "%s", mode %s, cdn %s, ACLs %s, %s',
      disk.name,
      disk.bucket,
      disk.prefix,
      disk.mode,
      disk.cdn.origin,
      disk.supportsACL ? 'on' : 'off',
      this.#local ? `local store in ${this.#local.folder}` : 'S3'
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
    return this.#variants
  }

  /**
   * The variants of a file outside the variants folder, when the disk has
   * any: the variants' own writes come back through this driver.
   */
  #variantsOf(key: string): DiskVariants | undefined {
    const variants = this.#variants
    return variants && !key.startsWith(variants.settings.folder) ? variants : undefined
  }

  /**
   * After `key` was written: its old variants go, and with `eager` the new
   * ones are made (from `contents` when the caller had them).
   */
  async #written(key: string, contents?: string | Uint8Array): Promise<void> {
    const variants = this.#variantsOf(key)
    if (!variants) return
    await variants.removeAll(key)
    if (variants.settings.eager) {
      await variants.makeAll(key, typeof contents === 'string' ? Buffer.from(contents) : contents)
    }
  }

  /**
   * The key in the bucket: validated, with the disk's prefix.
   */
  #objectKey(key: string): string {
    return this.#disk.objectKey(key)
  }

  /**
   * The key prefix of a listing or deleteAll: "" (or "/") is the whole
   * disk, anything else is a folder. flydrive's S3 driver matches raw
   * prefixes, so deleteAll("user1") would also delete "user10/...";
   * here it only reaches "user1/...".
   */
  #folderKey(prefix: string): string {
    if (prefix === '' || prefix === '/') return this.#disk.prefix
    assertValidObjectKey(prefix)
    return this.#objectKey(prefix.endsWith('/') ? prefix : `${prefix}/`)
  }

  /**
   * The key as the disk knows it, without the disk's prefix.
   */
  #diskKey(objectKey: string): string {
    return objectKey.slice(this.#disk.prefix.length)
  }

  /**
   * The path of a setting as the user wrote it (in config/drive.ts, or
   * the driver's options).
   */
  #setting(name: string) {
    return this.#disk.setting(name)
  }

  #log(operation: string, objectKey: string) {
    debug('%s %s %s:%s', operation, this.#disk.name, this.#disk.bucket, objectKey)
  }

  async #send<T>(operation: string, objectKey: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      throw wrapS3Error(error, operation, objectKey, this.#disk.bucket)
    }
  }

  async #getObject(operation: string, key: string) {
    const objectKey = this.#objectKey(key)
    this.#log(operation, objectKey)
    const response = await this.#send(operation, objectKey, () =>
      this.#client.send(new GetObjectCommand({ Bucket: this.#disk.bucket, Key: objectKey }))
    )
    return { objectKey, body: response.Body! }
  }

  #metaData(object: {
    ContentType?: string
    ContentLength?: number
    Size?: number
    ETag?: string
    LastModified?: Date
  }): ObjectMetaData {
    return {
      contentType: object.ContentType,
      contentLength: object.ContentLength ?? object.Size ?? 0,
      etag: object.ETag ?? '',
      lastModified: new Date(object.LastModified!),
    }
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.#objectKey(key)
    this.#log('exists', objectKey)
    if (this.#local) return this.#local.exists(objectKey)
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#disk.bucket, Key: objectKey }))
      return true
    } catch (error) {
      if (isNotFound(error)) return false
      throw wrapS3Error(error, 'exists', objectKey, this.#disk.bucket)
    }
  }

  async get(key: string): Promise<string> {
    if (this.#local) return this.#local.get(this.#objectKey(key))
    const { objectKey, body } = await this.#getObject('get', key)
    return this.#send('get', objectKey, () => body.transformToString())
  }

  async getStream(key: string): Promise<Readable> {
    if (this.#local) return this.#local.getStream(this.#objectKey(key))
    const { body } = await this.#getObject('getStream', key)
    return body as Readable
  }

  async getBytes(key: string): Promise<Uint8Array> {
    if (this.#local) return this.#local.getBytes(this.#objectKey(key))
    const { objectKey, body } = await this.#getObject('getBytes', key)
    return this.#send('getBytes', objectKey, () => body.transformToByteArray())
  }

  async getMetaData(key: string): Promise<ObjectMetaData> {
    const objectKey = this.#objectKey(key)
    this.#log('getMetaData', objectKey)
    if (this.#local) return this.#local.getMetaData(objectKey)
    const response = await this.#send('getMetaData', objectKey, () =>
      this.#client.send(new HeadObjectCommand({ Bucket: this.#disk.bucket, Key: objectKey }))
    )
    return this.#metaData(response)
  }

  /**
   * The disk's mode when ACLs are off (no request is made: access is the
   * bucket policy's and CloudFront's, the same for every object); the
   * object's ACL otherwise.
   */
  async getVisibility(key: string): Promise<ObjectVisibility> {
    const objectKey = this.#objectKey(key)
    if (!this.#disk.supportsACL) return this.#disk.visibility
    this.#log('getVisibility', objectKey)
    const response = await this.#send('getVisibility', objectKey, () =>
      this.#client.send(new GetObjectAclCommand({ Bucket: this.#disk.bucket, Key: objectKey }))
    )
    const isPublic = (response.Grants ?? []).some(
      (grant) =>
        grant.Grantee?.URI === ALL_USERS &&
        (grant.Permission === 'READ' || grant.Permission === 'FULL_CONTROL')
    )
    return isPublic ? 'public' : 'private'
  }

  /**
   * Sets the object's ACL when the disk uses ACLs. Without ACLs, asking for
   * the disk's own visibility is a no-op and asking for the other one
   * fails: flydrive's S3 driver ignores it silently, which would leave a
   * file someone meant to hide publicly readable.
   */
  async setVisibility(key: string, visibility: ObjectVisibility): Promise<void> {
    const objectKey = this.#objectKey(key)
    if (!this.#disk.supportsACL) {
      if (visibility === this.#disk.visibility) return
      throw new E_DJAMAZING_VISIBILITY_FIXED([
        key,
        visibility,
        this.#disk.name,
        this.#disk.visibility,
      ])
    }
    this.#log('setVisibility', objectKey)
    await this.#send('setVisibility', objectKey, () =>
      this.#client.send(
        new PutObjectAclCommand({
          Bucket: this.#disk.bucket,
          Key: objectKey,
          ACL: visibility === 'public' ? 'public-read' : 'private',
        })
      )
    )
  }

  async put(key: string, contents: string | Uint8Array, options?: WriteOptions): Promise<void> {
    const objectKey = this.#objectKey(key)
    this.#log('put', objectKey)
    if (this.#local) {
      await this.#local.put(objectKey, contents)
      return this.#written(key, contents)
    }
    await this.#send('put', objectKey, () =>
      this.#client.send(
        new PutObjectCommand({
          ...writeParams(objectKey, options, this.#disk),
          Bucket: this.#disk.bucket,
          Key: objectKey,
          Body: contents,
        })
      )
    )
    await this.#written(key, contents)
  }

  /**
   * Uploads a stream of any length with bounded memory: a multipart upload
   * (one plain PUT below one part) holding at most `queueSize` parts of
   * `partSize` bytes. If the stream fails, the multipart upload is aborted
   * and the object previously stored under the key is left as it was.
   */
  async putStream(key: string, contents: Readable, options?: WriteOptions): Promise<void> {
    const objectKey = this.#objectKey(key)
    this.#log('putStream', objectKey)
    if (this.#local) {
      await this.#local.putStream(objectKey, contents)
      return this.#written(key)
    }
    let sourceError: unknown
    const onError = (error: unknown) => (sourceError ??= error)
    contents.once('error', onError)
    const upload = new Upload({
      client: this.#client,
      partSize: this.#disk.multipart.partSize,
      queueSize: this.#disk.multipart.queueSize,
      leavePartsOnError: false,
      params: {
        ...writeParams(objectKey, options, this.#disk),
        Bucket: this.#disk.bucket,
        Key: objectKey,
        Body: contents,
      },
    })
    try {
      await upload.done()
    } catch (error) {
      // Name the stream's own failure rather than what the upload made of it.
      if (sourceError) {
        throw new E_DJAMAZING_S3_REQUEST_FAILED(
          ['putStream', objectKey, `the source stream failed: ${(sourceError as Error).message}`],
          { cause: sourceError }
        )
      }
      throw wrapS3Error(error, 'putStream', objectKey, this.#disk.bucket)
    } finally {
      contents.off('error', onError)
    }
    await this.#written(key)
  }

  /**
   * Copies within the bucket. `CopySource` is a URL path, so the key is
   * percent-encoded (flydrive's S3 driver sends it raw, which breaks on
   * non-ASCII keys and keys containing `%`). The source's metadata is kept
   * unless the options set some.
   */
  async copy(source: string, destination: string, options?: WriteOptions): Promise<void> {
    await this.#copy(source, destination, options)
    await this.#written(destination)
  }

  async #copy(source: string, destination: string, options?: WriteOptions): Promise<void> {
    const sourceKey = this.#objectKey(source)
    const destinationKey = this.#objectKey(destination)
    debug('copy %s %s:%s to %s', this.#disk.name, this.#disk.bucket, sourceKey, destinationKey)
    if (this.#local) return this.#local.copy(sourceKey, destinationKey)
    let writeOptions = options
    if (this.#disk.supportsACL && !options?.visibility) {
      writeOptions = { ...options, visibility: await this.getVisibility(source) }
    }
    const replace = replacesMetadata(options)
    const params = writeParams(destinationKey, writeOptions, this.#disk)
    if (!replace) {
      delete params.ContentType
    }
    await this.#send('copy', sourceKey, () =>
      this.#client.send(
        new CopyObjectCommand({
          ...params,
          Bucket: this.#disk.bucket,
          Key: destinationKey,
          CopySource: `${encodeURIComponent(this.#disk.bucket)}/${encodeObjectKey(sourceKey)}`,
          MetadataDirective: replace ? 'REPLACE' : 'COPY',
        })
      )
    )
  }

  /**
   * Copies, then deletes the source. Its variants move with it.
   */
  async move(source: string, destination: string, options?: WriteOptions): Promise<void> {
    await this.#copy(source, destination, options)
    await this.#delete(source)
    await this.#variantsOf(source)?.moveAll(source, destination)
  }

  /**
   * Deletes one object; deleting a missing object succeeds.
   */
  async delete(key: string): Promise<void> {
    await this.#delete(key)
    await this.#variantsOf(key)?.removeAll(key)
  }

  async #delete(key: string): Promise<void> {
    const objectKey = this.#objectKey(key)
    this.#log('delete', objectKey)
    if (this.#local) return this.#local.delete(objectKey)
    try {
      await this.#client.send(
        new DeleteObjectCommand({ Bucket: this.#disk.bucket, Key: objectKey })
      )
    } catch (error) {
      if (isNotFound(error)) return
      throw wrapS3Error(error, 'delete', objectKey, this.#disk.bucket)
    }
  }

  /**
   * Deletes every object under a folder ("" or "/": the whole disk, never
   * more than the disk's prefix), 1,000 keys per request.
   */
  async deleteAll(prefix: string): Promise<void> {
    await this.#deleteAll(prefix)
    // The whole disk holds the variants folder too.
    if (prefix !== '' && prefix !== '/') {
      await this.#variantsOf(prefix)?.removeAll(prefix.endsWith('/') ? prefix : `${prefix}/`)
    }
  }

  async #deleteAll(prefix: string): Promise<void> {
    const folderKey = this.#folderKey(prefix)
    this.#log('deleteAll', folderKey)
    if (this.#local) return this.#local.deleteAll(folderKey)
    let token: string | undefined
    do {
      const page = await this.#send('deleteAll', folderKey, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#disk.bucket,
            Prefix: folderKey || undefined,
            ContinuationToken: token,
            MaxKeys: DELETE_BATCH,
          })
        )
      )
      const objects = (page.Contents ?? []).map((object) => ({ Key: object.Key! }))
      if (objects.length > 0) {
        const result = await this.#send('deleteAll', folderKey, () =>
          this.#client.send(
            new DeleteObjectsCommand({
              Bucket: this.#disk.bucket,
              Delete: { Objects: objects, Quiet: true },
            })
          )
        )
        const failed = result.Errors?.[0]
        if (failed) {
          throw new E_DJAMAZING_S3_REQUEST_FAILED([
            'deleteAll',
            failed.Key ?? folderKey,
            `${failed.Code}: ${failed.Message} (${result.Errors!.length} keys not deleted)`,
          ])
        }
      }
      token = page.NextContinuationToken
    } while (token)
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
    const folderKey = this.#folderKey(prefix)
    const recursive = options?.recursive ?? false
    this.#log(recursive ? 'listAll recursive' : 'listAll', folderKey)
    if (this.#local) {
      const page = await this.#local.listAll(folderKey, { ...options, recursive })
      return {
        paginationToken: page.paginationToken,
        objects: [
          ...page.folders.map((folder) => driveDirectoryFor(this.#diskKey(folder))),
          ...page.files.map((file) => driveFileFor(this.#diskKey(file.key), this, file.metaData)),
        ],
      }
    }
    const response = await this.#send('listAll', folderKey, () =>
      this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#disk.bucket,
          Prefix: folderKey || undefined,
          Delimiter: recursive ? undefined : '/',
          ContinuationToken: options?.paginationToken,
          MaxKeys: options?.maxResults,
        })
      )
    )
    const objects: (DriveFile | DriveDirectory)[] = []
    for (const folder of response.CommonPrefixes ?? []) {
      objects.push(driveDirectoryFor(this.#diskKey(folder.Prefix!)))
    }
    for (const object of response.Contents ?? []) {
      objects.push(driveFileFor(this.#diskKey(object.Key!), this, this.#metaData(object)))
    }
    return { paginationToken: response.NextContinuationToken, objects }
  }

  /**
   * Public disks: the CDN URL of the object, whose path after `cdnUrl` is
   * the object's full key in the bucket (the disk's prefix included), each
   * segment percent-encoded. Protected disks: a protected link to the
   * redirect route, for the user `links.currentUserId()` names.
   */
  async getUrl(key: string): Promise<string> {
    const objectKey = this.#objectKey(key)
    this.#assertOwnUrls(key, 'getUrl')
    this.#assertNotPending(key)
    if (this.#disk.mode === 'protected' && this.#disk.links) {
      this.#log('getUrl link', objectKey)
      return this.#urls.linkFor(this.#disk.name, key)
    }
    if (this.#disk.mode === 'protected') {
      throw new E_DJAMAZING_PROTECTED_URL_UNAVAILABLE([
        key,
        this.#disk.name,
        'protected links are not configured for this disk. Use getSignedUrl(), or a public disk',
      ])
    }
    this.#log('getUrl', objectKey)
    return cdnUrlFor(this.#disk.cdn, objectKey)
  }

  /**
   * Protected disks: what `getUrl` returns, a link for the current user,
   * with options: a `contentDisposition` (e.g. the download name) or
   * `contentType` CloudFront serves the file with, signed into the link and
   * then into the CloudFront URL, and the link's `expiresIn`. flydrive's
   * `Disk` has no such method: call it on the driver,
   * `(drive.use('uploads').driver as DjamazingDriver).linkFor(key, options)`.
   */
  async linkFor(key: string, options: LinkOptions = {}): Promise<string> {
    this.#log('linkFor', this.#linkableKey(key))
    return this.#urls.linkFor(this.#disk.name, key, options)
  }

  /**
   * The URL of the variant `variant` of `key`, through the same API as the
   * original's (see docs/variants.md). Protected disks: a link bound to the
   * current user, whose MAC covers the variant's key (and so its name);
   * following it makes the variant if it is not stored yet, then redirects
   * to its short-lived CloudFront URL. Public disks: the variant's plain
   * CDN URL, once the variant is stored (made now if need be).
   */
  async getVariantUrl(key: string, variant: string): Promise<string> {
    const variants = this.#diskVariants()
    const variantKey = variants.keyOf(key, variant)
    this.#log('getVariantUrl', this.#objectKey(variantKey))
    if (this.#disk.mode === 'public') await variants.ensure(key, variant)
    return this.getUrl(variantKey)
  }

  /**
   * A `srcset` of the given variants of `key`: each one's URL (as
   * {@link getVariantUrl}) and its declared width, e.g.
   * `"<url> 320w, <url> 640w"`. Every variant named must declare a width.
   */
  async getSrcset(key: string, variants: string[]): Promise<string> {
    const declared = this.#diskVariants().settings.variants
    if (!Array.isArray(variants) || variants.length === 0) {
      throw new E_DJAMAZING_INVALID_ARGUMENT(['variants', 'a list of variant names'])
    }
    const entries = await Promise.all(
      variants.map(async (name) => {
        const url = await this.getVariantUrl(key, name)
        const width = declared.get(name)!.transform.width
        if (width === undefined) {
          throw new E_DJAMAZING_INVALID_ARGUMENT([
            'variants',
            `the variant "${name}" declares no width, which a srcset entry needs`,
          ])
        }
        return `${url} ${width}w`
      })
    )
    return entries.join(', ')
  }

  #diskVariants(): DiskVariants {
    if (!this.#variants) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        this.#setting('variants'),
        'the disk declares no variants: set variants: { transforms: { thumb: { width: 320 } } }',
      ])
    }
    return this.#variants
  }

  /**
   * Protected disks with `folderCookies`: a link that, followed by its
   * user, sets CloudFront signed cookies for the whole `folder` and sends
   * the browser to `entry` in it, e.g.
   * `linkForFolder('courses/12/hls/', { entry: 'index.m3u8' })`. Every
   * file of the folder then loads with the cookies alone.
   */
  async linkForFolder(folder: string, options: FolderLinkOptions): Promise<string> {
    this.#log('linkForFolder', this.#linkableKey(folder))
    return this.#urls.linkForFolder(this.#disk.name, folder, options)
  }

  /**
   * The object key of a key links can be made for, or the error that
   * says why not.
   */
  #linkableKey(key: string): string {
    const objectKey = this.#objectKey(key)
    this.#assertOwnUrls(key, 'linkFor')
    this.#assertNotPending(key)
    if (this.#disk.mode !== 'protected') {
      throw new E_DJAMAZING_NOT_PROTECTED([key, this.#disk.name])
    }
    if (!this.#disk.links) {
      throw new E_DJAMAZING_PROTECTED_URL_UNAVAILABLE([
        key,
        this.#disk.name,
        'protected links are not configured for this disk. Use getSignedUrl(), or a public disk',
      ])
    }
    return objectKey
  }

  /**
   * A temporary download URL (default 30 minutes): a CloudFront signed URL
   * when the disk has a `cloudfront` key, an S3 presigned GET otherwise.
   * `contentType` and `contentDisposition` override the response headers.
   */
  async getSignedUrl(key: string, options?: SignedURLOptions): Promise<string> {
    const objectKey = this.#objectKey(key)
    this.#assertNotPending(key)
    const expiresIn = parseDuration(
      options?.expiresIn ?? DEFAULT_SIGNED_URL_EXPIRY,
      'expiresIn',
      E_DJAMAZING_INVALID_ARGUMENT
    )
    // With a CloudFront key: a CloudFront signed URL, bound to nobody (for
    // emails and jobs), with the response overrides inside the signature.
    if (this.#disk.cloudfront) {
      this.#assertOwnUrls(key, 'getSignedUrl')
      this.#log('getSignedUrl cloudfront', objectKey)
      return this.#urls.signCdnUrl(this.#disk.cdn, objectKey, {
        expiresIn,
        contentType: options?.contentType,
        contentDisposition: options?.contentDisposition,
      })
    }
    if (this.#local) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        this.#setting('cloudfront'),
        'getSignedUrl on the local store makes a CloudFront signed URL for the local edge: set cloudfront: { keyPairId, privateKeyFile } (node ace djamazing:keys makes a key pair)',
      ])
    }
    this.#log('getSignedUrl', objectKey)
    return this.#send('getSignedUrl', objectKey, () =>
      presignGet(this.#client, {
        bucket: this.#disk.bucket,
        key: objectKey,
        expiresIn,
        contentType: options?.contentType,
        contentDisposition: options?.contentDisposition,
      })
    )
  }

  /**
   * A temporary URL (default 30 minutes) to PUT the object directly to S3.
   * `contentType` and `contentSize` are signed: S3 refuses an upload with
   * another `Content-Type` or `Content-Length`.
   */
  async getSignedUploadUrl(key: string, options?: UploadSignedURLOptions): Promise<string> {
    const objectKey = this.#objectKey(key)
    const expiresIn = parseDuration(
      options?.expiresIn ?? DEFAULT_SIGNED_URL_EXPIRY,
      'expiresIn',
      E_DJAMAZING_INVALID_ARGUMENT
    )
    const contentSize = options?.contentSize
    if (contentSize !== undefined && (!Number.isSafeInteger(contentSize) || contentSize < 0)) {
      throw new E_DJAMAZING_INVALID_ARGUMENT([
        'contentSize',
        `${contentSize} is not a whole number of bytes`,
      ])
    }
    this.#log('getSignedUploadUrl', objectKey)
    if (this.#local) {
      if (!this.#disk.local?.uploadKey) {
        throw new E_DJAMAZING_INVALID_CONFIG([
          this.#setting('localStore.uploadSecret'),
          'upload URLs of the local store are signed with a secret: set it (the AdonisJS provider uses the app key)',
        ])
      }
      return signUploadUrl(this.#disk.local?.uploadKey, {
        cdn: this.#disk.cdn,
        bucket: this.#disk.bucket,
        objectKey,
        expiresAt: Date.now() / 1000 + expiresIn,
        headers: {
          'content-type': options?.contentType,
          'content-length': contentSize === undefined ? undefined : String(contentSize),
        },
      })
    }
    return this.#send('getSignedUploadUrl', objectKey, () =>
      presignPut(this.#client, {
        bucket: this.#disk.bucket,
        key: objectKey,
        expiresIn,
        contentType: options?.contentType,
        contentLength: contentSize,
      })
    )
  }

  /**
   * Starts a direct upload from the browser to `key`, a key the app chose
   * (never the client's file name), for `userId`: a PUT target bound to the
   * content type, the exact size and the SHA-256 of the content, valid a
   * short time, writing under the pending prefix; and a token for
   * {@link confirmUpload}. See docs/uploads.md.
   */
  async startUpload(key: string, options: StartUploadOptions): Promise<UploadTarget> {
    return this.#directUploads().start(key, options)
  }

  /**
   * Checks the object a browser PUT for a token of {@link startUpload}:
   * the user is the one it was started for (else 403, object left alone),
   * and the stored object has the signed size, type and SHA-256 and passes
   * `checkContent` (else 422, object deleted). Then moves it to its key
   * (and, on a disk with eager `variants`, makes its variants).
   */
  async confirmUpload(token: string, options: ConfirmUploadOptions): Promise<ConfirmedUpload> {
    const confirmed = await this.#directUploads().confirm(token, options)
    await this.#written(confirmed.key)
    return confirmed
  }

  /**
   * Deletes pending uploads older than `olderThan` (default one day), for
   * stores without lifecycle rules. Returns the object keys deleted.
   */
  async prunePendingUploads(options?: PruneUploadsOptions): Promise<string[]> {
    return this.#directUploads().prune(options)
  }

  #directUploads(): DirectUploads {
    const uploads = this.#disk.uploads
    if (!uploads) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        this.#setting('uploads.secrets'),
        'direct uploads sign tokens with an app secret: set uploads: { secrets: [appKey] } (the AdonisJS provider does it for protected disks and disks with an uploads option)',
      ])
    }
    return uploads
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

  /**
   * Refuses a URL a `bucket()` driver cannot make right (see `bucket`).
   */
  /**
   * Unconfirmed uploads are never served: no URL or link is made for a
   * key under the pending prefix (an app rendering a link for every key
   * it lists would otherwise serve other users' unchecked uploads).
   */
  #assertNotPending(key: string) {
    if (this.#disk.uploads?.isPending(key)) {
      throw new E_DJAMAZING_INVALID_KEY([
        key,
        'it is under the pending prefix of direct uploads, which are served only once confirmed',
      ])
    }
  }

  #assertOwnUrls(key: string, method: string) {
    const other = this.#disk.otherBucket
    if (!other) return
    if (this.#disk.mode === 'protected' && method !== 'getSignedUrl') {
      throw new E_DJAMAZING_BUCKET_URL_UNAVAILABLE([
        key,
        this.#disk.bucket,
        this.#disk.name,
        "protected links name the disk, and its redirect route serves the disk's own bucket. Use getSignedUrl() on bucket(name, { cdnUrl })",
      ])
    }
    if (!other.ownCdn) {
      throw new E_DJAMAZING_BUCKET_URL_UNAVAILABLE([
        key,
        this.#disk.bucket,
        this.#disk.name,
        `the disk's cdnUrl serves its own bucket. Pass this bucket's CDN: bucket(name, { cdnUrl })`,
      ])
    }
  }
}

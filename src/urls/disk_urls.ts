import type { SignedURLOptions, UploadSignedURLOptions } from 'flydrive/types'
import { cdnUrlFor } from '../cdn_url.ts'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import { parseDuration } from '../duration.ts'
import {
  E_DJAMAZING_BUCKET_URL_UNAVAILABLE,
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_INVALID_KEY,
  E_DJAMAZING_NOT_PROTECTED,
  E_DJAMAZING_PROTECTED_URL_UNAVAILABLE,
} from '../errors.ts'
import type { LinkOptions } from '../links/types.ts'
import { logCall, storeCall } from '../store/store_call.ts'
import type { FolderLinkOptions } from '../types.ts'
import { SignedUrls } from './signed_urls.ts'

/**
 * The lifetime of signed URLs when none is given, as flydrive's S3 driver.
 */
const DEFAULT_SIGNED_URL_EXPIRY = '30mins'

const NO_LINKS =
  'protected links are not configured for this disk. Use getSignedUrl(), or a public disk'

/**
 * Every URL the driver hands out for a disk's keys, and the rules on which
 * keys get one: CDN URLs, protected links, signed downloads and uploads.
 * The driver's URL methods are these; their behaviour is documented there.
 */
export class DiskUrls {
  #disk: ResolvedDisk
  #signed: SignedUrls

  constructor(disk: ResolvedDisk) {
    this.#disk = disk
    this.#signed = new SignedUrls(disk)
  }

  async getUrl(key: string): Promise<string> {
    const disk = this.#disk
    // A protected disk's URL is its link, with the same checks.
    if (disk.mode === 'protected') return this.linkFor(key)
    const objectKey = disk.objectKey(key)
    this.#assertOwnUrls(key, 'getUrl')
    this.#assertNotPending(key)
    logCall(disk, 'getUrl', objectKey)
    return cdnUrlFor(disk.cdn, objectKey)
  }

  async linkFor(key: string, options: LinkOptions = {}): Promise<string> {
    logCall(this.#disk, 'linkFor', this.#linkableKey(key))
    return this.#signed.linkFor(key, options)
  }

  async linkForFolder(folder: string, options: FolderLinkOptions): Promise<string> {
    logCall(this.#disk, 'linkForFolder', this.#linkableKey(folder))
    return this.#signed.linkForFolder(folder, options)
  }

  async getSignedUrl(key: string, options?: SignedURLOptions): Promise<string> {
    const disk = this.#disk
    const objectKey = disk.objectKey(key)
    this.#assertNotPending(key)
    const overrides = {
      expiresIn: expiryOf(options),
      contentType: options?.contentType,
      contentDisposition: options?.contentDisposition,
    }
    // With a CloudFront key: a CloudFront signed URL, bound to nobody (for
    // emails and jobs), with the response overrides inside the signature.
    if (disk.cloudfront) {
      this.#assertOwnUrls(key, 'getSignedUrl')
      logCall(disk, 'getSignedUrl cloudfront', objectKey)
      return this.#signed.signCdnUrl(objectKey, overrides)
    }
    if (disk.objectStore.kind === 'local') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        disk.setting('cloudfront'),
        'getSignedUrl on the local store makes a CloudFront signed URL for the local edge: set cloudfront: { keyPairId, privateKeyFile } (node ace djamazing:keys makes a key pair)',
      ])
    }
    return storeCall(disk, 'getSignedUrl', objectKey, () =>
      disk.objectStore.presignGet(objectKey, overrides)
    )
  }

  async getSignedUploadUrl(key: string, options?: UploadSignedURLOptions): Promise<string> {
    const disk = this.#disk
    const objectKey = disk.objectKey(key)
    const expiresIn = expiryOf(options)
    const contentSize = options?.contentSize
    if (contentSize !== undefined && (!Number.isSafeInteger(contentSize) || contentSize < 0)) {
      throw new E_DJAMAZING_INVALID_ARGUMENT([
        'contentSize',
        `${contentSize} is not a whole number of bytes`,
      ])
    }
    const put = { expiresIn, contentType: options?.contentType, contentLength: contentSize }
    return storeCall(disk, 'getSignedUploadUrl', objectKey, () =>
      disk.objectStore.presignPut(objectKey, put)
    )
  }

  /**
   * The object key of a key links can be made for, or the error that
   * says why not.
   */
  #linkableKey(key: string): string {
    const objectKey = this.#disk.objectKey(key)
    this.#assertOwnUrls(key, 'linkFor')
    this.#assertNotPending(key)
    if (this.#disk.mode !== 'protected') {
      throw new E_DJAMAZING_NOT_PROTECTED([key, this.#disk.name])
    }
    if (!this.#disk.links) {
      throw new E_DJAMAZING_PROTECTED_URL_UNAVAILABLE([key, this.#disk.name, NO_LINKS])
    }
    return objectKey
  }

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

  /**
   * Refuses a URL a `bucket()` driver cannot make right: protected links
   * name the disk, whose redirect route serves its own bucket, and the
   * disk's `cdnUrl` serves its own bucket only.
   */
  #assertOwnUrls(key: string, method: string) {
    const { otherBucket, mode, bucket, name } = this.#disk
    if (!otherBucket) return
    if (mode === 'protected' && method !== 'getSignedUrl') {
      throw new E_DJAMAZING_BUCKET_URL_UNAVAILABLE([
        key,
        bucket,
        name,
        "protected links name the disk, and its redirect route serves the disk's own bucket. Use getSignedUrl() on bucket(name, { cdnUrl })",
      ])
    }
    if (!otherBucket.ownCdn) {
      throw new E_DJAMAZING_BUCKET_URL_UNAVAILABLE([
        key,
        bucket,
        name,
        `the disk's cdnUrl serves its own bucket. Pass this bucket's CDN: bucket(name, { cdnUrl })`,
      ])
    }
  }
}

/**
 * A signed URL's lifetime in seconds: `options.expiresIn`, or flydrive's default.
 */
function expiryOf(options: { expiresIn?: string | number } | undefined): number {
  return parseDuration(
    options?.expiresIn ?? DEFAULT_SIGNED_URL_EXPIRY,
    'expiresIn',
    E_DJAMAZING_INVALID_ARGUMENT
  )
}

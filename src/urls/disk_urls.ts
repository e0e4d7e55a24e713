import type { SignedURLOptions, UploadSignedURLOptions } from 'flydrive/types'
import { cdnObjectUrl, cdnUrlFor } from '../cdn_url.ts'
import { MAX_URL_BYTES } from '../cloudfront/policy.ts'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import { parseDuration, type Duration } from '../duration.ts'
import {
  E_DJAMAZING_BUCKET_URL_UNAVAILABLE,
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_INVALID_KEY,
  E_DJAMAZING_INVALID_LINK_OPTION,
  E_DJAMAZING_NOT_PROTECTED,
  E_DJAMAZING_PROTECTED_URL_UNAVAILABLE,
} from '../errors.ts'
import type { LinkOptions, LinkOverrides } from '../links/types.ts'
import { contentTypeFor } from '../store/content_type.ts'
import { logCall, storeCall } from '../store/store_call.ts'
import type { FolderLinkOptions } from '../types.ts'

/**
 * The lifetime of signed URLs when none is given, as flydrive's S3 driver.
 */
const DEFAULT_SIGNED_URL_EXPIRY = '30mins'

const NO_LINKS =
  'protected links are not configured for this disk. Use getSignedUrl(), or a public disk'

/**
 * Room for what signing appends to a CloudFront URL: `Expires`, the
 * longest signature (RSA-2048, 344 characters), `Key-Pair-Id` and
 * `Hash-Algorithm`, rounded up.
 */
const SIGNING_PARAMETERS_BYTES = 512

/**
 * What a custom policy adds around its resource URL: the statement, an
 * expiry and an IPv4 source address, rounded up.
 */
const CUSTOM_POLICY_JSON_BYTES = 160

/**
 * Whether a content type matches a pattern: exact, or `type/*`.
 */
function matchesContentType(type: string, pattern: string): boolean {
  const essence = type.split(';')[0].trim().toLowerCase()
  const wanted = pattern.toLowerCase()
  return wanted.endsWith('/*') ? essence.startsWith(wanted.slice(0, -1)) : essence === wanted
}

/**
 * Every URL the driver hands out for a disk's keys, and the rules on which
 * keys get one: CDN URLs, protected links (for the current user, with the
 * link signer of the resolved disk), CloudFront signed URLs, signed
 * downloads and uploads. The driver's URL methods are these; their
 * behaviour is documented there.
 */
export class DiskUrls {
  #disk: ResolvedDisk

  constructor(disk: ResolvedDisk) {
    this.#disk = disk
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
    const view = this.#viewOf(key, options)
    this.#assertServable(key, options, view.bindIp === true)
    return this.#disk.links!.linkFor(this.#disk.name, key, {
      ...view,
      ...(await this.#currentUser()),
      expiresIn: options.expiresIn,
      contentType: options.contentType,
      contentDisposition: options.contentDisposition,
    })
  }

  async linkForFolder(folder: string, options: FolderLinkOptions): Promise<string> {
    logCall(this.#disk, 'linkForFolder', this.#linkableKey(folder))
    if (!this.#disk.folderCookies) {
      throw new E_DJAMAZING_INVALID_LINK_OPTION([
        'folder',
        'this disk has no folderCookies setting, so its redirect cannot open folders',
      ])
    }
    const entry = options?.entry
    if (typeof entry !== 'string' || entry === '' || entry.startsWith('/')) {
      throw new E_DJAMAZING_INVALID_LINK_OPTION([
        'entry',
        'expected the entry file relative to the folder, e.g. "index.m3u8"',
      ])
    }
    const prefix = folder.endsWith('/') ? folder : `${folder}/`
    return this.#disk.links!.linkFor(this.#disk.name, `${prefix}${entry}`, {
      ...(await this.#currentUser()),
      folder: prefix,
      expiresIn: options.expiresIn,
      bindIp: Boolean(options.bindIp),
    })
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
      const url = cdnObjectUrl(disk.cdn, objectKey, overrides)
      // Signed off the event loop.
      return disk.cloudfront.signUrlAsync(url, { expiresIn: overrides.expiresIn })
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
   * Whom a new link is for: the current user's id, realm and revision.
   */
  async #currentUser() {
    const user = this.#disk.currentUser!
    return {
      userId: (await user.currentUserId()) ?? null,
      revision: (await user.currentUserRevision?.()) ?? undefined,
      realm: await user.currentUserRealm?.(),
    }
  }

  /**
   * The CloudFront URL lifetime and IP binding a link asks for: its own
   * `viewFor` (at most `redirects.maxViewFor`), or the disk's
   * `redirects.mediaViews` for its content type.
   */
  #viewOf(key: string, options: LinkOptions): { viewFor?: Duration; bindIp?: boolean } {
    if (options.viewFor !== undefined) {
      const seconds = parseDuration(options.viewFor, 'viewFor', E_DJAMAZING_INVALID_LINK_OPTION)
      const { maxViewFor } = this.#disk.redirects
      if (maxViewFor === undefined || seconds > maxViewFor) {
        throw new E_DJAMAZING_INVALID_LINK_OPTION([
          'viewFor',
          maxViewFor === undefined
            ? 'this disk sets no redirects.maxViewFor, so its links keep the short redirects.expiresIn'
            : `it is longer than the disk's redirects.maxViewFor (${maxViewFor} s)`,
        ])
      }
      return { viewFor: seconds, ...(options.bindIp ? { bindIp: true } : {}) }
    }
    const media = this.#disk.redirects.mediaViews
    const type = options.contentType ?? contentTypeFor(key)
    if (media && type && media.contentTypes.some((pattern) => matchesContentType(type, pattern))) {
      return { viewFor: media.viewFor, bindIp: options.bindIp ?? media.bindIp }
    }
    return options.bindIp ? { bindIp: true } : {}
  }

  /**
   * Refuses overrides whose CloudFront URL would pass CloudFront's limit
   * once signed: the redirect could never be made, and the owner would get
   * an error page instead of the file. Checked when the link is made, so
   * a page never renders a dead link.
   */
  #assertServable(key: string, overrides: LinkOverrides, ipBound: boolean) {
    const length = cdnObjectUrl(this.#disk.cdn, this.#disk.objectKey(key), overrides).length
    // An IP-bound URL carries a custom policy: the URL again, in JSON, in base64.
    const policy = ipBound ? Math.ceil((length + CUSTOM_POLICY_JSON_BYTES) / 3) * 4 : 0
    const signed = length + policy + SIGNING_PARAMETERS_BYTES
    if (signed >= MAX_URL_BYTES) {
      throw new E_DJAMAZING_INVALID_ARGUMENT([
        overrides.contentDisposition ? 'contentDisposition' : 'contentType',
        `the CloudFront URL would be about ${signed} bytes once signed; CloudFront refuses ${MAX_URL_BYTES} bytes or more. Shorten the value (a download name, say)`,
      ])
    }
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
    const why =
      mode === 'protected' && method !== 'getSignedUrl'
        ? "protected links name the disk, and its redirect route serves the disk's own bucket. Use getSignedUrl() on bucket(name, { cdnUrl })"
        : !otherBucket.ownCdn &&
          `the disk's cdnUrl serves its own bucket. Pass this bucket's CDN: bucket(name, { cdnUrl })`
    if (why) throw new E_DJAMAZING_BUCKET_URL_UNAVAILABLE([key, bucket, name, why])
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

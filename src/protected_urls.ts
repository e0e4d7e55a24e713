import { cdnObjectUrl, hostUnder, type CdnBase } from './cdn_url.ts'
import { CloudFrontSigner } from './cloudfront/signer.ts'
import { parseDuration } from './duration.ts'
import {
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_INVALID_LINK_OPTION,
} from './errors.ts'
import { MAX_URL_BYTES } from './cloudfront/policy.ts'
import { LinkSigner } from './links/signer.ts'
import { ProtectedLinks } from './links/protected_links.ts'
import type { LinkOptions, LinkOverrides, ProtectedLinkOptions } from './links/types.ts'
import { contentTypeFor } from './s3/content_type.ts'
import { SignedUrlCache } from './signed_url_cache.ts'
import type { DjamazingOptions, Duration, FolderLinkOptions, MediaViewOptions } from './types.ts'

/**
 * How long the CloudFront URL a protected link redirects to lives, when
 * the disk sets no `signatureTimeout`: long enough for the browser to
 * follow the redirect, too short to share.
 */
export const DEFAULT_SIGNATURE_TIMEOUT = '1.5s'

/**
 * Signed URLs kept by a disk with a `signatureWindow`: about 0.5 to 1 KB
 * each, so a few MB at most.
 */
const DEFAULT_SIGNATURE_CACHE_SIZE = 10_000

/**
 * Whether a content type matches a pattern: exact, or `type/*`.
 */
function matchesContentType(type: string, pattern: string): boolean {
  const essence = type.split(';')[0].trim().toLowerCase()
  const wanted = pattern.toLowerCase()
  return wanted.endsWith('/*') ? essence.startsWith(wanted.slice(0, -1)) : essence === wanted
}

/**
 * The disk's `mediaViews`, checked.
 */
function readMediaViews(
  value: MediaViewOptions | undefined,
  setting: string
): { contentTypes: string[]; viewFor: number; bindIp: boolean } | undefined {
  if (value === undefined) return undefined
  if (
    !Array.isArray(value?.contentTypes) ||
    value.contentTypes.length === 0 ||
    !value.contentTypes.every(
      (type) => typeof type === 'string' && /^[\w.+-]+\/(\*|[\w.+-]+)$/.test(type)
    )
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.contentTypes`,
      'expected content types such as "video/*" or "application/pdf"',
    ])
  }
  return {
    contentTypes: value.contentTypes,
    viewFor: Math.ceil(parseDuration(value.viewFor, `${setting}.viewFor`)),
    bindIp: value.bindIp === true,
  }
}

/**
 * Folder cookies last an hour unless the disk says otherwise: a lesson
 * or a film, not a day.
 */
const DEFAULT_FOLDER_COOKIES_EXPIRES_IN = '1h'

/**
 * The cookie domain of folder cookies: the browser sends them to the CDN
 * only if the CDN's host is under it.
 */
function readCookieDomain(domain: unknown, cdnUrl: string, setting: (name: string) => string) {
  const host = URL.canParse(cdnUrl) ? new URL(cdnUrl).hostname : ''
  if (
    typeof domain !== 'string' ||
    !/^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(
      domain
    ) ||
    !hostUnder(host, domain)
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('folderCookies.domain'),
      `the CDN host "${host}" must be under the cookie domain, e.g. ".example.com" for cdn.example.com`,
    ])
  }
  return domain
}

/**
 * A window in whole seconds: boundaries are epoch multiples of it.
 */
function readWindow(value: Duration | undefined, setting: string): number | undefined {
  if (value === undefined) return undefined
  const seconds = parseDuration(value, setting)
  if (!Number.isInteger(seconds)) {
    throw new E_DJAMAZING_INVALID_CONFIG([setting, 'a window is a whole number of seconds'])
  }
  return seconds
}

/**
 * The longest life of a redirect's CloudFront URL (`signatureTimeout`, plus
 * `signatureWindow` when set) taken without `allowLongSignatureTimeout`:
 * one hour, already long for a bearer URL.
 */
const MAX_SIGNATURE_TIMEOUT = 3600

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
 * The URL side of a disk that signs: the CloudFront signer (protected
 * disks, and `getSignedUrl` of any disk with `cloudfront`), and for
 * protected disks the link signer and the current user.
 */
export class SignedUrls {
  readonly cloudfront?: CloudFrontSigner
  readonly links?: LinkSigner
  /**
   * What the redirect route reads of the disk; set with `links`.
   */
  readonly protectedLinks?: ProtectedLinks
  readonly signatureWindow?: number
  readonly maxViewFor?: number
  #links?: ProtectedLinkOptions
  #cache?: SignedUrlCache
  #mediaViews?: ReturnType<typeof readMediaViews>
  #folderCookies?: { expiresIn: number; domain?: string }
  #cdn: CdnBase
  #objectKey: (key: string) => string

  constructor(
    options: DjamazingOptions,
    cdn: CdnBase,
    objectKey: (key: string) => string,
    setting: (name: string) => string,
    sharedCloudFront?: CloudFrontSigner
  ) {
    this.#cdn = cdn
    this.#objectKey = objectKey
    if (sharedCloudFront) {
      // A bucket() driver: the same key, parsed once for the process.
      this.cloudfront = sharedCloudFront
    } else if (options.cloudfront) {
      // Errors name the disk's own setting: services.uploads.cloudfront.privateKey.
      this.cloudfront = new CloudFrontSigner({
        setting: setting('cloudfront'),
        ...options.cloudfront,
      })
    }
    const signatureTimeout = parseDuration(
      options.signatureTimeout ?? DEFAULT_SIGNATURE_TIMEOUT,
      setting('signatureTimeout')
    )
    if (signatureTimeout > MAX_SIGNATURE_TIMEOUT && options.allowLongSignatureTimeout !== true) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting('signatureTimeout'),
        `${options.signatureTimeout} is over one hour: every redirect would hand out a CloudFront URL anyone can use that long. Keep it short (default "1.5s"), or set "allowLongSignatureTimeout: true" next to it if you mean it`,
      ])
    }
    this.signatureWindow = readWindow(options.signatureWindow, setting('signatureWindow'))
    // A windowed URL lives up to window + timeout: the same bearer bound,
    // and the same opt-in, as a long signatureTimeout.
    if (
      this.signatureWindow !== undefined &&
      this.signatureWindow + Math.ceil(signatureTimeout) > MAX_SIGNATURE_TIMEOUT &&
      options.allowLongSignatureTimeout !== true
    ) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting('signatureWindow'),
        `${options.signatureWindow} plus the signatureTimeout is over one hour: every redirect would hand out a CloudFront URL anyone can use that long. Keep the window to minutes, or set "allowLongSignatureTimeout: true" next to it if you mean it`,
      ])
    }
    if (this.signatureWindow !== undefined) {
      const size = options.signatureCacheSize ?? DEFAULT_SIGNATURE_CACHE_SIZE
      if (!Number.isSafeInteger(size) || size < 1) {
        throw new E_DJAMAZING_INVALID_CONFIG([
          setting('signatureCacheSize'),
          'expected a whole number of URLs >= 1',
        ])
      }
      this.#cache = new SignedUrlCache(size)
    }
    this.#mediaViews = readMediaViews(options.mediaViews, setting('mediaViews'))
    this.maxViewFor =
      options.maxViewFor === undefined
        ? this.#mediaViews?.viewFor
        : Math.ceil(parseDuration(options.maxViewFor, setting('maxViewFor')))
    if (options.folderCookies !== undefined) {
      const { expiresIn = DEFAULT_FOLDER_COOKIES_EXPIRES_IN, domain } = options.folderCookies ?? {}
      this.#folderCookies = {
        expiresIn: parseDuration(expiresIn, setting('folderCookies.expiresIn')),
        ...(domain === undefined
          ? {}
          : { domain: readCookieDomain(domain, options.cdnUrl, setting) }),
      }
    }
    if (this.#mediaViews && this.#mediaViews.viewFor > this.maxViewFor!) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting('mediaViews.viewFor'),
        `it is longer than maxViewFor (${this.maxViewFor} s)`,
      ])
    }
    // Without CloudFront a protected disk cannot redirect anywhere, so it
    // makes no links (getUrl says so); the AdonisJS helper refuses such a
    // disk at boot.
    if (options.mode === 'protected' && options.links && this.cloudfront) {
      // Links are bound to the disk's name: two unnamed disks would both
      // sign as "default", and a link of one would open the other's files.
      if (options.disk === undefined) {
        throw new E_DJAMAZING_INVALID_CONFIG([
          'disk',
          'a protected disk that makes links needs its name (links are bound to it): pass disk: "uploads", the name the redirect handler lists it under',
        ])
      }
      if (typeof options.links.currentUserId !== 'function') {
        throw new E_DJAMAZING_INVALID_CONFIG([
          setting('links.currentUserId'),
          'a protected disk needs a function returning the id of the current user (or null for a guest)',
        ])
      }
      this.links = new LinkSigner({ production: options.production, ...options.links })
      this.#links = options.links
      this.protectedLinks = new ProtectedLinks({
        disk: options.disk,
        signer: this.links,
        cloudfront: this.cloudfront,
        cdn,
        signatureTimeout,
        objectKey,
        signatureWindow: this.signatureWindow,
        maxViewFor: this.maxViewFor,
        cache: this.#cache,
        folders: this.#folderCookies,
      })
    }
  }

  /**
   * A protected link to `key` for the current user, with the link's options.
   */
  async linkFor(disk: string, key: string, options: LinkOptions = {}): Promise<string> {
    const view = this.#viewOf(key, options)
    this.#assertServable(key, options, view.bindIp === true)
    return this.links!.linkFor(disk, key, {
      ...view,
      ...(await this.#currentUser()),
      ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.contentDisposition === undefined
        ? {}
        : { contentDisposition: options.contentDisposition }),
    })
  }

  /**
   * Whom a new link is for: the current user's id, realm and revision.
   */
  async #currentUser() {
    const userId = await this.#links!.currentUserId()
    const revision = await this.#links!.currentUserRevision?.()
    const realm = await this.#links!.currentUserRealm?.()
    return {
      userId: userId ?? null,
      realm,
      ...(revision === null || revision === undefined ? {} : { revision }),
    }
  }

  /**
   * A folder link: its entry file's key, with the folder signed in.
   */
  async linkForFolder(disk: string, folder: string, options: FolderLinkOptions): Promise<string> {
    if (!this.#folderCookies) {
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
    return this.links!.linkFor(disk, `${prefix}${entry}`, {
      ...(await this.#currentUser()),
      folder: prefix,
      ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
      ...(options.bindIp ? { bindIp: true } : {}),
    })
  }

  /**
   * The CloudFront URL lifetime and IP binding a link asks for: its own
   * `viewFor` (at most `maxViewFor`), or the disk's `mediaViews` for its
   * content type.
   */
  #viewOf(key: string, options: LinkOptions): { viewFor?: Duration; bindIp?: boolean } {
    if (options.viewFor !== undefined) {
      const seconds = parseDuration(options.viewFor, 'viewFor', E_DJAMAZING_INVALID_LINK_OPTION)
      if (this.maxViewFor === undefined || seconds > this.maxViewFor) {
        throw new E_DJAMAZING_INVALID_LINK_OPTION([
          'viewFor',
          this.maxViewFor === undefined
            ? 'this disk sets no maxViewFor, so its links keep the short signatureTimeout'
            : `it is longer than the disk's maxViewFor (${this.maxViewFor} s)`,
        ])
      }
      return { viewFor: seconds, ...(options.bindIp ? { bindIp: true } : {}) }
    }
    const media = this.#mediaViews
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
    const length = cdnObjectUrl(this.#cdn, this.#objectKey(key), overrides).length
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
   * A CloudFront signed URL of an object, signed off the event loop.
   */
  signCdnUrl(
    cdn: CdnBase,
    objectKey: string,
    options: { expiresIn: number | string } & LinkOverrides
  ): Promise<string> {
    return this.cloudfront!.signUrlAsync(cdnObjectUrl(cdn, objectKey, options), {
      expiresIn: options.expiresIn,
    })
  }
}

import { cdnObjectUrl } from '../cdn_url.ts'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import type { Duration } from '../duration.ts'
import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_INVALID_LINK_OPTION } from '../errors.ts'
import { MAX_URL_BYTES } from '../cloudfront/policy.ts'
import { parseDuration } from '../duration.ts'
import type { LinkOptions, LinkOverrides } from '../links/types.ts'
import { contentTypeFor } from '../store/content_type.ts'
import type { FolderLinkOptions } from '../types.ts'

/**
 * Whether a content type matches a pattern: exact, or `type/*`.
 */
function matchesContentType(type: string, pattern: string): boolean {
  const essence = type.split(';')[0].trim().toLowerCase()
  const wanted = pattern.toLowerCase()
  return wanted.endsWith('/*') ? essence.startsWith(wanted.slice(0, -1)) : essence === wanted
}

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
 * The URLs a disk signs: protected links for the current user (with the
 * link signer of the resolved disk), and CloudFront signed URLs.
 */
export class SignedUrls {
  #disk: ResolvedDisk

  constructor(disk: ResolvedDisk) {
    this.#disk = disk
  }

  /**
   * A protected link to `key` for the current user, with the link's options.
   */
  async linkFor(key: string, options: LinkOptions = {}): Promise<string> {
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

  /**
   * Whom a new link is for: the current user's id, realm and revision.
   */
  async #currentUser() {
    const user = this.#disk.currentUser!
    const userId = await user.currentUserId()
    const revision = await user.currentUserRevision?.()
    const realm = await user.currentUserRealm?.()
    return {
      userId: userId ?? null,
      realm,
      ...(revision === null || revision === undefined ? {} : { revision }),
    }
  }

  /**
   * A folder link: its entry file's key, with the folder signed in.
   */
  async linkForFolder(folder: string, options: FolderLinkOptions): Promise<string> {
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
   * A CloudFront signed URL of an object, signed off the event loop.
   */
  signCdnUrl(objectKey: string, options: { expiresIn: number | string } & LinkOverrides) {
    return this.#disk.cloudfront!.signUrlAsync(cdnObjectUrl(this.#disk.cdn, objectKey, options), {
      expiresIn: options.expiresIn,
    })
  }
}

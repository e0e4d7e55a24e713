import { cdnObjectUrl, type CdnBase } from './cdn_url.ts'
import { CloudFrontSigner } from './cloudfront/signer.ts'
import { parseDuration } from './duration.ts'
import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_INVALID_CONFIG } from './errors.ts'
import { MAX_URL_BYTES } from './cloudfront/policy.ts'
import { LinkSigner } from './links/signer.ts'
import { ProtectedLinks } from './links/protected_links.ts'
import type { LinkOptions, LinkOverrides, ProtectedLinkOptions } from './links/types.ts'
import type { DjamazingOptions } from './types.ts'

/**
 * How long the CloudFront URL a protected link redirects to lives, when
 * the disk sets no `signatureTimeout`: long enough for the browser to
 * follow the redirect, too short to share.
 */
const DEFAULT_SIGNATURE_TIMEOUT = '1.5s'

/**
 * The longest `signatureTimeout` taken without `allowLongSignatureTimeout`:
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
  #links?: ProtectedLinkOptions
  #cdn: CdnBase
  #objectKey: (key: string) => string

  constructor(
    options: DjamazingOptions,
    cdn: CdnBase,
    objectKey: (key: string) => string,
    setting: (name: string) => string
  ) {
    this.#cdn = cdn
    this.#objectKey = objectKey
    if (options.cloudfront) {
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
    // Without CloudFront a protected disk cannot redirect anywhere, so it
    // makes no links (getUrl says so); the AdonisJS helper refuses such a
    // disk at boot.
    if (options.mode === 'protected' && options.links && this.cloudfront) {
      if (typeof options.links.currentUserId !== 'function') {
        throw new E_DJAMAZING_INVALID_CONFIG([
          setting('links.currentUserId'),
          'a protected disk needs a function returning the id of the current user (or null for a guest)',
        ])
      }
      this.links = new LinkSigner({ production: options.production, ...options.links })
      this.#links = options.links
      this.protectedLinks = new ProtectedLinks({
        signer: this.links,
        cloudfront: this.cloudfront,
        cdn,
        signatureTimeout,
        objectKey,
      })
    }
  }

  /**
   * A protected link to `key` for the current user, with the link's options.
   */
  async linkFor(disk: string, key: string, options: LinkOptions = {}): Promise<string> {
    this.#assertServable(key, options)
    const userId = await this.#links!.currentUserId()
    const revision = await this.#links!.currentUserRevision?.()
    const realm = await this.#links!.currentUserRealm?.()
    return this.links!.linkFor(disk, key, {
      userId: userId ?? null,
      ...(realm === null || realm === undefined ? {} : { realm }),
      ...(revision === null || revision === undefined ? {} : { revision }),
      ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      ...(options.contentDisposition === undefined
        ? {}
        : { contentDisposition: options.contentDisposition }),
    })
  }

  /**
   * Refuses overrides whose CloudFront URL would pass CloudFront's limit
   * once signed: the redirect could never be made, and the owner would get
   * an error page instead of the file. Checked when the link is made, so
   * a page never renders a dead link.
   */
  #assertServable(key: string, overrides: LinkOverrides) {
    const length = cdnObjectUrl(this.#cdn, this.#objectKey(key), overrides).length
    if (length + SIGNING_PARAMETERS_BYTES >= MAX_URL_BYTES) {
      throw new E_DJAMAZING_INVALID_ARGUMENT([
        overrides.contentDisposition ? 'contentDisposition' : 'contentType',
        `the CloudFront URL would be about ${length + SIGNING_PARAMETERS_BYTES} bytes once signed; CloudFront refuses ${MAX_URL_BYTES} bytes or more. Shorten the value (a download name, say)`,
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

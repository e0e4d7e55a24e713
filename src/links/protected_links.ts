import { cdnObjectUrl, type CdnBase } from '../cdn_url.ts'
import type { CloudFrontSigner } from '../cloudfront/signer.ts'
import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_UNSAFE_REDIRECT } from '../errors.ts'
import { verifiedKeyOf, type LinkSigner } from './signer.ts'
import type { LinkVerifyResult, VerifyInput } from './types.ts'

/**
 * What {@link ProtectedLinks} is made of. The driver makes one per
 * protected disk; tests make their own around the same parts.
 */
export type ProtectedLinksOptions = {
  /**
   * The disk's link signer.
   */
  signer: LinkSigner

  /**
   * Signs the CloudFront URL a verified link redirects to.
   */
  cloudfront: Pick<CloudFrontSigner, 'signUrlAsync'>

  /**
   * The disk's CDN URL.
   */
  cdn: CdnBase

  /**
   * Lifetime of the CloudFront URL, in seconds.
   */
  signatureTimeout: number

  /**
   * The key in the bucket of a key of the disk (its prefix added).
   * Default: the key itself.
   */
  objectKey?: (key: string) => string
}

/**
 * The protected-link side of one disk, what the redirect route needs of
 * it (`driver.protectedLinks`): checks a link, and signs the CloudFront
 * URL of the file of a link it verified, nothing else.
 */
export class ProtectedLinks {
  #signer: LinkSigner
  #cloudfront: Pick<CloudFrontSigner, 'signUrlAsync'>
  #cdn: CdnBase
  #signatureTimeout: number
  #objectKey: (key: string) => string

  constructor(options: ProtectedLinksOptions) {
    this.#signer = options.signer
    this.#cloudfront = options.cloudfront
    this.#cdn = options.cdn
    this.#signatureTimeout = options.signatureTimeout
    this.#objectKey = options.objectKey ?? ((key) => key)
  }

  /**
   * Checks a link against the user logged in now (see `LinkSigner.verify`).
   */
  verify(input: VerifyInput): LinkVerifyResult {
    return this.#signer.verify(input)
  }

  /**
   * The CloudFront signed URL a link `verify` accepted redirects to, valid
   * `signatureTimeout` seconds from `now`, with the link's overrides signed
   * into it. Throws `E_DJAMAZING_INVALID_ARGUMENT` for anything but a result of
   * `verify`, and if the URL
   * would leave the CDN's origin (`E_DJAMAZING_UNSAFE_REDIRECT`, defence
   * in depth: it is built from config and the verified key only). `disk`
   * names the disk in that error.
   */
  async redirectUrl(link: LinkVerifyResult, disk: string, now?: Date): Promise<string> {
    const key = verifiedKeyOf(link)
    if (key === undefined || !link.ok) {
      throw new E_DJAMAZING_INVALID_ARGUMENT(['link', 'expected a link verify() accepted'])
    }
    const url = cdnObjectUrl(this.#cdn, this.#objectKey(key), link.overrides)
    const location = await this.#cloudfront.signUrlAsync(url, {
      expiresIn: this.#signatureTimeout,
      now,
    })
    let origin: string | undefined
    try {
      origin = new URL(location).origin
    } catch {}
    if (origin !== this.#cdn.origin) throw new E_DJAMAZING_UNSAFE_REDIRECT([disk])
    return location
  }
}

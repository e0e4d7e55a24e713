import { cdnObjectUrl, cdnUrlFor, type CdnBase } from '../cdn_url.ts'
import { cloudFrontSetCookies } from '../cloudfront/cookies.ts'
import { viewerIpv4 } from '../cloudfront/policy.ts'
import type { CloudFrontSigner } from '../cloudfront/signer.ts'
import type { ResolvedFolderCookies, ResolvedRedirects } from '../disk/redirects.ts'
import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_UNSAFE_REDIRECT } from '../errors.ts'
import { Lru } from '../lru.ts'
import type { SignedUrlCache } from '../signed_url_cache.ts'
import { cdnLifetime } from './cdn_lifetime.ts'
import { verifiedKeyOf, type LinkSigner } from './signer.ts'
import type { LinkVerifyResult, VerifiedLink, VerifyInput } from './types.ts'

/**
 * Where a remembered link keeps what it was accepted for (the input but
 * the query, its memo key, and the time), its CDN URL and the last URL
 * signed for it: a property only this module can name, so the link's
 * shape stays what `verify` documents.
 */
const REMEMBERED = Symbol('remembered')
const ACCEPTED_FOR = ['disk', 'key', 'userId', 'realm', 'revision'] as const
type Remembered = VerifiedLink & {
  [REMEMBERED]?: Pick<VerifyInput, (typeof ACCEPTED_FOR)[number]> & {
    cdnUrl?: string
    signed?: { expiresAt: number; ipAddress: string | undefined; location: string }
  }
}

/**
 * What {@link ProtectedLinks} is made of. The driver makes one per
 * protected disk; tests make their own around the same parts.
 */
export type ProtectedLinksOptions = {
  /**
   * The name of the disk: its links name it, and the redirect route
   * serves a link only through the disk of that name.
   */
  disk: string

  signer: LinkSigner

  /**
   * Signs the CloudFront URL a verified link redirects to (and the cookies
   * of a folder link).
   */
  cloudfront: Pick<CloudFrontSigner, 'signUrlAsync'> &
    Partial<Pick<CloudFrontSigner, 'signCookies'>>

  cdn: CdnBase

  /**
   * The lifetimes of the CloudFront URLs it redirects to (see `cdnLifetime`).
   */
  redirects: Pick<ResolvedRedirects, 'expiresIn'> & Partial<ResolvedRedirects>

  /**
   * The key in the bucket of a key of the disk (its prefix added).
   * Default: the key itself.
   */
  objectKey?: (key: string) => string

  /**
   * Where windowed URLs are kept (one signature per key, overrides,
   * viewer and window). A disk with one also remembers as many links it
   * verified, so a link followed again (a gallery revisited, a player's
   * next `Range` request) skips the MAC.
   */
  cache?: SignedUrlCache

  /**
   * Folder links: the disk's `folderCookies`. Default: none, folder links are refused.
   */
  folders?: ResolvedFolderCookies
}

/**
 * The protected-link side of one disk, what the redirect route needs of
 * it (`driver.protectedLinks`): checks a link, and signs the CloudFront
 * URL of the file of a link it verified, nothing else.
 */
export class ProtectedLinks {
  #options: ProtectedLinksOptions & { objectKey: (key: string) => string }
  #verified?: Lru<Remembered>

  /**
   * The name of the disk whose links these are.
   */
  readonly disk: string

  constructor(options: ProtectedLinksOptions) {
    this.#options = { ...options, objectKey: options.objectKey ?? ((key) => key) }
    this.disk = options.disk
    if (options.cache) this.#verified = new Lru(options.cache.maxEntries)
  }

  /**
   * Checks a link against the user logged in now (see `LinkSigner.verify`).
   * Only accepted links are remembered, with every input the answer
   * depends on except the time, so a link is answered exactly as the
   * signer would, and expiry is checked on every request.
   */
  verify(input: VerifyInput): LinkVerifyResult {
    const memo = this.#verified
    const signer = this.#options.signer
    if (!memo || typeof input.query !== 'string') return signer.verify(input)
    // The query carries the link's MAC, so it names one link; the rest of
    // the input must be what that link was accepted for.
    const known = memo.get(input.query)
    const accepted = known?.[REMEMBERED]
    if (accepted && ACCEPTED_FOR.every((name) => accepted[name] === input[name])) {
      const now = input.now?.getTime() ?? Date.now()
      return now >= known.expiresAt.getTime() ? { ok: false, reason: 'expired' } : known
    }
    const result = signer.verify(input)
    if (result.ok) memo.set(input.query, this.#remember(result, input))
    return result
  }

  /**
   * The CloudFront signed URL a link `verify` accepted redirects to, valid
   * `redirects.expiresIn` seconds from `now`, with the link's overrides signed
   * into it. Throws `E_DJAMAZING_INVALID_ARGUMENT` for anything but a result of
   * `verify`, and if the URL
   * would leave the CDN's origin (`E_DJAMAZING_UNSAFE_REDIRECT`, defence
   * in depth: it is built from config and the verified key only). `disk`
   * names the disk in that error.
   */
  async redirectUrl(
    link: LinkVerifyResult,
    disk: string,
    now: Date = new Date(),
    clientIp?: string
  ): Promise<string> {
    const key = this.#keyOf(link)
    const verified = link as VerifiedLink
    const timing = cdnLifetime(verified, this.#options.redirects, now.getTime(), clientIp)
    const remembered = (verified as Remembered)[REMEMBERED]
    const expiresAt = timing.expiresAt?.getTime()
    const last = remembered?.signed
    // The same expiry and viewer as last time: the same URL, as the cache would give.
    if (last && last.expiresAt === expiresAt && last.ipAddress === timing.ipAddress) {
      return last.location
    }
    const url = remembered?.cdnUrl ?? this.#cdnUrlOf(key, verified)
    // Checked once per signature: a cached URL passed when it was made.
    const sign = async () => {
      const location = await this.#options.cloudfront.signUrlAsync(url, { ...timing, now })
      this.#assertOnCdn(location, disk)
      return location
    }
    const cache = this.#options.cache
    if (!cache || expiresAt === undefined) return sign()
    const location = await cache.getOrSign(`${expiresAt} ${timing.ipAddress ?? ''} ${url}`, sign)
    if (remembered) remembered.signed = { expiresAt, ipAddress: timing.ipAddress, location }
    return location
  }

  /**
   * For a folder link `verify` accepted: CloudFront signed cookies for
   * every file under its folder on the CDN (custom policy on the folder's
   * URL and a trailing `*`), with the cookie attributes AWS advises, where
   * they live, and the unsigned URL of the entry file. `undefined` when the
   * disk opens no folders.
   */
  openFolder(link: LinkVerifyResult, disk: string, now: Date = new Date(), clientIp?: string) {
    const key = this.#keyOf(link)
    const { folders, cloudfront, cdn, objectKey, redirects } = this.#options
    const { folder, bindIp } = link as VerifiedLink
    if (!folders || !folder || !cloudfront.signCookies) return undefined
    const folderUrl = cdnUrlFor(cdn, objectKey(folder))
    const ipAddress = bindIp ? viewerIpv4(clientIp) : undefined
    // A viewer the cookies cannot be bound to (IPv6: CloudFront policies
    // take IPv4 only) gets what an unbound redirect hands out, as media
    // links do: `redirects.expiresIn`, never the folder's lifetime unbound.
    const expiresIn = bindIp && ipAddress === undefined ? redirects.expiresIn : folders.expiresIn
    const cookies = cloudfront.signCookies({
      // Keys are strictly encoded: no `*` or `?` of their own, so the
      // trailing `*` is the only wildcard.
      resource: `${folderUrl}*`,
      expiresIn,
      now,
      policy: 'custom',
      ...(ipAddress ? { ipAddress } : {}),
    })
    const scope = {
      path: new URL(folderUrl).pathname,
      ...(folders.domain ? { domain: folders.domain } : {}),
    }
    const location = cdnUrlFor(cdn, objectKey(key))
    this.#assertOnCdn(location, disk)
    const maxAge = Math.ceil(expiresIn)
    const secure = folderUrl.startsWith('https:')
    return {
      location,
      cookies: cloudFrontSetCookies(cookies, { ...scope, secure, maxAge }),
      scope,
      maxAge,
    }
  }

  /**
   * The unsigned CDN URL of the file of a verified link.
   */
  #cdnUrlOf(key: string, link: VerifiedLink): string {
    return cdnObjectUrl(this.#options.cdn, this.#options.objectKey(key), link.overrides)
  }

  /**
   * A verified link as it is remembered: frozen (every request shares
   * it), with what it was accepted for, its CDN URL made once, and room
   * for the last URL signed for it. A URL that cannot be made is left for
   * `redirectUrl` to fail on, as for any link.
   */
  #remember(link: VerifiedLink, input: VerifyInput): Remembered {
    const { disk, key, userId, realm, revision } = input
    let cdnUrl: string | undefined
    try {
      cdnUrl = this.#cdnUrlOf(key, link)
    } catch {}
    Object.defineProperty(link, REMEMBERED, {
      value: { disk, key, userId, realm, revision, cdnUrl },
    })
    return Object.freeze(link)
  }

  /**
   * The key of a link `verify` accepted; anything else is refused.
   */
  #keyOf(link: LinkVerifyResult): string {
    const key = verifiedKeyOf(link)
    if (key === undefined || !link.ok) {
      throw new E_DJAMAZING_INVALID_ARGUMENT(['link', 'expected a link verify() accepted'])
    }
    return key
  }

  #assertOnCdn(location: string, disk: string) {
    if (URL.parse(location)?.origin !== this.#options.cdn.origin)
      throw new E_DJAMAZING_UNSAFE_REDIRECT([disk])
  }
}

import { Lru } from './lru.ts'

/**
 * A bounded, least-recently-used cache of signed CloudFront URLs, for
 * disks with a `redirects.window`. Keys carry the URL's expiry, so an entry
 * is never served past its window: it stops being asked for and is pushed
 * out by newer ones.
 *
 * It stores the pending signature, so concurrent redirects for one key
 * sign once. ECDSA signatures are randomised: without this cache two
 * redirects in one window would get different URLs (and the browser would
 * download the file twice); RSA PKCS#1 v1.5 ones are deterministic, so
 * app instances that do not share a cache still agree on RSA URLs.
 */
export class SignedUrlCache extends Lru<Promise<string>> {
  /**
   * The cached URL for `key`, or the one `sign` makes (a failed signature
   * is not kept).
   */
  getOrSign(key: string, sign: () => Promise<string>): Promise<string> {
    const hit = this.get(key)
    if (hit) return hit
    const pending = sign()
    this.set(key, pending)
    pending.catch(() => this.deleteIf(key, pending))
    return pending
  }
}

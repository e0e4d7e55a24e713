/**
 * A bounded, least-recently-used cache of signed CloudFront URLs, for
 * disks with a `signatureWindow`. Keys carry the URL's expiry, so an entry
 * is never served past its window: it stops being asked for and is pushed
 * out by newer ones.
 *
 * It stores the pending signature, so concurrent redirects for one key
 * sign once. ECDSA signatures are randomised: without this cache two
 * redirects in one window would get different URLs (and the browser would
 * download the file twice); RSA PKCS#1 v1.5 ones are deterministic, so
 * app instances that do not share a cache still agree on RSA URLs.
 */
export class SignedUrlCache {
  #entries = new Map<string, Promise<string>>()
  readonly maxEntries: number

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#entries.size
  }

  /**
   * The cached URL for `key`, or the one `sign` makes (a failed signature
   * is not kept).
   */
  getOrSign(key: string, sign: () => Promise<string>): Promise<string> {
    const hit = this.#entries.get(key)
    if (hit) {
      // Map keeps insertion order: re-inserting makes it the most recent.
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      return hit
    }
    const pending = sign()
    this.#entries.set(key, pending)
    if (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!)
    }
    pending.catch(() => {
      if (this.#entries.get(key) === pending) this.#entries.delete(key)
    })
    return pending
  }
}

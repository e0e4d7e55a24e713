import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'

/**
 * The edge cache's settings. CloudFront's edge caches are large and evict
 * what is least requested; this one lives in the process's memory, so it
 * is bounded and evicts the least recently used entry first.
 */
export type EdgeCacheSettings = {
  /**
   * The most bytes of bodies kept at once. Default 64 MiB.
   */
  maxBytes?: number
  /**
   * The most entries (objects and cached errors) kept at once. Default 1,000.
   */
  maxEntries?: number
  /**
   * Larger objects are passed through and never kept. Default 8 MiB.
   */
  maxObjectBytes?: number
  /**
   * CloudFront's error caching minimum TTL: 404 and 5xx answers of the
   * origin are kept this long (whole seconds). Default 10.
   */
  errorCachingMinTtl?: number
}

const CACHE_DEFAULTS = {
  maxBytes: 64 * 1024 * 1024,
  maxEntries: 1000,
  maxObjectBytes: 8 * 1024 * 1024,
  errorCachingMinTtl: 10,
} as const

/**
 * One cached answer. `path` is what CloudFront's invalidation paths are
 * matched against: the request path from the distribution's root, its
 * `%XX` decoded (`/photos/a b.jpg`), then `?` and the query strings of
 * the cache key as sent, when the behavior's cache policy keeps any.
 */
export type CacheEntry<V> = {
  value: V
  bytes: number
  path: string
  /**
   * Milliseconds of the cache's clock when the answer was stored or last
   * revalidated (`Age` counts from here).
   */
  storedAt: number
  /**
   * Milliseconds of the cache's clock after which the entry is stale: the
   * next request asks the origin again.
   */
  expiresAt: number
}

/**
 * A whole number setting of the edge: seconds when `min` is 0, else a count.
 */
export function readBound(value: number | undefined, fallback: number, setting: string, min = 0) {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      min === 0 ? 'whole seconds, 0 or more' : 'a whole number above 0',
    ])
  }
  return value
}

/**
 * A path as invalidations compare it: its `%XX` decoded (the query, if
 * any, left as sent). The viewer's URL and the invalidation path may
 * encode one key differently: djamazing's URLs encode `(`, `)`, `!`, `'`
 * and `*`, AWS asks invalidation paths to encode only unsafe characters
 * (and `~`), and each is the same file.
 */
function comparable(path: string): string {
  const [rawPath, ...query] = path.split('?')
  let decoded = rawPath
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    // Not valid percent-encoding: compared as sent.
  }
  return [decoded, ...query].join('?')
}

/**
 * Checks one CloudFront invalidation path and returns how it matches:
 * exactly, or (ending with `*`) as a prefix. CloudFront takes paths that
 * start with `/` and have `*` only as their last character.
 */
function readInvalidationPath(path: unknown): (entryPath: string) => boolean {
  const star = typeof path === 'string' ? path.indexOf('*') : -1
  const wrong =
    typeof path !== 'string' || !path.startsWith('/')
      ? 'an invalidation path starts with "/"'
      : star !== -1 && star !== path.length - 1 && '"*" may only be the last character'
  if (wrong || typeof path !== 'string') {
    throw new E_DJAMAZING_INVALID_ARGUMENT(['paths', `${JSON.stringify(path)}: ${wrong}`])
  }
  const given = comparable(star === -1 ? path : path.slice(0, -1))
  return star === -1 ? (entry) => entry === given : (entry) => entry.startsWith(given)
}

/**
 * The local edge's cache: answers by cache key, bounded in bytes and
 * entries (least recently used out first), with CloudFront's invalidation
 * by path. It only stores: what is cached and for how long is decided by
 * the edge (see `cache_policy.ts`). Its clock is the edge's (`now`), so
 * tests move time instead of waiting.
 */
export class EdgeCache<V> {
  readonly maxBytes: number
  readonly maxEntries: number
  readonly maxObjectBytes: number
  readonly errorCachingMinTtl: number
  #bytes = 0
  // A Map keeps insertion order: re-inserting on use makes its first key
  // the least recently used.
  #entries = new Map<string, CacheEntry<V>>()
  #inflight = new Map<string, Promise<void>>()
  readonly #now: () => number

  constructor(options: EdgeCacheSettings = {}, now: () => number = Date.now) {
    const read = (name: keyof EdgeCacheSettings, fallback: number, min = 1) =>
      readBound(options[name], fallback, `edge.cache.${name}`, min)
    this.maxBytes = read('maxBytes', CACHE_DEFAULTS.maxBytes)
    this.maxEntries = read('maxEntries', CACHE_DEFAULTS.maxEntries)
    this.maxObjectBytes = read(
      'maxObjectBytes',
      Math.min(CACHE_DEFAULTS.maxObjectBytes, this.maxBytes)
    )
    if (this.maxObjectBytes > this.maxBytes) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'edge.cache.maxObjectBytes',
        `it cannot be above maxBytes (${this.maxBytes})`,
      ])
    }
    this.errorCachingMinTtl = read('errorCachingMinTtl', CACHE_DEFAULTS.errorCachingMinTtl, 0)
    this.#now = now
  }

  /**
   * The time of the cache's clock, in milliseconds.
   */
  now(): number {
    return this.#now()
  }

  /**
   * How many entries and bytes are kept.
   */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes }
  }

  /**
   * The entry of a cache key, fresh or stale (the caller decides), and
   * marks it as used.
   */
  get(key: string): CacheEntry<V> | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry
  }

  isFresh(entry: CacheEntry<V>): boolean {
    return this.#now() < entry.expiresAt
  }

  /**
   * Whole seconds since the entry was stored, as CloudFront's `Age`.
   */
  age(entry: CacheEntry<V>): number {
    return Math.max(0, Math.floor((this.#now() - entry.storedAt) / 1000))
  }

  /**
   * Keeps an answer for `ttl` seconds from `storedAt` (default now: the
   * time of the origin's answer). Returns false (and drops any older
   * entry of the key) when it is not kept: no TTL, or over `maxObjectBytes`.
   */
  set(
    key: string,
    entry: { value: V; bytes: number; path: string; ttl: number; storedAt?: number }
  ): boolean {
    this.delete(key)
    if (!(entry.ttl > 0) || entry.bytes > this.maxObjectBytes) return false
    const storedAt = entry.storedAt ?? this.#now()
    this.#entries.set(key, {
      value: entry.value,
      bytes: entry.bytes,
      path: comparable(entry.path),
      storedAt,
      expiresAt: storedAt + entry.ttl * 1000,
    })
    this.#bytes += entry.bytes
    while (this.#bytes > this.maxBytes || this.#entries.size > this.maxEntries) {
      this.delete(this.#entries.keys().next().value!)
    }
    return true
  }

  /**
   * Keeps an entry another `ttl` seconds from now (the origin said it has
   * not changed, or failed while a stale copy is served).
   */
  renew(entry: CacheEntry<V>, ttl: number, options: { resetAge: boolean }) {
    const now = this.#now()
    if (options.resetAge) entry.storedAt = now
    entry.expiresAt = now + ttl * 1000
  }

  delete(key: string): boolean {
    const entry = this.#entries.get(key)
    if (!entry) return false
    this.#entries.delete(key)
    this.#bytes -= entry.bytes
    return true
  }

  /**
   * Drops every entry of the paths, as a CloudFront invalidation does:
   * each path starts with `/`, from the distribution's root; one ending
   * with `*` drops every path starting with what precedes it (`/*` is
   * everything); otherwise the path must be equal. Case-sensitive, and
   * compared with `%XX` decoded on both sides, so `/a%20(1).jpg` drops
   * what viewers requested as `/a%20%281%29.jpg`. A query string is part
   * of an entry's path only when the cache key keeps query strings
   * (CloudFront never keeps its signing parameters), so a signed URL's
   * entry is `/key` alone. Returns how many entries were dropped. A path
   * that breaks CloudFront's rules is `E_DJAMAZING_INVALID_ARGUMENT` and
   * nothing is dropped.
   */
  invalidate(paths: readonly string[]): number {
    const rules = paths.map(readInvalidationPath)
    let dropped = 0
    for (const [key, entry] of [...this.#entries]) {
      if (rules.some((matches) => matches(entry.path)) && this.delete(key)) dropped++
    }
    return dropped
  }

  /**
   * Collapses requests for one key, as CloudFront does: while `fill` runs
   * for a key, another `collapse` of that key waits for it to finish
   * (failed or not) instead of running its own, and returns false: the
   * caller looks in the cache again. Returns true for the one that filled.
   */
  async collapse(key: string, fill: () => Promise<void>): Promise<boolean> {
    const running = this.#inflight.get(key)
    if (running) {
      await running.catch(() => {})
      return false
    }
    const work = fill()
    this.#inflight.set(key, work)
    try {
      await work
    } finally {
      if (this.#inflight.get(key) === work) this.#inflight.delete(key)
    }
    return true
  }

  /**
   * Whether a fill for the key is running.
   */
  filling(key: string): boolean {
    return this.#inflight.has(key)
  }
}

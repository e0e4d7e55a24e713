import { SIGNING_PARAMS } from '../cloudfront/policy.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { readBound } from './cache.ts'

/**
 * The part of a CloudFront cache policy the edge emulates: the TTLs (in
 * seconds, as CloudFront takes them) and which query strings are in the
 * cache key. Headers and cookies are never in the key (the S3 origin
 * answers the same whatever they are).
 */
export type EdgeCachePolicy = {
  /**
   * `MinTTL`. Default 1 (the managed CachingOptimized policy).
   */
  minTtl?: number
  /**
   * `DefaultTTL`: objects without `Cache-Control` max-age/s-maxage or
   * `Expires`. Default 86,400 (24 h).
   */
  defaultTtl?: number
  /**
   * `MaxTTL`. Default 31,536,000 (a year).
   */
  maxTtl?: number
  /**
   * The query strings in the cache key: `'none'` (the default, as
   * CachingOptimized), `'all'`, or the names to keep. CloudFront's signing
   * parameters are never in it.
   */
  queryStrings?: 'none' | 'all' | readonly string[]
}

export type ResolvedCachePolicy = Required<Omit<EdgeCachePolicy, 'queryStrings'>> & {
  queryStrings: 'none' | 'all' | ReadonlySet<string>
}

/**
 * AWS's managed cache policy CachingOptimized (id
 * 658327ea-f89d-4fab-a63d-7e88639e58f6), the one djamazing's set-up uses.
 */
export const CACHING_OPTIMIZED: ResolvedCachePolicy = {
  minTtl: 1,
  defaultTtl: 86_400,
  maxTtl: 31_536_000,
  queryStrings: 'none',
}

/**
 * The statuses CloudFront caches whatever the origin's headers say
 * (`HTTPStatusCodes.md`, "always caches"). 400, 403, 412 and 415 are kept
 * only with max-age or s-maxage; 416 never.
 */
const ALWAYS_CACHED_ERRORS = new Set([404, 405, 414, 500, 501, 502, 503, 504])
const CACHED_WITH_MAX_AGE = new Set([400, 403, 412, 415])

/**
 * Reads a behavior's cache policy; unset fields are CachingOptimized's.
 * CloudFront refuses a policy whose TTLs are out of order, and so does this.
 */
export function resolveCachePolicy(
  policy: EdgeCachePolicy | undefined,
  setting: string
): ResolvedCachePolicy {
  if (policy === undefined) return CACHING_OPTIMIZED
  const minTtl = readBound(policy.minTtl, CACHING_OPTIMIZED.minTtl, `${setting}.minTtl`)
  const maxTtl = readBound(
    policy.maxTtl,
    Math.max(CACHING_OPTIMIZED.maxTtl, minTtl),
    `${setting}.maxTtl`
  )
  const defaultTtl = readBound(
    policy.defaultTtl,
    Math.min(Math.max(CACHING_OPTIMIZED.defaultTtl, minTtl), maxTtl),
    `${setting}.defaultTtl`
  )
  if (!(minTtl <= defaultTtl && defaultTtl <= maxTtl)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `minTtl (${minTtl}) <= defaultTtl (${defaultTtl}) <= maxTtl (${maxTtl}), as CloudFront requires`,
    ])
  }
  const names = policy.queryStrings ?? 'none'
  if (names !== 'none' && names !== 'all' && !Array.isArray(names)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.queryStrings`,
      "'none', 'all' or a list of names",
    ])
  }
  return {
    minTtl,
    defaultTtl,
    maxTtl,
    queryStrings: typeof names === 'string' ? names : new Set(names),
  }
}

/**
 * The directives of a `Cache-Control` value, names lower-cased, values
 * unquoted (`max-age=60` gives `max-age` → `'60'`).
 */
export function cacheDirectives(value: string | undefined): Map<string, string> {
  const directives = (value ?? '').split(',').map((part) => {
    const [name, ...rest] = part.split('=')
    const unquoted = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1')
    return [name.trim().toLowerCase(), unquoted] as const
  })
  return new Map(directives.filter(([name]) => name !== ''))
}

function seconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

/**
 * How long CloudFront keeps an object, in seconds (0: not at all), from
 * its `Cache-Control` and `Expires` and the behavior's TTLs, as
 * `Expiration.md` lays it out:
 * - `no-store`, `no-cache` or `private`: the minimum TTL (so never with a
 *   minimum of 0, one second with CachingOptimized's);
 * - `s-maxage`, else `max-age`, else `Expires` (from `now`): that,
 *   clamped between the minimum and maximum TTL;
 * - none of them: the default TTL (never below the minimum).
 */
export function objectTtl(
  headers: { cacheControl?: string; expires?: string },
  policy: ResolvedCachePolicy,
  now: number
): number {
  const clamp = (ttl: number) => Math.min(Math.max(ttl, policy.minTtl), policy.maxTtl)
  const directives = cacheDirectives(headers.cacheControl)
  if (['no-store', 'no-cache', 'private'].some((name) => directives.has(name))) {
    return policy.minTtl
  }
  const given = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'))
  if (given !== undefined) return clamp(given)
  if (headers.expires !== undefined) {
    // An Expires that is no date means "already expired" (RFC 9111 5.3).
    const at = Date.parse(headers.expires)
    return clamp(Number.isNaN(at) ? 0 : Math.max(0, Math.ceil((at - now) / 1000)))
  }
  return Math.max(policy.minTtl, policy.defaultTtl)
}

/**
 * How long CloudFront keeps an error answer of the origin, in seconds
 * (0: not at all): for the statuses it always caches, the longer of the
 * error caching minimum TTL and the answer's max-age/s-maxage; 400, 403,
 * 412 and 415 only with one of those; anything else (416 among them) never.
 */
export function errorTtl(
  status: number,
  cacheControl: string | undefined,
  errorCachingMinTtl: number
): number {
  const directives = cacheDirectives(cacheControl)
  const given = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'))
  if (ALWAYS_CACHED_ERRORS.has(status)) return Math.max(errorCachingMinTtl, given ?? 0)
  if (CACHED_WITH_MAX_AGE.has(status) && given !== undefined) {
    return Math.max(errorCachingMinTtl, given)
  }
  return 0
}

/**
 * The path a request's cache entry answers to, and invalidation paths
 * match: `/` and the raw path from the distribution's root, then `?` and
 * the query strings of the cache key as sent (their order and case
 * matter, as on CloudFront), if any: the ones the policy keeps, never
 * the signing parameters.
 */
export function cachePath(rawPath: string, query: string, policy: ResolvedCachePolicy): string {
  const names = policy.queryStrings
  const keyed = query.split('&').filter((pair) => {
    if (names === 'none' || pair === '') return false
    const name = pair.split('=')[0]
    let decoded = name
    try {
      decoded = decodeURIComponent(name.replaceAll('+', ' '))
    } catch {
      // Not valid percent-encoding: compared as sent.
    }
    return !SIGNING_PARAMS.has(decoded) && (names === 'all' || names.has(decoded))
  })
  return `/${rawPath}${keyed.length === 0 ? '' : `?${keyed.join('&')}`}`
}

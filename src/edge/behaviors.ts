import { wildcardMatcher } from '../cloudfront/wildcard.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { resolveCachePolicy } from './cache_policy.ts'
import { compileCors } from './cors.ts'
import type { EdgeBehavior } from './types.ts'

type CompiledBehavior = ResolvedBehavior & { matches: (path: string) => boolean }

const METHOD_SETS = ['GET,HEAD', 'GET,HEAD,OPTIONS']

/**
 * What CloudFront takes as a path pattern ("Path pattern" in
 * `distribution-web-values-specify.md`): at most 255 characters of
 * `A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + &`, and `?`, its one-character
 * wildcard. A pattern it would refuse when the distribution is saved is
 * refused here when the edge is created, so it never works locally only.
 */
const PATH_PATTERN = /^[A-Za-z0-9_\-.*$/~"'@:+&?]{1,255}$/

/**
 * Keys one behavior can trust: 4 key groups of 5 public keys each
 * (`cloudfront-limits.md`).
 */
const MAX_TRUSTED_KEYS = 20

/**
 * Refuses, naming `setting`, a path pattern CloudFront would refuse.
 */
export function assertPathPattern(pathPattern: string, setting: string): void {
  if (PATH_PATTERN.test(pathPattern)) return
  throw new E_DJAMAZING_INVALID_CONFIG([
    setting,
    `CloudFront refuses the path pattern ${JSON.stringify(pathPattern)}: a path pattern is at most 255 characters of A-Z a-z 0-9 _ - . * ? $ / ~ " ' @ : + &`,
  ])
}

/**
 * The parts of a behavior that do not depend on its path pattern, checked.
 */
function resolve(behavior: Omit<EdgeBehavior, 'pathPattern'>, setting: string) {
  if (typeof behavior.signed !== 'boolean') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.signed`,
      'it must be true (signed URLs or cookies required) or false (public)',
    ])
  }
  const methods = behavior.allowedMethods ?? ['GET', 'HEAD']
  if (!Array.isArray(methods) || !METHOD_SETS.includes(methods.join(','))) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.allowedMethods`,
      "it must be ['GET', 'HEAD'] or ['GET', 'HEAD', 'OPTIONS']: the edge only reads, so CloudFront's sets with PUT, POST, PATCH and DELETE do not apply",
    ])
  }
  const ids = behavior.keyPairIds
  if (
    ids !== undefined &&
    (!Array.isArray(ids) ||
      ids.length === 0 ||
      ids.length > MAX_TRUSTED_KEYS ||
      ids.some((id) => typeof id !== 'string'))
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.keyPairIds`,
      `list the key pair ids the behavior trusts: 1 to ${MAX_TRUSTED_KEYS} (CloudFront allows 4 key groups of 5 keys per behavior)`,
    ])
  }
  if (ids !== undefined && !behavior.signed) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.keyPairIds`,
      'a public behavior trusts no keys: set signed: true or remove keyPairIds',
    ])
  }
  return {
    signed: behavior.signed,
    // The key pair ids this behavior trusts, or every key of the edge.
    keyPairIds: ids === undefined ? undefined : [...ids],
    inlineActiveContent: behavior.inlineActiveContent === true,
    allowedMethods: new Set<string>(methods) as ReadonlySet<string>,
    cors: behavior.cors === undefined ? undefined : compileCors(behavior.cors, `${setting}.cors`),
    cachePolicy: resolveCachePolicy(behavior.cachePolicy, `${setting}.cachePolicy`),
    compress: behavior.compress === true,
  }
}

/**
 * What the edge does with one key: whether it needs a signature, whether
 * active content (HTML, SVG, ...) is served inline, which methods it
 * allows, which CORS headers it adds, its cache policy, and whether it
 * compresses as CloudFront's "Compress objects automatically" does.
 */
export type ResolvedBehavior = ReturnType<typeof resolve>

/**
 * The ways a signed pattern can be reached unsigned: a request that spells
 * one of its `/` as `%2F` does not match it (CloudFront matches the
 * normalised path, where `%2F` is no separator) but may match a later
 * public pattern or a public default, and S3 decodes `%2F` to `/`, the key
 * of the signed object. One message per signed pattern exposed.
 */
function encodedSlashExposures(
  behaviors: EdgeBehavior[],
  compiled: CompiledBehavior[],
  fallback: ResolvedBehavior
): string[] {
  return compiled.flatMap((behavior, index) => {
    if (!behavior.signed) return []
    const pattern = behaviors[index].pathPattern.replace(/^\//, '')
    const sample = pattern.replaceAll('*', 'x').replaceAll('?', 'x')
    const spellings = [...sample.matchAll(/\//g)].map(
      (slash) => `${sample.slice(0, slash.index)}%2F${sample.slice(slash.index + 1)}`
    )
    for (const spelling of spellings) {
      const found = compiled.findIndex((other) => other.matches(spelling))
      const reached = found === -1 ? fallback : compiled[found]
      if (reached.signed) continue
      const by =
        found === -1
          ? 'the public default behavior'
          : `the public pattern "${behaviors[found].pathPattern}"`
      return [
        `the signed pattern "${behaviors[index].pathPattern}" can be read unsigned through ${by}: a request for "/${spelling}" does not match it (CloudFront keeps %2F encoded when it matches behaviors) and S3 decodes it to the signed key. Sign the default behavior and make public prefixes the patterns, or sign the overlapping public pattern too`,
      ]
    }
    return []
  })
}

/**
 * Compiles the behaviors once, when the edge is created, and returns the
 * function that picks the behavior of a path. Matching runs on the
 * request path as CloudFront normalises it (RFC 3986, `%2F` left encoded:
 * see `normalizePath`), so the edge picks the behavior CloudFront would,
 * including where that opens a signed object to an unsigned request
 * (`warnings` says where).
 */
export function compileBehaviors(
  behaviors: EdgeBehavior[] = [],
  defaultBehavior: Omit<EdgeBehavior, 'pathPattern'> = { signed: true }
) {
  const compiled: CompiledBehavior[] = behaviors.map((behavior, index) => {
    if (typeof behavior.pathPattern !== 'string' || behavior.pathPattern === '') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `edge.behaviors[${index}].pathPattern`,
        'it must be a non-empty path pattern such as "static/*"',
      ])
    }
    assertPathPattern(behavior.pathPattern, `edge.behaviors[${index}].pathPattern`)
    return {
      matches: wildcardMatcher(behavior.pathPattern.replace(/^\//, '')),
      ...resolve(behavior, `edge.behaviors[${index}]`),
    }
  })
  const fallback = resolve(defaultBehavior, 'edge.defaultBehavior')
  return {
    anySigned: defaultBehavior.signed || compiled.some((behavior) => behavior.signed),
    behaviorFor: (path: string): ResolvedBehavior =>
      compiled.find((behavior) => behavior.matches(path)) ?? fallback,
    warnings: encodedSlashExposures(behaviors, compiled, fallback),
    // Each distinct `keyPairIds` list of the behaviors.
    trustedKeySets: [
      ...new Map(
        [...compiled, fallback]
          .filter((behavior) => behavior.keyPairIds)
          .map((behavior) => [behavior.keyPairIds!.join(','), behavior.keyPairIds!])
      ).values(),
    ],
  }
}

import { BlockList, isIPv4 } from 'node:net'
import { E_DJAMAZING_INVALID_SIGNING_OPTIONS } from '../errors.ts'

/**
 * The query parameters CloudFront reads as the signature. A URL's own
 * query must not use these names, and they must come last.
 */
export const SIGNING_PARAM_NAMES = [
  'Expires',
  'Policy',
  'Signature',
  'Key-Pair-Id',
  'Hash-Algorithm',
] as const
export const SIGNING_PARAMS: ReadonlySet<string> = new Set(SIGNING_PARAM_NAMES)
export type SigningParam = (typeof SIGNING_PARAM_NAMES)[number]

/**
 * CloudFront refuses URLs of 8,192 bytes or more.
 */
export const MAX_URL_BYTES = 8192

/**
 * CloudFront's largest `Expires` / `DateLessThan`: 2038-01-19T03:14:07Z.
 */
export const MAX_EPOCH_SECONDS = 2_147_483_647

/**
 * What a request URL may contain, as sent on the wire: printable ASCII
 * without space, `"`, `#` and `\`. Non-ASCII characters and spaces must be
 * percent-encoded first (`encodeObjectKey`, `cdnUrlFor`): a browser would
 * encode them before sending, and CloudFront compares the URL it receives
 * with the signed policy byte for byte. It also keeps the URL a valid JSON
 * string without escaping, as CloudFront rebuilds the canned policy.
 */
export const URL_SYNTAX =
  /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:[/?][\x21\x24-\x5b\x5d-\x7e]*)?$/

/**
 * Checks that `url` can be signed: absolute http(s), already encoded, no
 * fragment, no signing parameter of its own, not ending in `?` or `&`.
 */
export function assertSignableUrl(url: unknown): asserts url is string {
  if (typeof url !== 'string' || !URL_SYNTAX.test(url)) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'url',
      'expected an absolute http(s) URL with spaces and non-ASCII characters percent-encoded and no fragment (build it with cdnUrlFor)',
    ])
  }
  if (url.length >= MAX_URL_BYTES) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'url',
      `the URL is ${url.length} bytes; CloudFront refuses URLs of ${MAX_URL_BYTES} bytes or more`,
    ])
  }
  const queryStart = url.indexOf('?')
  if (queryStart === -1) return
  if (url.endsWith('?') || url.endsWith('&')) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS(['url', 'the URL must not end with "?" or "&"'])
  }
  for (const pair of url.slice(queryStart + 1).split('&')) {
    const [name] = pair.split('=', 1)
    if (SIGNING_PARAMS.has(name)) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'url',
        `its own query has a "${name}" parameter, which CloudFront would read as part of the signature. Rename it, or sign the URL without signing parameters`,
      ])
    }
  }
}

/**
 * True when a policy resource holds a wildcard: `*`, or a `?` not written `\?`.
 */
export function hasWildcard(resource: string): boolean {
  return /\*|(?<!\\)\?/.test(resource)
}

/**
 * A canned policy, byte for byte as CloudFront rebuilds it from the request:
 * no whitespace, this key order. `url` is JSON-safe (see `assertSignableUrl`).
 */
export function cannedPolicy(url: string, expires: number): string {
  return `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`
}

/**
 * A signing window in whole epoch seconds, as policies carry it.
 */
export type ResolvedWindow = {
  expires: number
  startsAt: number | undefined
  sourceIp: string | undefined
}

/**
 * A custom policy with one statement. Conditions are written in the order
 * the AWS SDKs use (DateLessThan, DateGreaterThan, IpAddress), so the same
 * inputs give the same bytes.
 */
export function customPolicy(resource: string, window: ResolvedWindow): string {
  let condition = `"DateLessThan":{"AWS:EpochTime":${window.expires}}`
  if (window.startsAt !== undefined) {
    condition += `,"DateGreaterThan":{"AWS:EpochTime":${window.startsAt}}`
  }
  if (window.sourceIp !== undefined)
    condition += `,"IpAddress":{"AWS:SourceIp":"${window.sourceIp}"}`
  return `{"Statement":[{"Resource":${JSON.stringify(resource)},"Condition":{${condition}}}]}`
}

/**
 * The custom-policy `Resource` that matches exactly `url` and nothing else:
 * the `?` that starts the query is written `\?` (a bare `?` is a one
 * character wildcard). A literal `*` cannot be escaped in a policy, and a
 * `?` inside the query would be a wildcard: such URLs are refused; pass
 * them through `escapeUrlWildcards` first (a `filename*=UTF-8''...` value
 * in `response-content-disposition` is the usual case). Copying such a URL
 * verbatim, as the AWS SDK does, signs a policy that also admits other
 * file names.
 */
export function literalResource(url: string): string {
  const queryStart = url.indexOf('?')
  if (url.includes('*') || (queryStart !== -1 && url.includes('?', queryStart + 1))) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'url',
      'the URL holds a literal "*" or a "?" inside its query, which a custom policy reads as wildcards. Percent-encode them ("%2A", "%3F"): escapeUrlWildcards(url) does',
    ])
  }
  return queryStart === -1 ? url : `${url.slice(0, queryStart)}\\?${url.slice(queryStart + 1)}`
}

/**
 * The same URL for the origin with every `*` written `%2A` and every `?`
 * inside the query written `%3F` (S3 decodes both back), so it can be used
 * in a custom policy without becoming a wildcard.
 */
export function escapeUrlWildcards(url: string): string {
  const queryStart = url.indexOf('?')
  const path = queryStart === -1 ? url : url.slice(0, queryStart)
  const query = queryStart === -1 ? '' : `?${url.slice(queryStart + 1).replaceAll('?', '%3F')}`
  return `${path}${query}`.replaceAll('*', '%2A')
}

/**
 * The viewer's address as CloudFront policies take it: IPv4 (no leading
 * zeros, which some parsers read as octal), with the IPv4-mapped IPv6 form
 * (`::ffff:192.0.2.1`) unwrapped. `undefined` for IPv6 and anything else.
 */
export function viewerIpv4(address: string | undefined): string | undefined {
  if (address === undefined) return undefined
  const plain = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address
  return isIPv4(plain) ? plain : undefined
}

/**
 * Reads `a.b.c.d` or `a.b.c.d/nn` as a CIDR range, `/32` by default, or null.
 */
export function parseIpRange(value: string): BlockList | null {
  const [address, bits = '32', ...rest] = value.split('/')
  if (!isIPv4(address) || !/^(3[0-2]|[12]?\d)$/.test(bits) || rest.length > 0) return null
  const range = new BlockList()
  range.addSubnet(address, Number(bits), 'ipv4')
  return range
}

/**
 * The `AWS:SourceIp` value for an `ipAddress` option: `a.b.c.d/nn`.
 */
export function sourceIpFor(value: unknown): string {
  const range = typeof value === 'string' ? parseIpRange(value) : null
  if (!range) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'ipAddress',
      `${JSON.stringify(value)} is not an IPv4 address or range such as "192.0.2.10" or "192.0.2.0/24" (CloudFront policies take IPv4 only)`,
    ])
  }
  const text = value as string
  return text.includes('/') ? text : `${text}/32`
}

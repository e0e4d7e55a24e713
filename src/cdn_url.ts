import { E_DJAMAZING_INSECURE_CDN_URL, E_DJAMAZING_INVALID_CDN_URL } from './errors.ts'
import type { LinkOverrides } from './links/types.ts'
import { encodeObjectKey, encodeStrict } from './object_key.ts'

/**
 * A validated CDN base URL: `origin` is what every URL the package makes
 * must start with, `base` is the origin plus the base path, always ending
 * with "/" (so a key can never be read as a host, as in
 * `https://d.cloudfront.net` + `@evil.com/x`).
 */
export type CdnBase = ReturnType<typeof parseCdnUrl>

/**
 * Validates the CDN URL of a disk. `setting` is the config path named in
 * errors, e.g. `services.uploads.cdnUrl`; `production` refuses plain http.
 */
export function parseCdnUrl(value: unknown, setting: string, production = false) {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new E_DJAMAZING_INVALID_CDN_URL([
      setting,
      'it is missing. Set it to the URL of the CloudFront distribution, e.g. https://d111111abcdef8.cloudfront.net',
    ])
  }
  const url = URL.parse(value)
  if (!url) {
    throw new E_DJAMAZING_INVALID_CDN_URL([setting, `"${value}" is not an absolute URL`])
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new E_DJAMAZING_INVALID_CDN_URL([
      setting,
      `"${url.protocol}" URLs are not supported, use https://`,
    ])
  }
  if (url.username || url.password) {
    throw new E_DJAMAZING_INVALID_CDN_URL([
      setting,
      'it must not contain credentials: remove "user:password@" (CloudFront URLs are public, signed URLs carry their own signature)',
    ])
  }
  if (url.search || url.hash || value.includes('?') || value.includes('#')) {
    throw new E_DJAMAZING_INVALID_CDN_URL([
      setting,
      'it must not contain a query or a fragment: remove everything from "?" or "#" (keys are appended to its path)',
    ])
  }
  if (url.protocol === 'http:' && production) {
    throw new E_DJAMAZING_INSECURE_CDN_URL([setting, url.origin])
  }
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`
  return { origin: url.origin, base: `${url.origin}${path}` }
}

/**
 * The CDN URL of a key: the base (its path kept) plus the encoded key.
 */
export function cdnUrlFor(cdn: CdnBase, key: string): string {
  return `${cdn.base}${encodeObjectKey(key)}`
}

/**
 * The CDN URL of an object with S3's response overrides in its query
 * (CloudFront forwards them to the origin; signed, nobody can change them).
 */
export function cdnObjectUrl(cdn: CdnBase, objectKey: string, overrides: LinkOverrides = {}) {
  const query: string[] = []
  if (overrides.contentType) {
    query.push(`response-content-type=${encodeStrict(overrides.contentType)}`)
  }
  if (overrides.contentDisposition) {
    query.push(`response-content-disposition=${encodeStrict(overrides.contentDisposition)}`)
  }
  const url = cdnUrlFor(cdn, objectKey)
  return query.length ? `${url}?${query.join('&')}` : url
}

/**
 * Whether `host` is `domain` or under it (`domain` with or without its
 * leading dot, as browsers read the cookie attribute).
 */
export function hostUnder(host: string, domain: string): boolean {
  const bare = domain.replace(/^\./, '').toLowerCase()
  const name = host.toLowerCase()
  return name === bare || name.endsWith(`.${bare}`)
}

/**
 * Whether a URL's hostname is this machine (`localhost`, `127.0.0.1`, `[::1]`).
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'
}

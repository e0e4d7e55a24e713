import { E_DJAMAZING_INVALID_KEY } from './errors.ts'

/**
 * S3 keys are at most 1024 bytes of UTF-8.
 */
const MAX_KEY_BYTES = 1024

/**
 * C0 controls and DEL. Browsers and proxies strip or reject them, and
 * some S3 peers store them as file names.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

/**
 * A `.` or `..` segment anywhere in a key.
 */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/

/**
 * Refuses keys that could escape the bucket or the key prefix, or that a
 * browser would rewrite before the request reaches the CDN: browsers
 * resolve `.` and `..` segments (even percent-encoded ones), so a signed
 * URL for `a/../b` would never be requested as signed. Runs before any
 * request, also when the driver is used without flydrive's `Disk`.
 */
export function assertValidObjectKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new E_DJAMAZING_INVALID_KEY([String(key), 'the key must be a non-empty string'])
  }
  if (key.startsWith('/')) {
    throw new E_DJAMAZING_INVALID_KEY([key, 'the key must not start with "/"'])
  }
  if (key.includes('\\')) {
    throw new E_DJAMAZING_INVALID_KEY([key, 'the key must not contain "\\"'])
  }
  if (CONTROL_CHARACTERS.test(key)) {
    throw new E_DJAMAZING_INVALID_KEY([key, 'the key must not contain control characters'])
  }
  if (!key.isWellFormed()) {
    throw new E_DJAMAZING_INVALID_KEY([key, 'the key is not well-formed unicode'])
  }
  if (DOT_SEGMENT.test(key)) {
    throw new E_DJAMAZING_INVALID_KEY([key, 'the key must not contain "." or ".." segments'])
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8: short keys need no count.
  if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new E_DJAMAZING_INVALID_KEY([
      key,
      `the key must be at most ${MAX_KEY_BYTES} bytes of UTF-8`,
    ])
  }
}

/**
 * Percent-encodes a path segment or a query value, leaving only RFC 3986's
 * unreserved characters as they are. `encodeURIComponent` leaves `!'()*`
 * alone: `*` is a wildcard in CloudFront policies, and browsers rewrite a
 * bare `'` in a query as `%27`, so either would make the URL a browser
 * sends differ from the URL that was signed.
 */
export function encodeStrict(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/**
 * The one encoder for keys in URLs: public CDN URLs, CloudFront signed
 * resources and redirect links all use it, so the URL a browser requests
 * is byte for byte the URL that was signed.
 */
export function encodeObjectKey(key: string): string {
  return key.split('/').map(encodeStrict).join('/')
}

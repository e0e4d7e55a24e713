/**
 * Media types a browser runs code in when it opens them as a page: HTML
 * and XHTML, SVG and every other XML (XSLT can script), JavaScript and
 * the like. A user's file of such a type, opened from the app's or the
 * CDN's origin, is stored XSS. Every `+xml` type (XHTML, SVG, XSLT, ...)
 * is active too, without a line here.
 */
const ACTIVE_TYPES = new Set([
  'text/html',
  'text/xml',
  'application/xml',
  'text/xsl',
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'text/ecmascript',
  'application/ecmascript',
  'application/x-shockwave-flash',
  'multipart/x-mixed-replace',
])

/**
 * Whether a `Content-Type` may run code when opened. A missing or
 * unreadable type counts as active: what the browser makes of it is not
 * ours to know.
 */
export function isActiveContentType(contentType: string | undefined): boolean {
  const essence = contentType?.split(';')[0].trim().toLowerCase()
  if (!essence || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence)) return true
  return ACTIVE_TYPES.has(essence) || essence.endsWith('+xml')
}

/**
 * The `Content-Security-Policy` user files are served with: a sandbox
 * (no script runs, the document gets an opaque origin, so it cannot read
 * the origin's cookies or pages) and nothing loaded from elsewhere.
 * Images, media and inline styles of the file itself still work.
 */
export const USER_CONTENT_CSP =
  "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'"

/**
 * `attachment`, keeping the parameters (the download name) of a given
 * disposition: `inline; filename="a.html"` becomes `attachment; filename="a.html"`.
 */
export function asAttachment(disposition: string | undefined): string {
  if (!disposition) return 'attachment'
  const semicolon = disposition.indexOf(';')
  return semicolon < 0 ? 'attachment' : `attachment${disposition.slice(semicolon)}`
}

/**
 * RFC 3986's unreserved characters: the only ones whose percent-encoding
 * normalisation decodes (section 6.2.2.2).
 */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/

/**
 * Removes `.` and `..` segments from an absolute path, as RFC 3986
 * section 5.2.4 does: `..` drops the segment before it (an empty one
 * too), never climbing above the root; a final dot segment leaves a
 * trailing `/`.
 */
function removeDotSegments(path: string): string {
  const input = path.split('/')
  const output: string[] = []
  for (let i = 1; i < input.length; i++) {
    const segment = input[i]
    const last = i === input.length - 1
    if (segment === '.' || segment === '..') {
      if (segment === '..') output.pop()
      if (last) output.push('')
      continue
    }
    output.push(segment)
  }
  return `/${output.join('/')}`
}

/**
 * The path CloudFront matches cache behaviors against: "CloudFront
 * normalizes URI paths consistent with RFC 3986 and then matches the path
 * with the correct cache behavior" (it then sends the raw path to the
 * origin). Percent-encodings get upper-case hex and only unreserved
 * characters are decoded, so `%2F` stays `%2F`, not a separator; dot
 * segments are removed; `//` stays. `rawPath` is the path as requested,
 * without its query.
 */
export function normalizePath(rawPath: string): string {
  const absolute = rawPath.startsWith('/') ? rawPath : `/${rawPath}`
  const decoded = absolute.replace(/%([0-9A-Fa-f]{2})/g, (_encoded, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16))
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`
  })
  return removeDotSegments(decoded)
}

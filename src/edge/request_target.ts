import { assertValidObjectKey } from '../object_key.ts'
import { normalizePath } from './normalize_path.ts'

/**
 * Splits `target` (the raw path after the base path, plus the query) into
 * `matchPath`, the path behaviors are matched against (normalised as
 * CloudFront does, see `normalizePath`, without its leading `/`), `key`,
 * the S3 key, and `query`, the raw query without its `?`. The key is
 * decoded one path segment at a time, as S3 reads the raw path CloudFront
 * forwards; it is `undefined` for a path that is not a valid key:
 * malformed percent-encoding, and every key `assertValidObjectKey` refuses
 * (`..` segments, also spelled `%2E%2E` or `%2F..`, a leading `/` as in
 * `//evil.com/x`, `\`, control characters). Such a path never reaches the
 * origin: a refusal stricter than CloudFront, which would send the raw
 * path on.
 */
export function parseTarget(target: string) {
  const questionMark = target.indexOf('?')
  const rawPath = questionMark === -1 ? target : target.slice(0, questionMark)
  const query = questionMark === -1 ? '' : target.slice(questionMark + 1)
  const matchPath = normalizePath(rawPath).slice(1)
  try {
    const key = rawPath.split('/').map(decodeURIComponent).join('/')
    assertValidObjectKey(key)
    return { matchPath, key, query }
  } catch {
    return { matchPath, key: undefined, query }
  }
}

/**
 * The `response-*` query parameters that reach S3 behind CloudFront, and
 * the headers they override: only those the cache policy of the
 * documented set-up forwards (docs/aws-setup.md, step 6). S3 knows four
 * more (`response-cache-control`, `-expires`, `-content-language`,
 * `-content-encoding`), but CloudFront does not forward a query string
 * its policy does not name, so honouring them here would show locally a
 * header production never sends.
 */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-disposition': 'Content-Disposition',
}

/**
 * Visible ASCII, space and tab: what a header value may hold. Anything
 * else (CR/LF above all) would let a query value forge headers.
 */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/

/**
 * The header overrides asked for in the query, or an error message naming
 * the parameter whose value cannot be a header value.
 */
export function responseOverrides(
  query: string
): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(query)) {
    const header = RESPONSE_OVERRIDES[name]
    if (header === undefined) continue
    if (!HEADER_VALUE.test(value)) {
      return { error: `The value of ${name} must be printable ASCII.` }
    }
    headers[header] = value
  }
  return { headers }
}

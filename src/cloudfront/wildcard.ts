/**
 * Matching of a custom policy `Resource` against a request URL, section by
 * section, as CloudFront does: `proto://domain/path\?query`.
 *
 * - `*` matches zero or more characters and `?` exactly one, within the
 *   section they are written in (a `*` in the domain never reaches the path).
 * - `\?` is a literal `?`: the first one in the path part starts the query
 *   section. Without it the resource has no query section, and a request
 *   with a query matches only when the resource ends with `*`: a trailing
 *   `*` also covers everything after its section (`/videos/*` opens
 *   `/videos/a.m3u8?x=1`).
 * - A prefix without a trailing slash (`/u/12*`) also matches `/u/123/...`:
 *   `*` matches `/`. Write `/u/12/*` for one folder.
 *
 * - `*` alone matches any URL, and a resource starting with `*` may omit
 *   the protocol (`*example.com/*` reads as `*://*example.com/*`).
 *
 * The matcher is a linear two-pointer glob (no regular expressions built
 * from input, so no catastrophic backtracking on hostile policies).
 */

type Token = number // a char code, or STAR / ANY
const STAR = -1
const ANY = -2

function tokenize(pattern: string): Token[] {
  // `\?` is a literal `?` (its last character); any other character is itself.
  return (pattern.match(/\\\?|[^]/g) ?? []).map((part) =>
    part === '*' ? STAR : part === '?' ? ANY : part.charCodeAt(part.length - 1)
  )
}

function glob(tokens: Token[], text: string): boolean {
  let t = 0
  let s = 0
  let starAt = -1
  let starText = 0
  while (s < text.length) {
    const token = tokens[t]
    if (t < tokens.length && (token === ANY || token === text.charCodeAt(s))) {
      t++
      s++
    } else if (t < tokens.length && token === STAR) {
      starAt = t++
      starText = s
    } else if (starAt !== -1) {
      t = starAt + 1
      s = ++starText
    } else {
      return false
    }
  }
  while (t < tokens.length && tokens[t] === STAR) t++
  return t === tokens.length
}

type Sections = {
  scheme: string
  host: string
  path: string | undefined
  query: string | undefined
}

/**
 * Splits a request URL (or a resource, with `\?` as its query separator).
 */
function split(value: string, querySeparator: string): Sections | null {
  const schemeEnd = value.indexOf('://')
  if (schemeEnd === -1) return null
  const rest = value.slice(schemeEnd + 3)
  const pathStart = rest.indexOf('/')
  if (pathStart === -1) {
    return { scheme: value.slice(0, schemeEnd), host: rest, path: undefined, query: undefined }
  }
  const pathAndQuery = rest.slice(pathStart)
  const queryStart = pathAndQuery.indexOf(querySeparator)
  return {
    scheme: value.slice(0, schemeEnd),
    host: rest.slice(0, pathStart),
    path: queryStart === -1 ? pathAndQuery : pathAndQuery.slice(0, queryStart),
    query: queryStart === -1 ? undefined : pathAndQuery.slice(queryStart + querySeparator.length),
  }
}

/**
 * A resource may omit the protocol when it starts with `*` in the domain
 * section (`*example.com/*`), and `*` alone matches any URL: both read as
 * if written with `*://` in front.
 */
function withProtocol(resource: string): string {
  return !resource.includes('://') && resource.startsWith('*') ? `*://${resource}` : resource
}

const matches = (pattern: string, text: string) => glob(tokenize(pattern), text)

/**
 * A CloudFront wildcard pattern of one section (a cache behavior's path
 * pattern, an allowed origin such as `https://*.example.com`) as a test:
 * `*` is any run of characters (also `/`), `?` exactly one.
 */
export function wildcardMatcher(pattern: string): (text: string) => boolean {
  const tokens = tokenize(pattern)
  return (text) => glob(tokens, text)
}

/**
 * True when the policy `resource` covers the request `url` (the URL
 * without its signing parameters).
 */
export function resourceMatches(resource: string, url: string): boolean {
  const pattern = split(withProtocol(resource), '\\?')
  const request = split(url, '?')
  if (!pattern || !request) return false
  if (!matches(pattern.scheme, request.scheme) || !matches(pattern.host, request.host)) {
    return false
  }
  // A resource without a path: `https://*` or `https://d.example.net*`,
  // whose trailing `*` covers the path and query as well.
  if (pattern.path === undefined) {
    const root = request.path === undefined || (request.path === '/' && !request.query)
    return pattern.host.endsWith('*') || root
  }
  const path = request.path ?? ''
  if (pattern.query !== undefined) {
    return matches(pattern.path, path) && matches(pattern.query, request.query ?? '')
  }
  // Without a query section, a query is only covered by a trailing `*`.
  return matches(pattern.path, path) && (request.query === undefined || pattern.path.endsWith('*'))
}

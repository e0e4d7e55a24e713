import type { IncomingHttpHeaders } from 'node:http'

/**
 * What a conditional request evaluates to (RFC 9110 section 13.2.2).
 */
type Precondition = 'proceed' | 'not-modified' | 'failed'

type Validators = { etag?: string; lastModified?: Date }

const ENTITY_TAGS = /\*|(?:W\/)?"[^"]*"/g

// Whether an If-Match or If-None-Match value lists `*` or a tag `matches` takes.
function listsTag(header: string, matches: (tag: string) => boolean): boolean {
  return (header.match(ENTITY_TAGS) ?? []).some((tag) => tag === '*' || matches(tag))
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}

/**
 * HTTP dates have whole seconds; S3's Last-Modified too, but compare on
 * seconds so a sub-second `Date` never makes "not modified" fail.
 */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000)
}

function parseDate(header: string | undefined): Date | undefined {
  if (header === undefined) return undefined
  const time = Date.parse(header)
  return Number.isNaN(time) ? undefined : new Date(time)
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match and
 * If-Modified-Since, in RFC 9110's order, for a GET or HEAD:
 * - If-Match (strong comparison) or, without it, If-Unmodified-Since: 412;
 * - If-None-Match (weak comparison) or, without it, If-Modified-Since: 304.
 * Unparseable dates are ignored, as the RFC says.
 */
export function evaluatePreconditions(
  headers: IncomingHttpHeaders,
  object: Validators
): Precondition {
  const ifMatch = headers['if-match']
  if (ifMatch !== undefined) {
    if (!listsTag(ifMatch, (tag) => !tag.startsWith('W/') && tag === object.etag)) return 'failed'
  } else {
    const since = parseDate(headers['if-unmodified-since'])
    if (since && object.lastModified && seconds(object.lastModified) > seconds(since)) {
      return 'failed'
    }
  }

  const ifNoneMatch = headers['if-none-match']
  if (ifNoneMatch !== undefined) {
    const etag = object.etag === undefined ? undefined : opaque(object.etag)
    const matches = listsTag(ifNoneMatch, (tag) => etag !== undefined && opaque(tag) === etag)
    return matches ? 'not-modified' : 'proceed'
  }
  const since = parseDate(headers['if-modified-since'])
  if (since && object.lastModified && seconds(object.lastModified) <= seconds(since)) {
    return 'not-modified'
  }
  return 'proceed'
}

/**
 * If-Range: serve the range only if the object is still the one the
 * client has part of (strong ETag match, or exactly its Last-Modified);
 * otherwise serve the whole object.
 */
export function rangeStillValid(headers: IncomingHttpHeaders, object: Validators): boolean {
  const ifRange = headers['if-range']
  if (ifRange === undefined) return true
  const value = String(ifRange).trim()
  if (value.startsWith('"') || value.startsWith('W/')) {
    return !value.startsWith('W/') && object.etag !== undefined && value === object.etag
  }
  const date = parseDate(value)
  return (
    date !== undefined &&
    object.lastModified !== undefined &&
    seconds(date) === seconds(object.lastModified)
  )
}

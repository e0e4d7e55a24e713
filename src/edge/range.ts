/**
 * A single byte range as the client asked for it, before the object's size
 * is known: `first-last`, `first-` (open-ended) or `-suffixLength`.
 */
export type RangeSpec =
  | { first: number; last?: number; suffixLength?: undefined }
  | { first?: undefined; last?: undefined; suffixLength: number }

/**
 * A range resolved against the object's size: inclusive byte offsets, or
 * `unsatisfiable` (answered with 416 and `Content-Range: bytes *\/size`).
 */
export type ResolvedRange = { start: number; end: number } | 'unsatisfiable'

const DIGITS = /^\d+$/

function toOffset(value: string): number | undefined {
  if (!DIGITS.test(value)) return undefined
  const offset = Number(value)
  return Number.isSafeInteger(offset) ? offset : undefined
}

/**
 * Parses a `Range` header (RFC 9110 section 14.2). Returns `undefined` when
 * the whole object should be served instead:
 * - no header, another unit, or a syntax error: RFC 9110 says to ignore it;
 * - several ranges: S3 serves one range per request at most and answers a
 *   multi-range request with the whole object (200), and CloudFront passes
 *   that on. The edge does the same rather than build multipart/byteranges.
 */
export function parseRange(header: string | undefined): RangeSpec | undefined {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '')
  if (!match) return undefined
  const [, firstText, lastText] = match
  const first = toOffset(firstText)
  const last = toOffset(lastText)
  if (firstText === '') return last === undefined ? undefined : { suffixLength: last }
  if (first === undefined) return undefined
  if (lastText === '') return { first }
  if (last === undefined || last < first) return undefined
  return { first, last }
}

/**
 * Resolves a range against the object's size: a `last` past the end is
 * clipped, a suffix longer than the object is the whole object, a `first`
 * at or past the end (or any range of an empty object) is unsatisfiable.
 */
export function resolveRange(spec: RangeSpec, size: number): ResolvedRange {
  if (spec.suffixLength !== undefined) {
    if (spec.suffixLength === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - spec.suffixLength), end: size - 1 }
  }
  if (spec.first >= size) return 'unsatisfiable'
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) }
}

import fc from 'fast-check'

/**
 * Pieces of request targets that break URL handling: traversal,
 * separators, hosts, schemes, percent-escapes (valid, invalid, over-long
 * UTF-8, encoded controls) and query syntax.
 */
const HOSTILE_PIECES = [
  '..',
  '.',
  '/',
  '//',
  '@',
  '@evil.com',
  'evil.com',
  'http://evil.com/',
  '\\',
  '%5C',
  '%',
  '%2e%2e',
  '%2E',
  '%2F',
  '%2f..%2f',
  '%00',
  '%0A',
  '%0D%0A',
  '%C0%AE',
  '%E0%A4%A',
  '%ED%A0%80',
  '%FF',
  '?',
  '??',
  '#',
  ';',
  '&',
  '=',
  '+',
  '*',
]

/**
 * An arbitrary piece of a request target for the fuzzers: one of the
 * hostile pieces or of `names` (what the target under test knows), a bit
 * of encoded unicode, or any percent-escaped byte. `nonEmpty` leaves out
 * the empty string, for pieces spliced into a genuine value that must
 * always change it.
 */
export function hostileUrlPiece(names: string[], options: { nonEmpty?: boolean } = {}) {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_PIECES, ...names),
    fc
      .string({ unit: 'grapheme', minLength: options.nonEmpty ? 1 : 0, maxLength: 4 })
      .map(encodeURIComponent),
    fc.nat(255).map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
  )
}

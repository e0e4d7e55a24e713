import string from '@poppinss/utils/string'
import { E_DJAMAZING_INVALID_CONFIG } from './errors.ts'

/**
 * A duration, as flydrive and AdonisJS take it: a number of seconds (at
 * most 30 days: a larger one is probably milliseconds), or a string with a
 * unit such as `'1.5s'`, `'30mins'`, `'1 hour'`, `'2h'`, `'7d'`.
 */
export type Duration = number | string

/**
 * The largest bare number accepted, in seconds: 30 days. A larger number
 * is almost always milliseconds passed where seconds are meant (3600000
 * for an hour would be 41 days), so it is refused rather than misread.
 * Strings carry their unit and are never second-guessed.
 */
const MAX_BARE_SECONDS = 30 * 86_400

/**
 * An error class taking `[name, reason]`: `E_DJAMAZING_INVALID_CONFIG` for
 * settings read when a disk is made, `E_DJAMAZING_INVALID_ARGUMENT` (or
 * the CloudFront signer's own) for values passed to a method.
 */
type InvalidValue = new (args: [string, string]) => Error

const SPELLINGS = 'seconds as a number, or a string like "1.5s", "30mins", "1 hour", "2h", "7d"'

/**
 * Reads a duration as seconds, as flydrive and AdonisJS read them: a
 * number of seconds, or a string with a unit parsed by `@poppinss/utils`
 * (`'1.5s'`, `'30mins'`, `'1 hour'`, `'2h'`, `'7d'`). Never milliseconds:
 * a string without a unit is refused, and so is a bare number over 30
 * days. `name` names the setting or argument in the error, e.g.
 * `services.uploads.redirects.expiresIn`.
 */
export function parseDuration(
  value: Duration,
  name: string,
  Invalid: InvalidValue = E_DJAMAZING_INVALID_CONFIG
): number {
  let seconds: number
  if (typeof value === 'number') {
    seconds = value
    if (seconds > MAX_BARE_SECONDS) {
      throw new Invalid([
        name,
        `${value} seconds is over 30 days: it looks like milliseconds. Use ${SPELLINGS}`,
      ])
    }
  } else if (typeof value === 'string') {
    const text = value.trim()
    // `@poppinss/utils` reads a string without a unit as milliseconds:
    // here it is ambiguous, so it is refused.
    if (!/^[-+]?[\d.]+\s*[a-z]+$/i.test(text)) {
      throw new Invalid([name, `"${value}" is not a duration. Use ${SPELLINGS}`])
    }
    try {
      seconds = string.milliseconds.parse(text) / 1000
    } catch {
      throw new Invalid([name, `"${value}" is not a duration. Use ${SPELLINGS}`])
    }
  } else {
    throw new Invalid([name, `expected ${SPELLINGS}`])
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Invalid([name, `${String(value)} must be a positive duration. Use ${SPELLINGS}`])
  }
  return seconds
}

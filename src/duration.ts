import { E_DJAMAZING_INVALID_CONFIG } from './errors.ts'
import type { Duration } from './types.ts'

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/**
 * The longest duration accepted, in seconds: 30 days. A larger number is
 * almost always milliseconds passed where seconds are meant (3600000 for
 * an hour would be 41 days), so it is refused rather than misread.
 * Longer lifetimes are given as an absolute `Date` where supported.
 */
const MAX_SECONDS = 30 * 86_400

/**
 * Reads a duration as seconds: a positive number of seconds, or a string
 * such as `'1.5s'`, `'10m'`, `'2h'`, `'7d'`. `setting` names the option in
 * the error, e.g. `services.uploads.signatureTimeout`.
 */
export function parseDuration(value: Duration, setting: string): number {
  let seconds: number
  if (typeof value === 'number') {
    seconds = value
  } else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/.exec(value)
    if (!match) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting,
        `"${value}" is not a duration. Use seconds as a number, or a string like "1.5s", "10m", "2h", "7d"`,
      ])
    }
    seconds = Number(match[1]) * UNITS[match[2]]
  } else {
    throw new E_DJAMAZING_INVALID_CONFIG([setting, 'expected seconds or a string like "10m"'])
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `${String(value)} must be a positive duration. Use seconds as a number, or a string like "1.5s", "10m"`,
    ])
  }
  if (seconds > MAX_SECONDS) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `${String(value)} seconds is over 30 days: it looks like milliseconds. Durations are in seconds, or a string like "10m"`,
    ])
  }
  return seconds
}

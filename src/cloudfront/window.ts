import { parseDuration } from '../duration.ts'
import { E_DJAMAZING_INVALID_SIGNING_OPTIONS } from '../errors.ts'
import { MAX_EPOCH_SECONDS, sourceIpFor, type ResolvedWindow } from './policy.ts'
import type { SigningWindow } from './types.ts'

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && Number.isFinite(value.getTime())
}

/**
 * Turns the expiry options into epoch seconds. `Expires` is rounded UP:
 * rounding `now + 1.5 s` down or to nearest would leave a link 0.5 to
 * 1.5 s of life, and the rule is that a link lives at least as long as
 * asked. The start is rounded down for the same reason.
 */
export function resolveWindow(options: SigningWindow): ResolvedWindow {
  const { expiresIn, expiresAt, startsAt, ipAddress } = options
  const nowMs = options.now?.getTime() ?? Date.now()
  let expiresMs: number
  if (expiresAt !== undefined) {
    if (expiresIn !== undefined) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'expiresAt',
        'give either expiresIn or expiresAt, not both',
      ])
    }
    if (!isValidDate(expiresAt)) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'expiresAt',
        'expected a valid Date (for a duration, use expiresIn with seconds or a string like "30mins")',
      ])
    }
    expiresMs = expiresAt.getTime()
    if (expiresMs <= nowMs) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'expiresAt',
        `${expiresAt.toISOString()} is in the past: the link would be expired already`,
      ])
    }
  } else if (expiresIn !== undefined) {
    expiresMs =
      nowMs + parseDuration(expiresIn, 'expiresIn', E_DJAMAZING_INVALID_SIGNING_OPTIONS) * 1000
  } else {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'expiresIn',
      'a signed URL needs an expiry: expiresIn (seconds or a string like "30mins") or expiresAt (a Date)',
    ])
  }
  const expires = Math.ceil(expiresMs / 1000)
  if (expires > MAX_EPOCH_SECONDS) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'expiresAt',
      `CloudFront expiries end at ${MAX_EPOCH_SECONDS} (2038-01-19T03:14:07Z)`,
    ])
  }

  let starts: number | undefined
  if (startsAt !== undefined) {
    if (!isValidDate(startsAt)) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS(['startsAt', 'expected a valid Date'])
    }
    starts = Math.floor(startsAt.getTime() / 1000)
    if (starts < 0 || starts >= expires) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'startsAt',
        'it must be after 1970 and before the expiry',
      ])
    }
  }
  const sourceIp = ipAddress === undefined ? undefined : sourceIpFor(ipAddress)
  return { expires, startsAt: starts, sourceIp }
}

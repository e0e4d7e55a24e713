import type { CheckResult } from './types.ts'

/**
 * The restart that fixes a signature the local edge refuses: it is the
 * app itself, and reads the key pair (CLOUDFRONT_KEY_PAIR_ID, the key
 * file) when the app starts. `node ace serve` restarts by itself when a
 * file of `keys/` changes, not when `.env` does.
 */
const RESTART =
  'the local edge is the app itself and trusts the key pair the app started with: restart node ace serve after changing CLOUDFRONT_KEY_PAIR_ID or the key, and keep the doctor on the same .env as the app'

/**
 * The fixes of the CDN diagnoses when the CDN is the app's own local edge
 * (development): the AWS console steps of the others do not apply.
 */
const FIXES: Record<string, string> = {
  'unknown-key-pair-id': RESTART,
  'public-key-mismatch': RESTART,
  'signature-refused': `${RESTART}; check the clock`,
  'cdn-answers-html':
    "the app answered with a page of its own, not the local edge: CLOUDFRONT_URL must be the app's URL with /cdn (http://localhost:${PORT}/cdn) and adonisrc.ts must list djamazing/djamazing_provider",
  'cdn-unreachable':
    'start the app (node ace serve): the local edge is the app itself, at CLOUDFRONT_URL',
}

export function withLocalEdgeFix<T extends Omit<CheckResult, 'id'>>(outcome: T): T {
  const fix = outcome.diagnosis ? FIXES[outcome.diagnosis] : undefined
  return fix ? { ...outcome, fix } : outcome
}

import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto'
import { E_DJAMAZING_INVALID_CONFIG } from './errors.ts'
import { weakSecretReason } from './secret_strength.ts'

const MIN_SECRET_BYTES = 16

const MAKE_A_SECRET =
  'Use a random value: in AdonisJS the app key (APP_KEY, made by "node ace generate:key"), elsewhere the output of: node -e "console.log(require(\'node:crypto\').randomBytes(32).toString(\'base64url\'))"'

/**
 * Derives an HMAC key for one purpose from an app secret (text or bytes)
 * with HKDF-SHA256, after checking it is long and random enough (a
 * guessable secret lets anyone sign): `purpose` is the HKDF `info`, so the key is useless for
 * anything else the app signs with the same secret. `setting` names the
 * secret in errors. A `KeyObject` is made once: HMAC with a Buffer key is
 * ~5x slower on Node 24.
 */
export function deriveHmacKey(secret: unknown, purpose: string, setting: string): KeyObject {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) {
    throw new E_DJAMAZING_INVALID_CONFIG([setting, 'expected a string or bytes'])
  }
  const bytes = Buffer.from(secret)
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `a secret must be at least ${MIN_SECRET_BYTES} bytes long. ${MAKE_A_SECRET}`,
    ])
  }
  const weakness = weakSecretReason(secret)
  if (weakness) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `the secret can be guessed: ${weakness}. Anyone who guesses it can sign for any user. ${MAKE_A_SECRET}`,
    ])
  }
  return createSecretKey(Buffer.from(hkdfSync('sha256', bytes, '', purpose, 32)))
}

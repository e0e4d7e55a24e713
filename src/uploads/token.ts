import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto'
import { deriveHmacKey } from '../derived_key.ts'
import { E_DJAMAZING_INVALID_CONFIG, E_DJAMAZING_INVALID_UPLOAD } from '../errors.ts'
import type { LinkSecret } from '../links/types.ts'

/**
 * Names the purpose and format of the MAC: an upload token can never be
 * replayed as a protected link or any other signature of the app.
 */
const PURPOSE = 'djamazing upload token v1'

/**
 * Tokens are small; anything much longer is not one of ours.
 */
const MAX_TOKEN_LENGTH = 4096

const isString = (value: unknown): value is string => typeof value === 'string'
const isInteger = (value: unknown): value is number => Number.isSafeInteger(value)
const isStringOrNull = (value: unknown): value is string | null =>
  value === null || typeof value === 'string'

/**
 * What an upload token binds, all of it under the MAC: each claim with its
 * check, in the order they are signed.
 */
const CLAIMS = {
  /**
   * The disk the upload was started on.
   */
  disk: isString,
  /**
   * The final key, relative to the disk's prefix.
   */
  key: isString,
  /**
   * The random id of the pending object.
   */
  id: isString,
  /**
   * The user it was started for, as a string.
   */
  user: isString,
  /**
   * The realm of that user (in AdonisJS, the auth guard), or null.
   */
  realm: isStringOrNull,
  contentType: isString,
  size: isInteger,
  /**
   * Base64 SHA-256 of the content; "" for a multipart upload, whose parts
   * carry their own.
   */
  sha256: isString,
  /**
   * The store's id of a multipart upload; "" for a single PUT.
   */
  uploadId: isString,
  /**
   * Every part's length but the last's (multipart); 0 for a single PUT.
   */
  partSize: isInteger,
  /**
   * Unix seconds: the PUT target (or, multipart, part signing) stops
   * working.
   */
  expires: isInteger,
  /**
   * Unix seconds: confirm stops accepting the token.
   */
  confirmBy: isInteger,
}

export type UploadClaims = {
  [Name in keyof typeof CLAIMS]: (typeof CLAIMS)[Name] extends (v: unknown) => v is infer T
    ? T
    : never
}

const FIELDS = Object.entries(CLAIMS) as [keyof UploadClaims, (value: unknown) => boolean][]

/**
 * Unix seconds, as tokens carry their times.
 */
export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000)

/**
 * Signs and reads upload tokens: `<base64url JSON claims>.<base64url MAC>`,
 * HMAC-SHA256 with a key derived from the app secret for this purpose only.
 * The claims are readable by the browser (nothing in them is secret) but
 * cannot be changed: the user, key, type, size and checksum a confirm
 * checks are the ones the app signed when it started the upload.
 */
export class UploadTokens {
  #keys: KeyObject[]

  constructor(secrets: LinkSecret[]) {
    if (!Array.isArray(secrets) || secrets.length === 0) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'uploads.secrets',
        'direct uploads need at least one app secret to sign upload tokens with',
      ])
    }
    this.#keys = secrets.map((secret, index) =>
      deriveHmacKey(secret, PURPOSE, `uploads.secrets[${index}]`)
    )
  }

  sign(claims: UploadClaims): string {
    const body = Buffer.from(JSON.stringify(FIELDS.map(([name]) => claims[name]))).toString(
      'base64url'
    )
    return `${body}.${this.#mac(this.#keys[0], body)}`
  }

  /**
   * The claims of a token made by {@link sign} with any of the secrets.
   * Throws `E_DJAMAZING_INVALID_UPLOAD` for anything else.
   */
  verify(token: unknown): UploadClaims {
    const invalid = () => new E_DJAMAZING_INVALID_UPLOAD(['the upload token is not valid'])
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalid()
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token)
    if (!match) throw invalid()
    const [, body, mac] = match
    const given = Buffer.from(mac, 'base64url')
    // Every key is tried, always, so timing does not tell which one matched.
    let valid = false
    for (const key of this.#keys) {
      const expected = Buffer.from(this.#mac(key, body), 'base64url')
      if (timingSafeEqual(expected, given)) valid = true
    }
    if (!valid) throw invalid()

    let values: unknown
    try {
      values = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
    } catch {
      throw invalid()
    }
    if (!Array.isArray(values) || values.length !== FIELDS.length) throw invalid()
    if (!FIELDS.every(([, isValid], index) => isValid(values[index]))) throw invalid()
    return Object.fromEntries(FIELDS.map(([name], index) => [name, values[index]])) as UploadClaims
  }

  #mac(key: KeyObject, body: string): string {
    return createHmac('sha256', key).update(body).digest('base64url')
  }
}

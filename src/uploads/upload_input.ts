import { E_DJAMAZING_INVALID_UPLOAD } from '../errors.ts'

/*
 * Checks of what the app passes for one upload, before anything is signed.
 */

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/
const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/

/**
 * The user id as signed: integers and their decimal strings are one user.
 */
export function userOf(userId: unknown): string {
  if (typeof userId === 'number' && Number.isSafeInteger(userId)) return String(userId)
  if (typeof userId === 'string' && userId.length > 0 && userId.length <= 256) return userId
  throw new E_DJAMAZING_INVALID_UPLOAD(['userId must be a non-empty string or a safe integer'])
}

/**
 * The realm as signed: a non-empty string, or null for none.
 */
export function realmOf(realm: unknown): string | null {
  if (realm === null || realm === undefined) return null
  if (typeof realm === 'string' && realm.length > 0 && realm.length <= 256) return realm
  throw new E_DJAMAZING_INVALID_UPLOAD(['realm must be a non-empty string, or null'])
}

/**
 * A base64 SHA-256, as `x-amz-checksum-sha256` carries it.
 */
export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && BASE64_SHA256.test(value)
}

/**
 * A printable ASCII header value the store keeps as given.
 */
export function isHeaderValue(value: unknown): value is string {
  return typeof value === 'string' && HEADER_VALUE.test(value)
}

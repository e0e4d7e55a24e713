import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto'
import debug from '../debug.ts'
import { deriveHmacKey } from '../derived_key.ts'
import { parseDuration } from '../duration.ts'
import {
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_GUEST_LINK,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_INVALID_DISK_NAME,
  E_DJAMAZING_INVALID_LINK_OPTION,
  E_DJAMAZING_INVALID_LINK_USER,
} from '../errors.ts'
import { assertValidObjectKey, encodeObjectKey, encodeStrict } from '../object_key.ts'
import { isProduction } from '../production.ts'
import { readLinkQuery, validOverride, type LinkParams } from './query.ts'
import type {
  LinkOptions,
  LinkOverrides,
  LinkSignerOptions,
  LinkUser,
  LinkVerifyResult,
  VerifiedLink,
  VerifyInput,
} from './types.ts'

/**
 * Names the purpose and the format version of the signed message. It is
 * also the HKDF `info`, so the link key is useless for anything else the
 * app signs with the same secret.
 */
const PURPOSE = 'djamazing:links:v2'

export const DEFAULT_ROUTE_PREFIX = '/djamazing'

/**
 * A route prefix: a leading "/", no trailing "/", plain path characters.
 */
const ROUTE_PREFIX = /^(\/[A-Za-z0-9._~-]+)+$/

/**
 * One hour: long enough for a page to stay open and its links be clicked,
 * short enough that a link copied out of a page stops working the same
 * day. Links are also bound to their user, and `revision` revokes them at
 * once, so the lifetime is the last line of defence, not the first.
 */
export const DEFAULT_LINK_EXPIRES_IN = '1h'

const MAX_USER_ID_LENGTH = 256
const DISK_NAME = /^[A-Za-z0-9_-]{1,64}$/
const REALM = /^[A-Za-z0-9_.:-]{1,64}$/
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

/**
 * The key of every link `verify` accepted, by its result object: the only
 * way to a CloudFront URL from the redirect route is a link verified here
 * (see `ProtectedLinks.redirectUrl`), so no code path signs a key for nobody.
 */
const verifiedKeys = new WeakMap<object, string>()

/**
 * The object key of a result `verify` returned for a genuine link, or
 * `undefined` for anything else (a refusal, an object made elsewhere).
 */
export function verifiedKeyOf(result: object): string | undefined {
  return verifiedKeys.get(result)
}

/**
 * A route prefix as links are written: a leading "/", no trailing "/",
 * segments of letters, digits and "._~-", and no "." or ".." segment,
 * which browsers resolve away before the request is sent (every link
 * would miss the route).
 */
export function isValidRoutePrefix(prefix: unknown): prefix is string {
  return (
    typeof prefix === 'string' &&
    ROUTE_PREFIX.test(prefix) &&
    prefix.split('/').every((segment) => segment !== '.' && segment !== '..')
  )
}

/**
 * Checks a disk name. Disk names are path segments of links: a fixed,
 * small alphabet keeps them from ever needing encoding.
 */
export function isValidDiskName(disk: unknown): disk is string {
  return typeof disk === 'string' && DISK_NAME.test(disk)
}

function assertDiskName(disk: unknown): asserts disk is string {
  if (!isValidDiskName(disk)) throw new E_DJAMAZING_INVALID_DISK_NAME([String(disk)])
}

/**
 * The user id as signed: integers and their decimal strings are the same user.
 */
function normalizeUserId(userId: unknown): string | null {
  if (userId === null) return null
  if (typeof userId === 'number') {
    if (!Number.isSafeInteger(userId)) {
      throw new E_DJAMAZING_INVALID_LINK_USER([`the user id ${userId} is not a safe integer`])
    }
    return String(userId)
  }
  if (typeof userId !== 'string') {
    throw new E_DJAMAZING_INVALID_LINK_USER(['the user id is missing'])
  }
  if (userId.length === 0 || userId.length > MAX_USER_ID_LENGTH || !userId.isWellFormed()) {
    throw new E_DJAMAZING_INVALID_LINK_USER([
      `the user id must be 1 to ${MAX_USER_ID_LENGTH} characters of well-formed unicode`,
    ])
  }
  return userId
}

/**
 * The realm a user id belongs to (in AdonisJS, the auth guard): user #1 of
 * the `admin` guard is not user #1 of the `web` guard. `null` when the app
 * has one kind of user.
 */
function normalizeRealm(realm: unknown): string | null {
  if (realm === undefined || realm === null) return null
  if (typeof realm !== 'string' || !REALM.test(realm)) {
    throw new E_DJAMAZING_INVALID_LINK_USER([
      'the realm must be 1 to 64 letters, digits or "_.:-" (a guard name)',
    ])
  }
  return realm
}

function normalizeRevision(revision: unknown): string | null {
  if (revision === undefined || revision === null) return null
  const value = typeof revision === 'number' ? String(revision) : revision
  if (typeof value !== 'string' || !validOverride(value)) {
    throw new E_DJAMAZING_INVALID_LINK_OPTION([
      'revision',
      'expected a string or a number, without control characters, at most 1024 characters',
    ])
  }
  return value
}

function checkOverride(name: keyof LinkOverrides, value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || value.length === 0 || !validOverride(value)) {
    throw new E_DJAMAZING_INVALID_LINK_OPTION([
      name,
      'expected a non-empty string without control characters, at most 1024 characters',
    ])
  }
  // CloudFront and S3 answer 400 to other bytes in a response header: the
  // link would be dead on arrival, so it is never made.
  if (!PRINTABLE_ASCII.test(value)) {
    throw new E_DJAMAZING_INVALID_ARGUMENT([
      name,
      "only printable ASCII can be served in this header: give a UTF-8 file name percent-encoded, as filename*=UTF-8''r%C3%A9sum%C3%A9.pdf (RFC 6266)",
    ])
  }
  return value
}

/**
 * Whom a link is for: the user id, and the realm (guard) it belongs to.
 */
type SignedUser = { id: string | null; realm: string | null }

function isValidKey(key: unknown): key is string {
  try {
    assertValidObjectKey(key)
    return true
  } catch {
    return false
  }
}

/**
 * Whether `folder` is a folder (ending with "/") that holds `key`.
 */
function isFolderOf(key: string, folder: string): boolean {
  return folder.endsWith('/') && key.startsWith(folder) && key !== folder && isValidKey(folder)
}

function checkFolder(key: string, folder: unknown): string | null {
  if (folder === undefined || folder === null) return null
  if (typeof folder !== 'string' || !isFolderOf(key, folder)) {
    throw new E_DJAMAZING_INVALID_LINK_OPTION([
      'folder',
      'expected a folder ending with "/" that holds the key (its entry file)',
    ])
  }
  return folder
}

/**
 * Makes and checks protected links:
 * `<baseUrl><routePrefix>/<disk>/<encoded key>?e=<expiry>[&ct=..][&cd=..][&v=..][&ip=1][&f=..]&s=<mac>`.
 *
 * The MAC is HMAC-SHA256, with a key derived for links only, over a JSON
 * array naming the purpose and version, the disk, the key, the user's
 * realm (guard) and id, the expiry, the revision, the overrides, and what
 * the redirect may hand out: the CloudFront URL's lifetime (`v`), its IP
 * binding (`ip`) and, for a folder link, the folder its cookies open
 * (`f`). Nothing outside the MAC can widen what a link gives. A JSON array
 * is unambiguous (no `a:b` + `c` = `a` + `b:c`), and the realm, user id
 * and revision are signed without appearing in the URL.
 */
export class LinkSigner {
  #keys: KeyObject[]
  #prefix: string
  #expiresIn: number
  #guestLinks: boolean

  constructor(options: LinkSignerOptions) {
    if (!Array.isArray(options?.secrets) || options.secrets.length === 0) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'links.secrets',
        'at least one secret is needed to sign links. Use the app key (APP_KEY)',
      ])
    }
    this.#keys = options.secrets.map((secret, index) =>
      deriveHmacKey(secret, PURPOSE, `links.secrets[${index}]`)
    )
    this.#prefix = LinkSigner.#readBase(options) + LinkSigner.#readPrefix(options.routePrefix)
    this.#expiresIn = parseDuration(options.expiresIn ?? DEFAULT_LINK_EXPIRES_IN, 'links.expiresIn')
    this.#guestLinks = options.guestLinks === true
  }

  static #readPrefix(prefix: unknown): string {
    if (prefix === undefined) return DEFAULT_ROUTE_PREFIX
    if (!isValidRoutePrefix(prefix)) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'links.routePrefix',
        'expected a path like "/djamazing": a leading "/", no trailing "/", letters, digits, "._~-", no "." or ".." segment',
      ])
    }
    return prefix
  }

  static #readBase({ baseUrl, production }: LinkSignerOptions): string {
    if (baseUrl === undefined) return ''
    const url = URL.parse(baseUrl)
    if (
      !url ||
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      url.username ||
      url.password ||
      url.pathname !== '/' ||
      url.search ||
      url.hash ||
      /[?#]/.test(baseUrl)
    ) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'links.baseUrl',
        'expected an origin like "https://app.example.com" (put a path in routePrefix)',
      ])
    }
    if (url.protocol === 'http:' && isProduction(production)) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'links.baseUrl',
        `"${url.origin}" is plain http in production: links and the session cookie that opens them would travel in clear text. Use the https:// origin of the app`,
      ])
    }
    return url.origin
  }

  #mac(key: KeyObject, disk: string, objectKey: string, user: SignedUser, p: LinkParams) {
    const message = JSON.stringify([
      PURPOSE,
      disk,
      objectKey,
      user.realm,
      user.id,
      p.expiresAt,
      p.revision,
      p.contentType,
      p.contentDisposition,
      p.viewFor,
      p.bindIp,
      p.folder,
    ])
    return createHmac('sha256', key).update(message).digest('base64url')
  }

  /**
   * A link to `key` on `disk`, for one user, until it expires.
   * Throws a named `E_DJAMAZING_*` error for an invalid disk, key, user or option.
   */
  linkFor(
    disk: string,
    key: string,
    options: LinkOptions & LinkUser & { now?: Date; folder?: string }
  ): string {
    assertDiskName(disk)
    assertValidObjectKey(key)
    const id = normalizeUserId(options?.userId)
    if (id === null && !this.#guestLinks) throw new E_DJAMAZING_GUEST_LINK([disk])
    // A guest has no realm: a guest link is the same for everyone.
    const user = { id, realm: id === null ? null : normalizeRealm(options.realm) }
    const seconds =
      options.expiresIn === undefined
        ? this.#expiresIn
        : parseDuration(options.expiresIn, 'expiresIn', E_DJAMAZING_INVALID_LINK_OPTION)
    const params: LinkParams = {
      expiresAt: Math.ceil((options.now?.getTime() ?? Date.now()) / 1000 + seconds),
      revision: normalizeRevision(options.revision),
      contentType: checkOverride('contentType', options.contentType),
      contentDisposition: checkOverride('contentDisposition', options.contentDisposition),
      viewFor:
        options.viewFor === undefined
          ? null
          : Math.ceil(parseDuration(options.viewFor, 'viewFor', E_DJAMAZING_INVALID_LINK_OPTION)),
      bindIp: options.bindIp === true,
      folder: checkFolder(key, options.folder),
    }
    const mac = this.#mac(this.#keys[0], disk, key, user, params)
    if (debug.enabled) debug('links: signed %s:%s until %d', disk, key, params.expiresAt)

    let url = `${this.#prefix}/${disk}/${encodeObjectKey(key)}?e=${params.expiresAt}`
    if (params.contentType !== null) url += `&ct=${encodeStrict(params.contentType)}`
    if (params.contentDisposition !== null) {
      url += `&cd=${encodeStrict(params.contentDisposition)}`
    }
    if (params.viewFor !== null) url += `&v=${params.viewFor}`
    if (params.bindIp) url += '&ip=1'
    if (params.folder !== null) url += `&f=${encodeStrict(params.folder)}`
    return `${url}&s=${mac}`
  }

  /**
   * Checks a link against the user logged in now. Never throws for
   * anything in the link: a bad link is a refusal with a reason. Throws a
   * named error only for an invalid `userId` or `revision` passed by the app.
   */
  verify(input: VerifyInput): LinkVerifyResult {
    const id = normalizeUserId(input.userId)
    const user = { id, realm: id === null ? null : normalizeRealm(input.realm) }
    const revision = normalizeRevision(input.revision)
    const parsed = readLinkQuery(input.query)
    if (!parsed || !isValidDiskName(input.disk) || !isValidKey(input.key)) {
      return { ok: false, reason: 'malformed' }
    }

    const signed = { ...parsed, revision }
    let genuine = id !== null && this.#matches(input, user, signed)
    // A guest link is a bearer link: whoever holds it may open it, logged in or not.
    if (!genuine && this.#guestLinks) {
      genuine = this.#matches(input, { id: null, realm: null }, { ...signed, revision: null })
    }
    if (!genuine) return { ok: false, reason: id === null ? 'login-required' : 'bad-signature' }

    // Checked after the MAC so that "expired" is only ever said of a genuine link.
    if ((input.now?.getTime() ?? Date.now()) / 1000 >= parsed.expiresAt) {
      return { ok: false, reason: 'expired' }
    }
    const { contentType, contentDisposition, viewFor, bindIp, folder } = parsed
    // Signed, so genuine; checked again because the route builds a
    // cookie path and a policy resource from it.
    if (folder !== null && !isFolderOf(input.key, folder)) return { ok: false, reason: 'malformed' }
    const result: VerifiedLink = {
      ok: true,
      expiresAt: new Date(parsed.expiresAt * 1000),
      overrides: {
        ...(contentType !== null && { contentType }),
        ...(contentDisposition !== null && { contentDisposition }),
      },
      ...(viewFor !== null && { viewFor }),
      ...(bindIp && { bindIp }),
      ...(folder !== null && { folder }),
    }
    verifiedKeys.set(result, input.key)
    return result
  }

  /**
   * Constant-time comparison with every secret (the first signs, all verify).
   */
  #matches(input: VerifyInput, user: SignedUser, p: LinkParams & { mac: string }): boolean {
    const given = Buffer.from(p.mac, 'latin1')
    let found = false
    for (const secret of this.#keys) {
      const expected = Buffer.from(this.#mac(secret, input.disk, input.key, user, p), 'latin1')
      // Both are 43 characters (the query reader checks the MAC's shape), but
      // timingSafeEqual throws on a length mismatch: never let it.
      if (given.length === expected.length && timingSafeEqual(given, expected)) found = true
    }
    return found
  }
}

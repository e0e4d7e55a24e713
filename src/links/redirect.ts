import { STATUS_CODES } from 'node:http'
import debug from '../debug.ts'
import type { DiskVariants } from '../variants/disk_variants.ts'
import { assertValidObjectKey, encodeObjectKey } from '../object_key.ts'
import { rememberFolder } from './folder_cookies.ts'
import type { ProtectedLinks } from './protected_links.ts'
import { isValidDiskName } from './signer.ts'
import type { AuthorizeHook, RedirectRequest, RedirectResponse, RouteRefusal } from './types.ts'

/*
 * WARNING: anyone on the internet can reach this route, with any path,
 * query and cookies. Everything the response depends on is either checked
 * here (the link MAC binds disk, key, user, expiry and overrides) or comes
 * from configuration; the redirect target is built from the configured
 * CDN and the verified key only, never from the request.
 */

/**
 * A disk the redirect route serves: a `DjamazingDriver`. Only protected
 * disks with links and a CloudFront key have `protectedLinks`; the route
 * answers 404 for any other.
 */
export type RedirectDisk = {
  readonly protectedLinks?: ProtectedLinks

  /**
   * The disk's image variants, when it declares them: a link to a variant
   * that is not stored yet makes it before the redirect.
   */
  readonly variants?: Pick<DiskVariants, 'parse' | 'ready'>
}

/**
 * Finds a disk by the name in a link's path. `undefined` or `null` for an
 * unknown disk.
 */
export type DiskLookup = (disk: string) => RedirectDisk | null | undefined

/**
 * On every response: nothing here may be cached by a shared cache (the
 * answer depends on the cookie), and the signed target must not leak
 * through the Referer header.
 */
export const COMMON_HEADERS = {
  'Cache-Control': 'private, no-store',
  'Referrer-Policy': 'no-referrer',
}

/**
 * The statuses of the named errors a variant that cannot be made is
 * refused with: no original (404), no image the disk takes (422), too slow
 * (503). Any other failure is the server's and is thrown.
 */
const VARIANT_REFUSALS = new Set([404, 422, 503])

/**
 * A refusal: a status and its standard phrase, no detail about why. The
 * reason goes to the adapter's event only, never into the response.
 */
function refuse(
  status: number,
  method: string,
  reason: RouteRefusal,
  disk: string | undefined,
  extra?: Record<string, string>
): RedirectResponse {
  const headers: Record<string, string> = {
    ...COMMON_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  }
  const event = {
    outcome: 'refused',
    ...(disk === undefined ? {} : { disk }),
    reason,
    status,
  } as const
  return method === 'HEAD'
    ? { status, headers, event }
    : { status, headers, body: STATUS_CODES[status] ?? 'Error', event }
}

const UNRESERVED_PATH = /^[A-Za-z0-9._~/-]+$/

/**
 * Decodes the key part of a link path. Only the exact spelling the signer
 * writes is accepted: `%2F` inside a segment, `%2e%2e`, lowercase hex or a
 * character left unencoded all give `undefined`, so two different paths
 * never name the same key and `..` never reaches a signer.
 */
export function decodeKeyPath(rawKey: string | string[]): string | undefined {
  const raw = Array.isArray(rawKey) ? rawKey.join('/') : rawKey
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096) return undefined
  // Unreserved characters only: nothing to decode, and the signer writes
  // them as they are.
  const plain = UNRESERVED_PATH.test(raw)
  let key: string
  try {
    key = plain ? raw : raw.split('/').map(decodeURIComponent).join('/')
    assertValidObjectKey(key)
  } catch {
    return undefined
  }
  return plain || encodeObjectKey(key) === raw ? key : undefined
}

/**
 * Splits a raw request target `<prefix>/<disk>/<key...>[?query]` (still
 * percent-encoded, as sent) into disk, raw key and raw query.
 * `undefined` when the path is not under the prefix.
 */
export function splitLinkPath(
  prefix: string,
  target: string
): { disk: string; rawKey: string; query: string } | undefined {
  const mark = target.indexOf('?')
  const pathname = mark < 0 ? target : target.slice(0, mark)
  const query = mark < 0 ? '' : target.slice(mark + 1)
  if (!pathname.startsWith(`${prefix}/`)) return undefined
  const rest = pathname.slice(prefix.length + 1)
  const slash = rest.indexOf('/')
  if (slash < 0) return { disk: rest, rawKey: '', query }
  return { disk: rest.slice(0, slash), rawKey: rest.slice(slash + 1), query }
}

/**
 * The redirect route, framework-free. In order: the method is GET or HEAD
 * (405), the disk exists and is protected (404), the link parses and its
 * MAC matches the user logged in now (403; 401 for a guest, so the app can
 * send them to its login page), it has not expired (403), `authorize`
 * allows it (403); then 302 to a CloudFront signed URL valid
 * `redirects.expiresIn` seconds, or what the link's MAC allows within the
 * disk's limits (see `cdnLifetime`). Refusals carry no detail; the
 * response's `event` says what was decided and why, for the adapter to report.
 *
 * Throws only for server faults, never for request input: the disk's own
 * signer fails, or produces a URL outside the CDN origin
 * (`E_DJAMAZING_UNSAFE_REDIRECT`), or the app passes an invalid user id or
 * revision (`E_DJAMAZING_INVALID_LINK_USER` / `_OPTION`).
 */
export async function handleLinkRequest(
  request: RedirectRequest,
  disks: DiskLookup,
  authorize?: AuthorizeHook
): Promise<RedirectResponse> {
  const method = request.method
  // The disk named in the path, when it is a valid name: what events may
  // repeat of it (anything else is the requester's text, not a disk).
  const diskName = isValidDiskName(request.disk) ? request.disk : undefined
  if (method !== 'GET' && method !== 'HEAD') {
    return refuse(405, method, 'method-not-allowed', diskName, { Allow: 'GET, HEAD' })
  }

  const found = diskName === undefined ? undefined : disks(diskName)
  const disk = found?.protectedLinks
  // A lookup that answers with another disk's driver is no disk of that
  // name: its links name another disk, and the files are not this one's.
  if (!disk || disk.disk !== diskName) {
    return refuse(404, method, 'unknown-disk', diskName)
  }

  const key = decodeKeyPath(request.rawKey)
  if (key === undefined) return refuse(403, method, 'malformed', diskName)
  const result = disk.verify({
    disk: request.disk,
    key,
    query: request.query,
    userId: request.userId,
    realm: request.realm,
    revision: request.revision,
    now: request.now,
  })
  if (!result.ok) {
    if (debug.enabled) debug('links: refused %s:%s (%s)', request.disk, key, result.reason)
    const status = result.reason === 'login-required' ? 401 : 403
    return refuse(status, method, result.reason, diskName)
  }

  const userId = request.userId === null ? null : String(request.userId)
  // A variant is authorized as its original: the app knows that file.
  const variant = found?.variants?.parse(key)
  if (
    authorize &&
    !(await authorize({
      disk: request.disk,
      key: variant?.original ?? key,
      userId,
      ...(variant ? { variant: variant.variant.name } : {}),
    }))
  ) {
    if (debug.enabled) debug('links: not authorized %s:%s', request.disk, key)
    return refuse(403, method, 'not-authorized', diskName)
  }

  // A variant not stored yet is made now, once however many ask; then
  // CloudFront serves it like any file.
  const making = variant ? found!.variants!.ready(key) : undefined
  if (making) {
    try {
      await making
    } catch (error) {
      const status = (error as { status?: number }).status
      if (status === undefined || !VARIANT_REFUSALS.has(status)) throw error
      if (debug.enabled) debug('links: no variant %s:%s (%s)', request.disk, key, error)
      return refuse(status, method, 'variant-unavailable', diskName)
    }
  }

  const event = {
    outcome: 'redirected',
    disk: request.disk,
    key,
    userId,
    ...(request.realm ? { realm: request.realm } : {}),
  } as const
  if (result.folder !== undefined) {
    // A folder link: CloudFront signed cookies for the whole folder (its
    // path on the CDN, the configured domain), then 302 to its entry file,
    // whose URL carries no signature: the cookies open it and every file
    // next to it. A disk without folder cookies refuses (403).
    const grant = disk.openFolder(result, request.disk, request.now, request.clientIp)
    if (!grant) return refuse(403, method, 'no-folder-cookies', diskName)
    if (debug.enabled) debug('links: folder cookies %s:%s', request.disk, result.folder)
    const remembered = { maxAge: grant.maxAge, now: request.now }
    return {
      status: 302,
      headers: { ...COMMON_HEADERS, Location: grant.location },
      setCookies: [...grant.cookies, ...rememberFolder(request.cookies, grant.scope, remembered)],
      event,
    }
  }
  // Built from config and the verified key only, and checked against the
  // CDN origin: a misconfigured signer must still never send users elsewhere.
  const location = await disk.redirectUrl(result, request.disk, request.now, request.clientIp)
  if (debug.enabled) debug('links: redirect %s:%s', request.disk, key)
  return { status: 302, headers: { ...COMMON_HEADERS, Location: location }, event }
}

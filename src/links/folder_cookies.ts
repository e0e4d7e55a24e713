import { parseCookieHeader } from '../cloudfront/cookies.ts'
import { SIGNING_PARAM_NAMES } from '../cloudfront/policy.ts'
import type { FolderCookieScope } from './types.ts'

/*
 * Folder links leave CloudFront signed cookies in the browser, one set per
 * folder, each with that folder's path (and the configured domain). A
 * cookie can only be deleted with its own path and domain, so the redirect
 * also keeps, in a small cookie of the app, where it put them: logging out
 * then deletes them all (`folderCookieClearing`).
 */

/**
 * The app's cookie listing the folder cookies it set.
 */
export const FOLDER_LIST_COOKIE = 'djamazing-folders'

/**
 * At most this many folders are remembered; opening one more deletes
 * the cookies of the oldest, so every folder cookie in the browser is on
 * the list that logout reads.
 */
const MAX_FOLDERS = 20

/**
 * Browsers drop a cookie over 4,096 bytes whole: the list stays well
 * under, forgetting (and deleting) the oldest folders first.
 */
const MAX_LIST_LENGTH = 3000

const DOMAIN = /^\.?[A-Za-z0-9.-]{1,253}$/
const PATH = /^\/[\x21-\x2b\x2d-\x3a\x3c-\x7b\x7d\x7e]*$/
const EPOCH = /^\d{1,10}$/

/**
 * A listed folder: its scope and when its cookies expire (epoch seconds;
 * unknown in lists written before expiries were kept).
 */
type Listed = FolderCookieScope & { expires?: number }

function readList(cookieHeader: string | undefined, nowSeconds: number): Listed[] {
  const raw = parseCookieHeader(cookieHeader ?? '')[FOLDER_LIST_COOKIE]
  if (!raw) return []
  const scopes: Listed[] = []
  for (const entry of raw.split(',').slice(-MAX_FOLDERS)) {
    const [path, domain, expires] = entry.split('|')
    // The list comes from the browser: only well-formed scopes are used
    // (deleting cookies of the browser's own jar is all they can do).
    if (!PATH.test(path ?? '')) continue
    if (domain !== undefined && domain !== '' && !DOMAIN.test(domain)) continue
    // Cookies past their Max-Age are gone from the browser already.
    if (expires !== undefined && (!EPOCH.test(expires) || Number(expires) <= nowSeconds)) continue
    scopes.push({
      path,
      ...(domain ? { domain } : {}),
      ...(expires === undefined ? {} : { expires: Number(expires) }),
    })
  }
  return scopes
}

const spell = (scope: FolderCookieScope) =>
  scope.domain ? `${scope.path}|${scope.domain}` : scope.path

const spellListed = (listed: Listed) =>
  listed.expires === undefined
    ? spell(listed)
    : `${listed.path}|${listed.domain ?? ''}|${listed.expires}`

const EXPIRED = 'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT'

/**
 * The `Set-Cookie` values that delete the CloudFront cookies of one folder.
 */
function deletion(scope: FolderCookieScope): string[] {
  const domain = scope.domain ? `; Domain=${scope.domain}` : ''
  return SIGNING_PARAM_NAMES.map(
    (name) => `CloudFront-${name}=; Path=${scope.path}${domain}; ${EXPIRED}`
  )
}

/**
 * The `Set-Cookie` values that add `scope`, whose cookies live `maxAge`
 * seconds from `now`, to the app's folder list: the list itself, kept as
 * long as the longest-lived folder cookie it names (a session cookie
 * would be lost on a browser restart while they persist), preceded by the
 * deletion of any folder it no longer has room for.
 */
export function rememberFolder(
  cookieHeader: string | undefined,
  scope: FolderCookieScope,
  lifetime: { maxAge: number; now?: Date }
): string[] {
  const now = Math.floor((lifetime.now ?? new Date()).getTime() / 1000)
  const list = readList(cookieHeader, now).filter((known) => spell(known) !== spell(scope))
  list.push({ ...scope, expires: now + Math.ceil(lifetime.maxAge) })
  const headers: string[] = []
  while (
    list.length > 1 &&
    (list.length > MAX_FOLDERS || list.map(spellListed).join(',').length > MAX_LIST_LENGTH)
  ) {
    headers.push(...deletion(list.shift()!))
  }
  const lastExpiry = Math.max(...list.map((listed) => listed.expires ?? 0))
  const value = list.map(spellListed).join(',')
  headers.push(
    `${FOLDER_LIST_COOKIE}=${value}; Path=/; Max-Age=${lastExpiry - now}; HttpOnly; SameSite=Lax`
  )
  return headers
}

/**
 * The `Set-Cookie` values that delete every folder cookie the app set in
 * this browser, and its list: what logging out sends. `cookieHeader` is
 * the request's `Cookie` header; in AdonisJS, `clearFolderCookies(ctx)`
 * does this.
 *
 * ```ts
 * res.setHeader('Set-Cookie', folderCookieClearing(req.headers.cookie))
 * ```
 */
export function folderCookieClearing(cookieHeader: string | undefined): string[] {
  // Every listed folder, expired or not: deleting is always safe.
  const headers = readList(cookieHeader, 0).flatMap(deletion)
  headers.push(`${FOLDER_LIST_COOKIE}=; Path=/; ${EXPIRED}`)
  return headers
}

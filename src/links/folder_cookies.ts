import { CLOUDFRONT_COOKIE_NAMES, parseCookieHeader } from '../cloudfront/cookies.ts'
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
 * At most this many folders are remembered (the oldest is forgotten).
 */
const MAX_FOLDERS = 20

const DOMAIN = /^\.?[A-Za-z0-9.-]{1,253}$/
const PATH = /^\/[\x21-\x2b\x2d-\x3a\x3c-\x7e]*$/

function readList(cookieHeader: string | undefined): FolderCookieScope[] {
  const raw = parseCookieHeader(cookieHeader ?? '')[FOLDER_LIST_COOKIE]
  if (!raw) return []
  const scopes: FolderCookieScope[] = []
  for (const entry of raw.split(',').slice(-MAX_FOLDERS)) {
    const [path, domain] = entry.split('|')
    // The list comes from the browser: only well-formed scopes are used
    // (deleting cookies of the browser's own jar is all they can do).
    if (!PATH.test(path ?? '')) continue
    if (domain !== undefined && !DOMAIN.test(domain)) continue
    scopes.push(domain ? { path, domain } : { path })
  }
  return scopes
}

const spell = (scope: FolderCookieScope) =>
  scope.domain ? `${scope.path}|${scope.domain}` : scope.path

/**
 * The `Set-Cookie` value that adds `scope` to the app's folder list.
 */
export function rememberFolder(cookieHeader: string | undefined, scope: FolderCookieScope): string {
  const list = readList(cookieHeader).filter((known) => spell(known) !== spell(scope))
  list.push(scope)
  const value = list.slice(-MAX_FOLDERS).map(spell).join(',')
  return `${FOLDER_LIST_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax`
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
  const expired = 'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT'
  const headers: string[] = []
  for (const scope of readList(cookieHeader)) {
    const domain = scope.domain ? `; Domain=${scope.domain}` : ''
    for (const name of CLOUDFRONT_COOKIE_NAMES) {
      headers.push(`${name}=; Path=${scope.path}${domain}; ${expired}`)
    }
  }
  headers.push(`${FOLDER_LIST_COOKIE}=; Path=/; ${expired}`)
  return headers
}

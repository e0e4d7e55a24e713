import { HttpContext } from '@adonisjs/core/http'
import {
  E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED,
  E_DJAMAZING_AUTH_MISSING,
  E_DJAMAZING_FOREIGN_GUARD,
  E_DJAMAZING_NO_REQUEST,
} from '../errors.ts'
import { explicitUser } from './explicit_user.ts'
import type { DjamazingServiceConfig } from './types.ts'

type AuthLike = {
  isAuthenticated: boolean
  authenticationAttempted: boolean
  authenticatedViaGuard?: string
  defaultGuard: string
  user?: unknown
  check(): Promise<boolean>
  checkUsing(guards?: string[]): Promise<boolean>
}

/**
 * A user as links see it: the stable id, the guard it was authenticated
 * with (its realm: user #1 of `admin` is not user #1 of `web`) and the
 * revocation value.
 */
export type LinkUser = { id: string | number; realm: string; revision?: string | number } | null

/**
 * The id and revocation value of a user object: the disk's `userId`
 * resolver, or `user.id`. The links part checks the id's shape.
 */
export function linkUserOf(config: DjamazingServiceConfig, user: unknown, realm: string): LinkUser {
  if (user === null || user === undefined) return null
  const id = config.userId ? config.userId(user) : (user as { id?: unknown }).id
  const revision = config.userRevision?.(user) ?? undefined
  return {
    id: (typeof id === 'bigint' ? String(id) : id) as string | number,
    realm,
    ...(revision === undefined ? {} : { revision }),
  }
}

/**
 * The silent check under way for a request: links made concurrently
 * (`Promise.all` over `getUrl`) wait for the same check, rather than read
 * "attempted, not authenticated" while it is still running.
 */
const checks = new WeakMap<HttpContext, Promise<boolean>>()

/**
 * The user logged in for this request, or `null` for a guest. Reuses what
 * the auth middleware already found; when nothing authenticated the
 * request yet (a route without the auth middleware, like the redirect
 * route), checks silently with the disk's guards, as `auth.check()` does.
 * A user of a guard the disk does not list is nobody when a link is
 * opened (`'open'`), and `E_DJAMAZING_FOREIGN_GUARD` when one is made (`'link'`).
 */
export async function requestUser(
  ctx: HttpContext,
  disk: string,
  config: DjamazingServiceConfig,
  purpose: 'open' | 'link'
): Promise<LinkUser> {
  const auth = (ctx as unknown as { auth?: AuthLike }).auth
  if (!auth) throw new E_DJAMAZING_AUTH_MISSING([disk])
  let check = checks.get(ctx)
  if (!check && !auth.isAuthenticated && !auth.authenticationAttempted) {
    check = config.guards ? auth.checkUsing(config.guards) : auth.check()
    // Only links made concurrently share it: the redirect route reads the
    // user once, and a weak entry per request would cost it for nothing.
    if (purpose === 'link') checks.set(ctx, check)
  }
  if (check) await check
  if (!auth.isAuthenticated) return null
  const guard = auth.authenticatedViaGuard ?? auth.defaultGuard
  // The guards whose users the disk makes links for and opens them to.
  const guards = config.guards ?? [auth.defaultGuard]
  if (!guards.includes(guard)) {
    // Authenticated, but as a kind of user the disk does not serve: on the
    // redirect route that is nobody (401); making a link for them is a bug.
    if (purpose === 'open') return null
    throw new E_DJAMAZING_FOREIGN_GUARD([disk, guard, guards.join(', ')])
  }
  return linkUserOf(config, auth.user, guard)
}

/**
 * The user a new protected link is bound to: the one named with
 * `asUser()`, else the one logged in for the current request. Says what
 * to change when there is no request to read the user from.
 */
export async function currentLinkUser(
  disk: string,
  config: DjamazingServiceConfig,
  firstGuard: () => Promise<string>
): Promise<LinkUser> {
  const explicit = explicitUser.getStore()
  // A user named with asUser() belongs to the disk's first guard.
  if (explicit) return linkUserOf(config, explicit.user, await firstGuard())
  if (!HttpContext.usingAsyncLocalStorage) {
    throw new E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED([disk])
  }
  const ctx = HttpContext.get()
  if (!ctx) throw new E_DJAMAZING_NO_REQUEST([disk])
  return requestUser(ctx, disk, config, 'link')
}

/**
 * The realm upload tokens are bound to: the guard of the user logged in
 * for the current request (or named with `asUser()`), as for links.
 * Outside a request (a job, a script) the user id the app passes is one
 * of the disk's first guard, as with `asUser()`. Without async local
 * storage the request cannot be read: that is the first guard too when
 * the disk has one guard, and an error when it has several (a token bound
 * to the wrong guard would be no binding). An app without
 * `@adonisjs/auth` has no guards, so no realm.
 */
export async function currentUploadRealm(
  disk: string,
  config: DjamazingServiceConfig,
  firstGuard: () => Promise<string>
): Promise<string | null> {
  const guard = await firstGuard().catch(() => null)
  if (guard === null) return null
  const ctx = HttpContext.usingAsyncLocalStorage ? HttpContext.get() : undefined
  if (ctx || explicitUser.getStore()) {
    const user = await currentLinkUser(disk, config, firstGuard)
    return user?.realm ?? null
  }
  if (!HttpContext.usingAsyncLocalStorage && (config.guards?.length ?? 1) > 1) {
    throw new E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED([disk])
  }
  return guard
}

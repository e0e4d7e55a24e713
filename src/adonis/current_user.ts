import { HttpContext } from '@adonisjs/core/http'
import {
  E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED,
  E_DJAMAZING_AUTH_MISSING,
  E_DJAMAZING_NO_REQUEST,
} from '../errors.ts'
import { explicitUserOrUndefined } from './explicit_user.ts'
import type { DjamazingServiceConfig } from './types.ts'

type AuthLike = {
  isAuthenticated: boolean
  authenticationAttempted: boolean
  user?: unknown
  check(): Promise<boolean>
  checkUsing(guards?: string[]): Promise<boolean>
}

/**
 * A user as links see it: the stable id and the revocation value.
 */
export type LinkUser = { id: string | number; revision?: string | number } | null

/**
 * The id and revocation value of a user object: the disk's `userId`
 * resolver, or `user.id`. The links part checks the id's shape.
 */
export function linkUserOf(config: DjamazingServiceConfig, user: unknown): LinkUser {
  if (user === null || user === undefined) return null
  const id = config.userId ? config.userId(user) : (user as { id?: unknown }).id
  const revision = config.userRevision?.(user) ?? undefined
  return {
    id: (typeof id === 'bigint' ? String(id) : id) as string | number,
    ...(revision === undefined ? {} : { revision }),
  }
}

/**
 * The user logged in for this request, or `null` for a guest. Reuses what
 * the auth middleware already found; when nothing authenticated the
 * request yet (a route without the auth middleware, like the redirect
 * route), checks silently with the disk's guards, as `auth.check()` does.
 */
export async function requestUser(
  ctx: HttpContext,
  disk: string,
  config: DjamazingServiceConfig
): Promise<LinkUser> {
  const auth = (ctx as unknown as { auth?: AuthLike }).auth
  if (!auth) throw new E_DJAMAZING_AUTH_MISSING([disk])
  if (!auth.isAuthenticated && !auth.authenticationAttempted) {
    if (config.guards) await auth.checkUsing(config.guards)
    else await auth.check()
  }
  return auth.isAuthenticated ? linkUserOf(config, auth.user) : null
}

/**
 * The user a new protected link is bound to: the one named with
 * `asUser()`, else the one logged in for the current request. Says what
 * to change when there is no request to read the user from.
 */
export async function currentLinkUser(
  disk: string,
  config: DjamazingServiceConfig
): Promise<LinkUser> {
  const explicit = explicitUserOrUndefined()
  if (explicit) return linkUserOf(config, explicit.user)
  if (!HttpContext.usingAsyncLocalStorage) {
    throw new E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED([disk])
  }
  const ctx = HttpContext.get()
  if (!ctx) throw new E_DJAMAZING_NO_REQUEST([disk])
  return requestUser(ctx, disk, config)
}

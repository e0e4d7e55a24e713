import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * The user named with `asUser()`, for the code it runs.
 */
export const explicitUser = new AsyncLocalStorage<{ user: unknown }>()

/**
 * Runs `callback` with protected links bound to `user` instead of the
 * user of the current request. This is how jobs, commands and tests make
 * links outside a request; `null` makes guest links (on disks with
 * `links: { guestLinks: true }`).
 *
 * ```ts
 * const url = await asUser(user, () => drive.use('uploads').getUrl(key))
 * ```
 */
export function asUser<T>(user: unknown, callback: () => T): T {
  return explicitUser.run({ user }, callback)
}

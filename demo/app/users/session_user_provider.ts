import { symbols } from '@adonisjs/auth'
import type { SessionGuardUser, SessionUserProviderContract } from '@adonisjs/auth/types/session'
import users, { type User } from './user_store.ts'

/**
 * Lets the session guard of `@adonisjs/auth` find users in the demo's user
 * store (the guard keeps only the user id in the session).
 */
export class SessionUserProvider implements SessionUserProviderContract<User> {
  declare [symbols.PROVIDER_REAL_USER]: User

  async createUserForGuard(user: User): Promise<SessionGuardUser<User>> {
    return { getId: () => user.id, getOriginal: () => user }
  }

  async findById(identifier: string | number | BigInt): Promise<SessionGuardUser<User> | null> {
    const user = await users.findById(String(identifier))
    return user ? this.createUserForGuard(user) : null
  }
}

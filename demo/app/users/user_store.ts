import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import hash from '@adonisjs/core/services/hash'
import env from '../../start/env.ts'
import { JsonFile } from '../json_file.ts'

export type User = {
  /**
   * A stable id: files live under it and protected links are bound to it,
   * so renaming a user changes neither.
   */
  id: string
  username: string
  passwordHash: string
}

/**
 * The demo's users, in `users.json` in the data folder.
 */
class UserStore {
  #file = new JsonFile<User>(join(env.get('DEMO_DATA_DIR'), 'users.json'))

  async findById(id: string): Promise<User | null> {
    const users = await this.#file.read()
    return users.find((user) => user.id === id) ?? null
  }

  async findByUsername(username: string): Promise<User | null> {
    const users = await this.#file.read()
    return users.find((user) => user.username === username) ?? null
  }

  /**
   * Returns the user when the password matches, else null. An unknown name
   * costs a hash too, so response times do not tell which names exist.
   */
  async verifyCredentials(username: string, password: string): Promise<User | null> {
    const user = await this.findByUsername(username)
    if (!user) {
      await hash.make(password)
      return null
    }
    return (await hash.verify(user.passwordHash, password)) ? user : null
  }

  /**
   * Creates the user, or sets the password of an existing one.
   */
  async upsert(username: string, password: string): Promise<void> {
    const passwordHash = await hash.make(password)
    await this.#file.update((users) => {
      const existing = users.find((user) => user.username === username)
      if (existing) {
        existing.passwordHash = passwordHash
        return users
      }
      return [...users, { id: randomUUID(), username, passwordHash }]
    })
  }
}

export default new UserStore()

import { randomBytes } from 'node:crypto'
import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * `node ace demo:seed`: the demo's users and files in an installed copy
 * (`npm run demo` does the same at every start), with new passwords,
 * printed as the launcher prints them.
 */
export default class DemoSeed extends BaseCommand {
  static commandName = 'demo:seed'
  static description = 'Create the users alice and bob with new passwords, and the demo files'
  static options: CommandOptions = { startApp: true }

  async run() {
    const { seedDemo } = await import('#app/seed')
    const passwords = {
      alice: randomBytes(9).toString('base64url'),
      bob: randomBytes(9).toString('base64url'),
    }
    await seedDemo(passwords)
    this.logger.log(`  users            alice / ${passwords.alice}`)
    this.logger.log(`                   bob / ${passwords.bob}`)
  }
}

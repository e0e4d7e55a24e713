import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { registeredDisks } from '../src/adonis/registry.ts'
import type { DjamazingDriver } from '../src/driver.ts'

/**
 * `node ace djamazing:uploads:prune`: deletes direct uploads that were
 * started but never confirmed, once older than `--older-than` (default one
 * day). For stores without lifecycle rules; on S3 the lifecycle rule of
 * docs/uploads.md does the same without a scheduled command. Confirmed
 * files are outside the pending prefix and never touched.
 */
export default class DjamazingUploadsPrune extends BaseCommand {
  static commandName = 'djamazing:uploads:prune'
  static description = 'Delete direct uploads that were never confirmed, once older than a limit'
  static options: CommandOptions = { startApp: true }

  declare disks?: string[]
  declare olderThan: string

  async run() {
    const drive = await this.app.container.make('drive.manager')
    const names =
      this.disks ??
      registeredDisks(this.app)
        .filter(({ resolved }) => resolved.uploads)
        .map(({ name }) => name)
    for (const name of names) {
      const driver = (drive as any).use(name).driver as DjamazingDriver
      const deleted = await driver.prunePendingUploads({ olderThan: this.olderThan })
      this.logger.info(
        `${name}: deleted ${deleted.length} pending upload(s) older than ${this.olderThan}`
      )
    }
  }
}

DjamazingUploadsPrune.defineArgument('disks', {
  type: 'spread',
  required: false,
  description: 'Disks to prune (default: every djamazing disk with direct uploads)',
})
DjamazingUploadsPrune.defineFlag('olderThan', {
  type: 'string',
  description: 'Age after which a pending upload is deleted, e.g. 1d, 6h',
  default: '1d',
})

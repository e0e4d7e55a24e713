import { stat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { registeredDisks } from '../src/adonis/registry.ts'
import { publishFolder } from '../src/publish/publish.ts'
import type { DjamazingDriver } from '../src/driver.ts'

/**
 * `node ace djamazing:publish <folder>`: copies a folder of static files
 * (`public/`, Vite's `public/assets`) to a public disk, uploading only
 * what changed since the last publish. The work is in `src/publish/`,
 * framework-free.
 */
export default class DjamazingPublish extends BaseCommand {
  static commandName = 'djamazing:publish'
  static description =
    'Upload a folder of static files (public/, Vite output) to a public disk: only what changed'
  static options: CommandOptions = { startApp: true }

  declare folder: string
  declare disk?: string
  declare prefix?: string
  declare delete: boolean
  declare dryRun: boolean
  declare maxAge: string

  async run() {
    const folder = isAbsolute(this.folder) ? this.folder : this.app.makePath(this.folder)
    if (
      !(await stat(folder).then(
        (s) => s.isDirectory(),
        () => false
      ))
    ) {
      this.exitCode = 1
      this.logger.error(`${this.folder} is not a folder`)
      return
    }
    const maxAge = Number(this.maxAge)
    if (!Number.isInteger(maxAge) || maxAge < 0) {
      this.exitCode = 1
      this.logger.error(`--max-age must be a number of seconds, got "${this.maxAge}"`)
      return
    }
    const drive = (await this.app.container.make('drive.manager')) as unknown as {
      use(name: string): { driver: DjamazingDriver }
    }
    const publicDisks = registeredDisks(this.app)
      .filter(({ resolved }) => resolved.mode === 'public')
      .map(({ name }) => name)
    const disk = this.disk ?? (publicDisks.length === 1 ? publicDisks[0] : undefined)
    if (!disk || !publicDisks.includes(disk)) {
      this.exitCode = 1
      this.logger.error(
        `${disk ? `"${disk}" is not a public djamazing disk` : 'say which disk with --disk'} (public disks: ${publicDisks.join(', ') || 'none'})`
      )
      return
    }

    const verb = this.dryRun ? 'would ' : ''
    const result = await publishFolder(drive.use(disk).driver, folder, {
      prefix: this.prefix,
      deleteRemoved: this.delete,
      dryRun: this.dryRun,
      shortCacheControl: `public, max-age=${maxAge}`,
      onProgress: ({ action, key, done, total }) =>
        this.logger.log(`[${done}/${total}] ${verb}${action} ${key}`),
    })
    const deleted = this.delete ? `, ${verb}delete ${result.deleted.length}` : ''
    this.logger.log(
      `${disk}: ${verb}upload ${result.uploaded.length}, ${result.unchanged.length} unchanged${deleted}${this.dryRun ? ' (dry run: nothing was changed)' : ''}`
    )
  }
}

DjamazingPublish.defineArgument('folder', {
  type: 'string',
  description: 'The folder to publish, from the app root (e.g. public)',
})
DjamazingPublish.defineFlag('disk', {
  type: 'string',
  description: 'The public disk to publish to (default: the only public djamazing disk)',
})
DjamazingPublish.defineFlag('prefix', {
  type: 'string',
  description: 'Key prefix inside the disk, e.g. assets/ (default: none)',
})
DjamazingPublish.defineFlag('delete', {
  type: 'boolean',
  description: 'Delete objects under the prefix whose file is gone from the folder',
  default: false,
})
DjamazingPublish.defineFlag('dryRun', {
  type: 'boolean',
  description: 'Say what would be uploaded and deleted, and change nothing',
  default: false,
})
DjamazingPublish.defineFlag('maxAge', {
  type: 'string',
  description: 'Seconds browsers and the CDN keep files without a content hash in their name',
  default: '300',
})

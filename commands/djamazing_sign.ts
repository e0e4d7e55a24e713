import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { doctorDisks } from '../src/adonis/doctor_disks.ts'
import { cdnUrlFor } from '../src/cdn_url.ts'
import { linkDisksOf } from '../src/doctor/disk_keys.ts'
import { printable } from '../src/doctor/printable.ts'
import { assertValidObjectKey } from '../src/object_key.ts'

/**
 * `node ace djamazing:sign <disk> <key> [--user id] [--expires 10m]`: a
 * protected link for that user (protected disks with `--user`), or else a
 * CloudFront signed URL, for debugging. Both are credentials: share them
 * as you would a password.
 */
export default class DjamazingSign extends BaseCommand {
  static commandName = 'djamazing:sign'
  static description =
    'Print a protected link for a user, or a CloudFront signed URL, of a file of a djamazing disk'
  static options: CommandOptions = { startApp: true }

  declare disk: string
  declare key: string
  declare user: string | undefined
  declare realm: string | undefined
  declare expires: string

  async run() {
    const { disks, known } = await doctorDisks(this.app, [this.disk])
    const disk = disks[0]
    if (!disk) {
      this.exitCode = 1
      this.logger.error(
        printable(`no djamazing disk named ${this.disk} (known: ${known.join(', ')})`)
      )
      return
    }
    try {
      assertValidObjectKey(this.key)
      if (this.user !== undefined) {
        const links = linkDisksOf([disk])[0]
        if (!links) {
          this.exitCode = 1
          this.logger.error(
            `"${disk.name}" is not a protected disk: links are for protected disks; without --user you get a CloudFront signed URL`
          )
          return
        }
        const link = links.signer.linkFor(disk.name, this.key, {
          userId: this.user,
          realm: this.realm ?? disk.realm,
          expiresIn: this.expires,
        })
        this.logger.log(link)
        return
      }
      // The disk as the app resolved it: its own signer, CDN and prefix.
      const { cloudfront, cdn, objectKey } = disk.resolved!
      if (!cloudfront) {
        this.exitCode = 1
        this.logger.error(`"${disk.name}" has no cloudfront key to sign with`)
        return
      }
      const url = cdnUrlFor(cdn, objectKey(this.key))
      this.logger.log(cloudfront.signUrl(url, { expiresIn: this.expires }))
    } catch (error) {
      // Named E_DJAMAZING_* errors: a bad key, user or duration.
      this.exitCode = 1
      this.logger.error(printable((error as Error).message))
    }
  }
}

DjamazingSign.defineArgument('disk', { type: 'string', description: 'The disk name' })
DjamazingSign.defineArgument('key', {
  type: 'string',
  description: 'The key of the file on the disk',
})
DjamazingSign.defineFlag('user', {
  type: 'string',
  description: 'Protected disks: make a link for this user id (else a CloudFront signed URL)',
})
DjamazingSign.defineFlag('realm', {
  type: 'string',
  description: "The user's guard (default: the disk's first guard)",
})
DjamazingSign.defineFlag('expires', {
  type: 'string',
  description: 'How long it stays valid, e.g. 90s, 10m, 2h',
  default: '10m',
})

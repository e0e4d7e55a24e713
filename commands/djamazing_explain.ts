import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { doctorDisks } from '../src/adonis/doctor_disks.ts'
import { linkDisksOf, publicKeysOf } from '../src/doctor/disk_keys.ts'
import { explainLink } from '../src/doctor/explain_link.ts'
import { explainCloudFrontUrl } from '../src/doctor/explain_url.ts'
import { printable } from '../src/doctor/printable.ts'

/**
 * `node ace djamazing:explain <url>`: would this URL be accepted now, and
 * if not, exactly why. A CloudFront signed URL (or, with `--cookie`, a URL
 * and the CloudFront cookies sent with it) is checked with the public keys
 * of the disks' CloudFront keys; a protected link of the app with its
 * disks' link signers, for `--user`. Exits 1 when it would be refused.
 */
export default class DjamazingExplain extends BaseCommand {
  static commandName = 'djamazing:explain'
  static description =
    'Say whether a CloudFront signed URL (or cookies) or a protected link would be accepted now, and why not'
  static options: CommandOptions = { startApp: true }

  declare url: string
  declare cookie: string | undefined
  declare user: string | undefined
  declare realm: string | undefined
  declare revision: string | undefined
  declare ip: string | undefined
  declare json: boolean

  async run() {
    const { disks } = await doctorDisks(this.app)
    const links = linkDisksOf(disks)
    const asLink = explainLink({ link: this.url, disks: links, user: null })
    let answer
    if (asLink.reason !== 'not-a-link') {
      const realm = this.realm ?? disks.find((disk) => disk.resolved?.mode === 'protected')?.realm
      answer = explainLink({
        link: this.url,
        disks: links,
        user: this.user === undefined ? null : { id: this.user, realm, revision: this.revision },
      })
    } else {
      const publicKeys = publicKeysOf(disks)
      if (Object.keys(publicKeys).length === 0) {
        this.exitCode = 1
        this.logger.error('no djamazing disk has a CloudFront key to check signatures with')
        return
      }
      answer = explainCloudFrontUrl({
        url: this.url,
        cookies: this.cookie,
        publicKeys,
        clientIp: this.ip,
      })
    }

    this.exitCode = answer.accepted ? 0 : 1
    if (this.json) {
      this.logger.log(JSON.stringify(answer, null, 2))
      return
    }
    const line = `${answer.accepted ? 'accepted' : `refused (${answer.reason})`}: ${answer.summary}`
    this.logger.log(printable(line))
    for (const detail of answer.details) this.logger.log(`  ${printable(detail)}`)
  }
}

DjamazingExplain.defineArgument('url', {
  type: 'string',
  description: 'A CloudFront signed URL, or a protected link of the app',
})
DjamazingExplain.defineFlag('cookie', {
  type: 'string',
  description: 'The Cookie header sent with the URL (CloudFront signed cookies)',
})
DjamazingExplain.defineFlag('user', {
  type: 'string',
  description: 'Protected links: the id of the user who opens it (default: a guest)',
})
DjamazingExplain.defineFlag('realm', {
  type: 'string',
  description: "Protected links: the user's guard (default: the disk's first guard)",
})
DjamazingExplain.defineFlag('revision', {
  type: 'string',
  description: "Protected links: the user's revocation value, if the app keeps one",
})
DjamazingExplain.defineFlag('ip', {
  type: 'string',
  description: 'The client IP, for policies with an IP condition',
})
DjamazingExplain.defineFlag('json', {
  type: 'boolean',
  description: 'Print the answer as JSON',
  default: false,
})

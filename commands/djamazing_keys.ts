import { mkdir, writeFile, access, chmod } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { generateCloudFrontKeyPair } from '../src/cloudfront/main.ts'

/**
 * `node ace djamazing:keys`: writes a new CloudFront key pair, RSA-2048 by
 * default or ECDSA P-256 with `--ec` (about ten times faster to sign with,
 * shorter URLs), and says where each half goes.
 */
export default class DjamazingKeys extends BaseCommand {
  static commandName = 'djamazing:keys'
  static description =
    'Create a CloudFront key pair (RSA-2048, or ECDSA P-256 with --ec) for signed URLs'
  static options: CommandOptions = { startApp: false }

  declare ec: boolean
  declare out: string | undefined
  declare force: boolean

  async run() {
    const directory = this.out ? this.app.makePath(this.out) : this.app.makePath('keys')
    const privatePath = join(directory, 'cloudfront_private_key.pem')
    const publicPath = join(directory, 'cloudfront_public_key.pem')
    if (!this.force && (await exists(privatePath))) {
      this.exitCode = 1
      this.logger.error(
        `${relative(this.app.makePath(), privatePath)} already exists. Pass --force to replace it (links signed with it stop working once CloudFront no longer trusts it)`
      )
      return
    }

    const pair = await generateCloudFrontKeyPair(this.ec ? 'ec' : 'rsa')
    await mkdir(directory, { recursive: true })
    // The private key is a credential: readable by the owner only.
    await writeFile(privatePath, pair.privateKey, { mode: 0o600 })
    await chmod(privatePath, 0o600)
    await writeFile(publicPath, pair.publicKey)

    const privateFile = relative(this.app.makePath(), privatePath)
    this.logger.action(`create ${privateFile}`).succeeded()
    this.logger.action(`create ${relative(this.app.makePath(), publicPath)}`).succeeded()
    this.ui
      .instructions()
      .heading(`New ${this.ec ? 'ECDSA P-256' : 'RSA-2048'} CloudFront key pair`)
      .add(`Keep ${privateFile} out of git, and set CLOUDFRONT_PRIVATE_KEY_FILE=${privateFile}`)
      .add('In CloudFront > Public keys, create a key with the contents of the public key file')
      .add('Add it to the key group trusted by the protected cache behavior')
      .add('Set CLOUDFRONT_KEY_PAIR_ID to the id CloudFront gives the public key (K...)')
      .render()
  }
}

DjamazingKeys.defineFlag('ec', {
  type: 'boolean',
  description: 'ECDSA P-256 instead of RSA-2048',
  default: false,
})
DjamazingKeys.defineFlag('out', {
  type: 'string',
  description: 'Folder to write the keys to, relative to the app root (default: keys)',
})
DjamazingKeys.defineFlag('force', {
  type: 'boolean',
  description: 'Replace an existing key pair',
  default: false,
})

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { awsSetupSteps, keyPairStepFor, printableStep } from '../src/aws_setup.ts'
import {
  DEFAULT_KEY_FOLDER,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  writeKeyPair,
} from '../src/adonis/key_pair_files.ts'

/**
 * `node ace djamazing:keys`: writes a new CloudFront key pair, RSA-2048 by
 * default or ECDSA P-256 with `--ec` (about ten times faster to sign with,
 * shorter URLs), keeps its folder out of git, has `node ace build` copy
 * it, fills an empty `CLOUDFRONT_PRIVATE_KEY_FILE`, and says where the
 * public key goes.
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
    const privateFile = await writeKeyPair(this, {
      kind: this.ec ? 'ec' : 'rsa',
      folder: this.out ?? DEFAULT_KEY_FOLDER,
      force: this.force,
    })
    if (!privateFile) {
      this.exitCode = 1
      return
    }

    const publicFile = privateFile.replace(PRIVATE_KEY_FILE, PUBLIC_KEY_FILE)
    const steps = awsSetupSteps()
    const keyPair = steps.findIndex((step) => step.title === 'Key pair')
    this.ui
      .instructions()
      .heading(`New ${this.ec ? 'ECDSA P-256' : 'RSA-2048'} CloudFront key pair`)
      .add(`The app signs with ${privateFile} (CLOUDFRONT_PRIVATE_KEY_FILE in .env)`)
      .add(
        `On AWS, step ${printableStep({ ...steps[keyPair], summary: keyPairStepFor(publicFile) }, keyPair)}`
      )
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

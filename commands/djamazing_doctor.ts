import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { doctorDisks } from '../src/adonis/doctor_disks.ts'
import { printable } from '../src/doctor/printable.ts'
import { runDoctor } from '../src/doctor/run.ts'
import type { CheckStatus } from '../src/doctor/types.ts'

const ICONS: Record<CheckStatus, string> = {
  ok: '✔',
  warn: '!',
  error: '✖',
  critical: '✖✖',
  skipped: '-',
}

/**
 * `node ace djamazing:doctor [disk...]`: checks each djamazing disk's
 * configuration, its bucket with its own credentials, and its CDN over
 * real HTTP, and says in plain words what is wrong and how to fix it.
 * Exits 1 on any error. The checks live in `src/doctor/`, framework-free.
 */
export default class DjamazingDoctor extends BaseCommand {
  static commandName = 'djamazing:doctor'
  static description =
    'Check the settings, S3 bucket and CloudFront distribution of djamazing disks, and say what to fix'
  static options: CommandOptions = { startApp: true }

  declare disks: string[]
  declare readOnly: boolean
  declare json: boolean

  async run() {
    const { disks, unknown, known } = await doctorDisks(this.app, this.disks)
    if (unknown.length || disks.length === 0) {
      this.exitCode = 1
      this.logger.error(
        unknown.length
          ? printable(
              `no djamazing disk named ${unknown.join(', ')} (known: ${known.join(', ') || 'none'})`
            )
          : 'no djamazing disk in config/drive.ts'
      )
      return
    }

    const report = await runDoctor(disks, { write: !this.readOnly })
    this.exitCode = report.ok ? 0 : 1
    if (this.json) {
      this.logger.log(JSON.stringify(report, null, 2))
      return
    }
    for (const disk of report.disks) {
      this.logger.log(this.colors.bold(`disk "${disk.disk}" (${disk.mode})`))
      for (const check of disk.checks) {
        // Messages and diagnoses quote what the CDN and the bucket answered.
        const line = printable(`  ${ICONS[check.status]} ${check.title}: ${check.message}`)
        if (check.status === 'error' || check.status === 'critical') {
          this.logger.log(this.colors.red(line))
        } else if (check.status === 'warn') {
          this.logger.log(this.colors.yellow(line))
        } else {
          this.logger.log(line)
        }
        if (check.diagnosis) this.logger.log(`      diagnosis: ${printable(check.diagnosis)}`)
        if (check.fix && check.status !== 'ok') {
          this.logger.log(`      fix: ${printable(check.fix)}`)
        }
      }
    }
    if (report.ok) this.logger.success('no errors found')
    else this.logger.error('errors found: see the fixes above')
  }
}

DjamazingDoctor.defineArgument('disks', {
  type: 'spread',
  required: false,
  description: 'The disks to check (default: every djamazing disk)',
})
DjamazingDoctor.defineFlag('readOnly', {
  type: 'boolean',
  description: 'Write nothing: skip the probe object (djamazing-doctor/ under the disk prefix)',
  default: false,
})
DjamazingDoctor.defineFlag('json', {
  type: 'boolean',
  description: 'Print the report as JSON (for CI)',
  default: false,
})

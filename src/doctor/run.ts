import { randomBytes } from 'node:crypto'
import { appSecretsCheck, cdnUrlCheck, cloudFrontKeyCheck, reasonOf } from './config_checks.ts'
import { bucketCheck, listPermissionCheck, probeCheck } from './s3_checks.ts'
import {
  clockCheck,
  encodedSlashCheck,
  overridesCheck,
  publicUnsignedCheck,
  signedServesCheck,
  unsignedRefusedCheck,
} from './cdn_checks.ts'
import { uploadCorsCheck } from './upload_checks.ts'
import { withLocalEdgeFix } from './local_edge_fixes.ts'
import type {
  Check,
  DiskContext,
  DiskReport,
  DoctorDisk,
  DoctorOptions,
  DoctorReport,
} from './types.ts'

/**
 * Every check, in the order they run: configuration, then S3 with the
 * disk's credentials, then the CDN over real HTTP. Later checks read what
 * earlier ones found (the signer, the probe object).
 */
export const DEFAULT_CHECKS: Check[] = [
  cdnUrlCheck,
  cloudFrontKeyCheck,
  appSecretsCheck,
  bucketCheck,
  probeCheck,
  listPermissionCheck,
  unsignedRefusedCheck,
  encodedSlashCheck,
  signedServesCheck,
  overridesCheck,
  publicUnsignedCheck,
  clockCheck,
  uploadCorsCheck,
]

async function checkDisk(disk: DoctorDisk, options: DoctorOptions): Promise<DiskReport> {
  const context: DiskContext = {
    disk,
    now: options.now ?? (() => new Date()),
    write: options.write ?? true,
    prefix: disk.options.prefix ?? '',
    missingKey: `${disk.options.prefix ?? ''}djamazing-doctor/missing-${randomBytes(6).toString('hex')}`,
    cdnDates: [],
    cleanup: [],
  }
  const report: DiskReport = { disk: disk.name, mode: disk.options.mode, checks: [] }
  try {
    for (const check of options.checks ?? DEFAULT_CHECKS) {
      if (check.appliesTo && !check.appliesTo(context)) continue
      let outcome
      try {
        outcome = await check.run(context)
      } catch (error) {
        outcome = { status: 'error' as const, message: `the check failed: ${reasonOf(error)}` }
      }
      if (disk.localEdge) outcome = withLocalEdgeFix(outcome)
      report.checks.push({ id: check.id, title: check.title, ...outcome })
    }
  } finally {
    for (const undo of context.cleanup.reverse()) {
      await undo().catch((error: unknown) => {
        report.checks.push({
          id: 'cleanup',
          title: 'cleanup',
          status: 'warn',
          message: `could not delete the probe: ${reasonOf(error)}`,
        })
      })
    }
    if (context.client && !disk.options.client) context.client.destroy()
  }
  return report
}

/**
 * Checks each disk in turn and reports in plain words. Never throws for a
 * misconfiguration: every finding is a check result.
 */
export async function runDoctor(
  disks: DoctorDisk[],
  options: DoctorOptions = {}
): Promise<DoctorReport> {
  const reports: DiskReport[] = []
  for (const disk of disks) reports.push(await checkDisk(disk, options))
  const ok = reports.every((report) =>
    report.checks.every((check) => check.status !== 'error' && check.status !== 'critical')
  )
  return { ok, disks: reports }
}

import { randomBytes } from 'node:crypto'
import { S3Store } from '../store/s3_store.ts'
import { resolveDisk, type ResolvedDisk } from '../disk/resolve_disk.ts'
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
import { invalidationCheck } from './invalidation_checks.ts'
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
  invalidationCheck,
]

/**
 * The disk the checks read: the app's own, or the options resolved once.
 * `undefined` when they do not resolve: the config checks then diagnose
 * them setting by setting.
 */
function resolvedOf(disk: DoctorDisk): ResolvedDisk | undefined {
  if (disk.resolved) return disk.resolved
  try {
    return resolveDisk({ ...disk.options, disk: disk.name })
  } catch {
    return undefined
  }
}

/**
 * What the checks read of a disk: the resolved disk's values, or the
 * options as given when they do not resolve.
 */
function settingsOf({ options }: DoctorDisk, resolved: ResolvedDisk | undefined) {
  const prefix = resolved?.prefix ?? (options.prefix ? options.prefix.replace(/\/?$/, '/') : '')
  return {
    mode: resolved?.mode ?? options.mode,
    bucket: resolved?.bucket ?? options.bucket,
    store: resolved?.store ?? options.store ?? 's3',
    prefix,
    // Checked for disks set up for direct uploads (an `uploads` setting),
    // not every disk whose secrets could sign them.
    pendingPrefix:
      options.uploads &&
      (resolved?.uploads?.pendingPrefix ??
        `${prefix}${options.uploads.pendingPrefix ?? 'pending-uploads/'}`),
  }
}

async function checkDisk(disk: DoctorDisk, options: DoctorOptions): Promise<DiskReport> {
  const resolved = resolvedOf(disk)
  const settings = settingsOf(disk, resolved)
  const context: DiskContext = {
    disk,
    resolved,
    now: options.now ?? (() => new Date()),
    write: options.write ?? true,
    ...settings,
    missingKey: `${settings.prefix}djamazing-doctor/missing-${randomBytes(6).toString('hex')}`,
    cdnDates: [],
    cleanup: [],
  }
  const report: DiskReport = { disk: disk.name, mode: context.mode, checks: [] }
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
    // A store the doctor made is its own; the app's disk keeps its client.
    const objects = context.objects
    if (
      objects instanceof S3Store &&
      objects !== disk.resolved?.objectStore &&
      objects.client !== disk.options.client
    ) {
      objects.client.destroy()
    }
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

import type { ObjectStore } from '../store/types.ts'
import type { CdnBase } from '../cdn_url.ts'
import type { CloudFrontSigner } from '../cloudfront/signer.ts'
import type { LinkSecret } from '../links/types.ts'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import type { DjamazingOptions } from '../types.ts'

/**
 * How a check went. `critical` is an error that exposes files (protected
 * files readable without a signature); `error` and `critical` make the
 * doctor exit non-zero; `warn` does not.
 */
export type CheckStatus = 'ok' | 'warn' | 'error' | 'critical' | 'skipped'

/**
 * The answer of one check, in plain words.
 */
export type CheckResult = {
  /**
   * Stable id of the check, e.g. `cdn.signed-url`.
   */
  id: string
  status: CheckStatus
  /**
   * What was seen.
   */
  message: string
  /**
   * What to change, when something is wrong.
   */
  fix?: string
  /**
   * A stable name for the misconfiguration found, e.g. `unknown-key-pair-id`,
   * for CI pipelines and tests to match on.
   */
  diagnosis?: string
}

/**
 * A disk as the doctor checks it: the driver's options with its name, and
 * the app secrets protected links are signed with.
 */
export type DoctorDisk = {
  name: string
  options: DjamazingOptions
  /**
   * The disk as the app resolved it (AdonisJS: the one its driver reads):
   * the checks use its S3 client, CloudFront signer and link signer
   * rather than building their own. Without it, the doctor resolves the
   * options once, and diagnoses them one by one if that fails.
   */
  resolved?: ResolvedDisk
  secrets?: LinkSecret[]
  /**
   * Where the disk's redirect route is mounted (protected links).
   */
  routePrefix?: string
  /**
   * The realm links of this disk are bound to by default (in AdonisJS, the
   * disk's first guard).
   */
  realm?: string
  /**
   * The origin the app's pages are served from (AdonisJS: `appUrl`): the
   * bucket's CORS rule must let it PUT direct uploads.
   */
  appOrigin?: string
  /**
   * Whether the CDN URL is the app's own local edge (AdonisJS in
   * development): its fixes are a restart, not the AWS console.
   */
  localEdge?: boolean
}

export type DoctorOptions = {
  /**
   * Write, read and delete a probe object under the disk's prefix
   * (`djamazing-doctor/`). `false` checks without writing: the CDN checks
   * then use a key that does not exist. Default `true`.
   */
  write?: boolean
  /**
   * The app's clock. Default `() => new Date()`.
   */
  now?: () => Date
  /**
   * The checks to run, in order. Default: {@link DEFAULT_CHECKS}.
   */
  checks?: Check[]
}

/**
 * What the checks read of the disk: from the resolved disk, or (when its
 * options do not resolve) from the options as given.
 */
type DiskSettings = Pick<ResolvedDisk, 'mode' | 'bucket' | 'store' | 'prefix'> & {
  /**
   * Where direct uploads wait in the bucket (the disk's prefix included),
   * on disks that take them.
   */
  pendingPrefix?: string
}

/**
 * What the checks of one disk share: the resources built once, and what
 * earlier checks found (a check whose prerequisite failed is skipped).
 */
export type DiskContext = DiskSettings & {
  disk: DoctorDisk
  now: () => Date
  write: boolean
  /**
   * The resolved disk (given, or resolved from the options), unless its
   * options do not resolve: then the config checks say why.
   */
  resolved?: ResolvedDisk
  cdn?: CdnBase
  signer?: CloudFrontSigner
  /**
   * The disk's object store, once the bucket check has it.
   */
  objects?: ObjectStore
  bucketReachable?: boolean
  /**
   * The probe object, once written and read back.
   */
  probe?: { key: string; body: string }
  /**
   * A key under the disk's prefix that does not exist.
   */
  missingKey: string
  /**
   * `Date` headers of the CDN's responses, with the app's clock before
   * and after each request: the clock check reads them.
   */
  cdnDates: { sentAt: number; receivedAt: number; date: string }[]
  /**
   * Undone once the disk's checks are over (the probe is deleted).
   */
  cleanup: (() => Promise<void>)[]
}

/**
 * One check. Add one by putting it in the list given to `runDoctor`.
 */
export type Check = {
  id: string
  /**
   * What the check looks at, as a heading.
   */
  title: string
  /**
   * Whether it concerns this disk (e.g. only protected disks). Default: always.
   */
  appliesTo?: (context: DiskContext) => boolean
  run(context: DiskContext): Promise<Omit<CheckResult, 'id'>> | Omit<CheckResult, 'id'>
}

export type DiskReport = {
  disk: string
  mode: string
  checks: (CheckResult & { title: string })[]
}

export type DoctorReport = {
  ok: boolean
  disks: DiskReport[]
}

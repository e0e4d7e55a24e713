import type { ApplicationService } from '@adonisjs/core/types'
import debug from '../debug.ts'

type VariantDriver = {
  getVariantUrl(key: string, variant: string): Promise<string>
  getSrcset(key: string, variants: string[]): Promise<string>
}
type Disks = { use(disk?: string): { driver: unknown; getUrl(key: string): Promise<string> } }

/**
 * Edge globals beside `@adonisjs/drive`'s `driveUrl`, for image variants:
 * `driveVariantUrl(key, variant, disk?)` and `driveSrcset(key, variants,
 * disk?)`, each the driver's method of the same job (`getVariantUrl`,
 * `getSrcset`) on the named disk, or the default one.
 */
export async function registerVariantHelpers(app: ApplicationService, drive: Disks) {
  if (!app.usingEdgeJS) return
  const edge = await import('edge.js')
  const driver = (disk?: string) => (disk ? drive.use(disk) : drive.use()).driver as VariantDriver
  debug('adonis: Edge helpers driveVariantUrl, driveSrcset')
  edge.default.global('driveVariantUrl', (key: string, variant: string, disk?: string) =>
    driver(disk).getVariantUrl(key, variant)
  )
  edge.default.global('driveSrcset', (key: string, variants: string[], disk?: string) =>
    driver(disk).getSrcset(key, variants)
  )
}

/**
 * The djamazing error inside flydrive's wrapper, if that is what `error`
 * is: `Disk` re-throws every driver error as its own (`E_CANNOT_GENERATE_URL`)
 * with the driver's as `cause`.
 */
function djamazingCause(error: unknown): Error | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return typeof cause?.code === 'string' && cause.code.startsWith('E_DJAMAZING_')
    ? (cause as Error)
    : undefined
}

/**
 * `driveUrl(key, disk?)` as `@adonisjs/drive` defines it, except that a
 * djamazing error is raised as itself. Edge re-throws an error of a
 * template with its message only, dropping its cause, so a guest on a page
 * calling `driveUrl` on a protected disk got a dev error page saying
 * `Cannot generate URL for file at location "..."` and not why
 * (`E_DJAMAZING_GUEST_LINK`, with its fix). Registered once every provider
 * has booted, so it replaces drive's own whatever the order in adonisrc.ts.
 */
export async function registerLinkHelper(app: ApplicationService, drive: Disks) {
  if (!app.usingEdgeJS) return
  const edge = await import('edge.js')
  debug('adonis: Edge helper driveUrl, raising djamazing errors as they are')
  edge.default.global('driveUrl', async (key: string, disk?: string) => {
    try {
      return await (disk ? drive.use(disk) : drive.use()).getUrl(key)
    } catch (error) {
      throw djamazingCause(error) ?? error
    }
  })
}

import type { ApplicationService } from '@adonisjs/core/types'
import debug from '../debug.ts'

type VariantDriver = {
  getVariantUrl(key: string, variant: string): Promise<string>
  getSrcset(key: string, variants: string[]): Promise<string>
}
type Disks = { use(disk?: string): { driver: unknown; getUrl(key: string): Promise<string> } }

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
 *
 * With image variants, beside it: `driveVariantUrl(key, variant, disk?)`
 * and `driveSrcset(key, variants, disk?)`, each the driver's method of the
 * same job (`getVariantUrl`, `getSrcset`) on the named disk, or the
 * default one.
 */
export async function registerViewHelpers(
  app: ApplicationService,
  drive: Disks,
  withVariants: boolean
) {
  if (!app.usingEdgeJS) return
  const { default: edge } = await import('edge.js')
  const use = (disk?: string) => (disk ? drive.use(disk) : drive.use())
  debug('adonis: Edge helper driveUrl, raising djamazing errors as they are')
  edge.global('driveUrl', async (key: string, disk?: string) => {
    try {
      return await use(disk).getUrl(key)
    } catch (error) {
      throw djamazingCause(error) ?? error
    }
  })
  if (!withVariants) return
  const driver = (disk?: string) => use(disk).driver as VariantDriver
  debug('adonis: Edge helpers driveVariantUrl, driveSrcset')
  edge.global('driveVariantUrl', (key: string, variant: string, disk?: string) =>
    driver(disk).getVariantUrl(key, variant)
  )
  edge.global('driveSrcset', (key: string, variants: string[], disk?: string) =>
    driver(disk).getSrcset(key, variants)
  )
}

import type { ApplicationService } from '@adonisjs/core/types'
import debug from '../debug.ts'

type VariantDriver = {
  getVariantUrl(key: string, variant: string): Promise<string>
  getSrcset(key: string, variants: string[]): Promise<string>
}
type Disks = { use(disk?: string): { driver: unknown } }

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

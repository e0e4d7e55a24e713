import type { ApplicationService } from '@adonisjs/core/types'
import type { DoctorDisk } from '../doctor/types.ts'
import { appSecrets } from './app_secrets.ts'
import { driverOptionsOf } from './define_disk.ts'
import { registeredDisks } from './registry.ts'
import { pointsAtApp } from './local_edge.ts'

/**
 * The djamazing disks of `config/drive.ts`, as the diagnostic commands
 * check them: all of them, or those named. Unknown names come back in
 * `unknown`.
 */
export async function doctorDisks(app: ApplicationService, names: string[] = []) {
  // Resolving drive's config is what records the djamazing disks.
  await app.container.make('drive.manager')
  const all = registeredDisks(app)
  const unknown = names.filter((name) => !all.some((disk) => disk.name === name))
  const chosen = names.length ? all.filter((disk) => names.includes(disk.name)) : all
  // A missing app key is reported by the checks, not thrown here.
  const secrets = await appSecrets(app).catch(() => [])
  // Links are bound to a guard: the disk's first, or the app's default.
  const auth = (await app.container.make('auth.manager').catch(() => undefined)) as
    { defaultGuard?: string } | undefined
  const disks: DoctorDisk[] = chosen.map((disk) => ({
    name: disk.name,
    options: driverOptionsOf(disk.name, disk.config, app.inProduction),
    resolved: disk.resolved,
    secrets,
    routePrefix: disk.routePrefix,
    realm: disk.config.guards?.[0] ?? auth?.defaultGuard,
    appOrigin: URL.parse(app.config.get('app.appUrl', ''))?.origin,
    localEdge: pointsAtApp(app, disk.resolved.cdn.origin),
  }))
  return { disks, unknown, known: all.map((disk) => disk.name) }
}

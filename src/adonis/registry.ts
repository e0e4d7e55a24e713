import type { ApplicationService } from '@adonisjs/core/types'
import type { RegisteredDisk } from './types.ts'

/**
 * The djamazing disks of each app, recorded while `config/drive.ts`
 * resolves, read by the provider to register their routes. Keyed by the
 * app so that several apps in one process (tests) stay apart.
 */
const registries = new WeakMap<ApplicationService, Map<string, RegisteredDisk>>()

export function registerDisk(app: ApplicationService, disk: RegisteredDisk) {
  let disks = registries.get(app)
  if (!disks) registries.set(app, (disks = new Map()))
  disks.set(disk.name, disk)
}

export function registeredDisks(app: ApplicationService): RegisteredDisk[] {
  return [...(registries.get(app)?.values() ?? [])]
}

/**
 * Apps whose djamazing provider has booted: protected disks need it for
 * their redirect route, and say so at boot when it is missing.
 */
const bootedApps = new WeakSet<ApplicationService>()

export function markProviderBooted(app: ApplicationService) {
  bootedApps.add(app)
}

export function isProviderBooted(app: ApplicationService): boolean {
  return bootedApps.has(app)
}

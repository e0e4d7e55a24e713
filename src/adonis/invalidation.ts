import { setTimeout as delay } from 'node:timers/promises'
import type { ApplicationService } from '@adonisjs/core/types'
import type { InvalidationOptions } from '../invalidation/types.ts'
import type { EventReporters } from './events.ts'
import { servedByLocalEdge } from './local_edge.ts'
import type { DjamazingServiceConfig } from './types.ts'

/**
 * A disk's `invalidation` in an app: its events also go to the app's
 * emitter (`djamazing:invalidation:sent`, `:retrying`, `:failed`), and a
 * disk the app's own local edge serves (development) sends its
 * CloudFront API calls to that edge, unless an `endpoint` or `client` is
 * given.
 */
export function appInvalidation(
  invalidation: InvalidationOptions,
  config: DjamazingServiceConfig,
  app: ApplicationService
): InvalidationOptions {
  let reporters: Promise<EventReporters> | undefined
  // The app's own edge takes any SigV4 signature: a development machine
  // without AWS credentials still invalidates there.
  const cdn = URL.parse(config.cdnUrl)
  const toOwnEdge =
    cdn !== null &&
    servedByLocalEdge(app, config, cdn.origin) &&
    !invalidation.client &&
    !invalidation.endpoint
  return {
    ...invalidation,
    ...(toOwnEdge
      ? {
          endpoint: config.cdnUrl,
          credentials: invalidation.credentials ?? {
            accessKeyId: 'LOCALEDGE',
            secretAccessKey: 'local-edge-accepts-any-signature',
          },
        }
      : {}),
    onEvent(event) {
      invalidation.onEvent?.(event)
      reporters ??= import('./events.ts').then(({ eventReporters }) => eventReporters(app))
      reporters.then((report) => report.invalidation(event)).catch(() => {})
    },
  }
}

/**
 * How long an app shutting down waits for its disks' last invalidations.
 */
const SHUTDOWN_GRACE_MS = 5000

/**
 * Sends what the disks still hold for their batch window, so an app
 * stopped right after a write does not lose that write's invalidation:
 * waits `SHUTDOWN_GRACE_MS` at most (a CloudFront that keeps refusing is
 * reported as usual, and not waited for).
 */
export async function flushInvalidations(
  disks: readonly { resolved: { invalidation?: { invalidator: { flush(): Promise<void> } } } }[]
): Promise<void> {
  const flushes = disks.flatMap((disk) => disk.resolved.invalidation?.invalidator.flush() ?? [])
  if (flushes.length === 0) return
  // An unreferenced timer: it never holds the process open on its own.
  await Promise.race([Promise.all(flushes), delay(SHUTDOWN_GRACE_MS, undefined, { ref: false })])
}

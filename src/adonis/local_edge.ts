import type { ApplicationService } from '@adonisjs/core/types'
import { isLoopbackHost } from '../cdn_url.ts'
import { createEdgeForDisks, type DiskEdge } from '../edge/disks.ts'
import type { EdgeCorsPolicy } from '../edge/types.ts'
import type { EventReporters } from './events.ts'
import type { DjamazingServiceConfig, RegisteredDisk } from './types.ts'

/**
 * Whether a CDN URL is this app itself: the origin of `app.appUrl`, or a
 * loopback host on the port the app listens on (`PORT`, default 3333).
 */
export function pointsAtApp(app: ApplicationService, cdnOrigin: string): boolean {
  const cdn = new URL(cdnOrigin)
  if (URL.parse(app.config.get('app.appUrl', ''))?.origin === cdn.origin) return true
  const port = cdn.port || (cdn.protocol === 'https:' ? '443' : '80')
  return isLoopbackHost(cdn.hostname) && port === (process.env.PORT ?? '3333')
}

/**
 * Whether a CDN URL's host can only be this machine's: a loopback address,
 * or a name under the `localhost` or `test` domains, which RFC 6761
 * reserves (never a CloudFront distribution).
 */
export function isDevelopmentHost(cdnOrigin: string): boolean {
  const host = new URL(cdnOrigin).hostname
  return isLoopbackHost(host) || /\.(localhost|test)$/.test(host)
}

/**
 * One local edge per CDN URL served by the app: the disks behind it share
 * its bucket, each prefix is a behavior, signed for protected disks (as
 * a cache behavior restricted to the key group would be).
 */
export type LocalEdge = {
  edge: DiskEdge
  disks: RegisteredDisk[]
  /**
   * The edge's own origin (`http://cdn.example.test:3334`) when its CDN
   * URL is not the app: it listens there instead of being mounted on the
   * app's router.
   */
  ownOrigin?: string
}

/**
 * Whether the app's local edge serves a disk (see `localEdges`).
 */
export function servedByLocalEdge(
  app: ApplicationService,
  config: Pick<DjamazingServiceConfig, 'localEdge' | 'store'>,
  cdnOrigin: string
): boolean {
  const setting = config.localEdge
  if (typeof setting === 'boolean') return setting
  if (config.store === 'local') return true
  if (app.inProduction) return false
  // With settings, also a CDN URL on a host no distribution can have.
  return pointsAtApp(app, cdnOrigin) || (setting !== undefined && isDevelopmentHost(cdnOrigin))
}

/**
 * The local edges to serve: disks with `localEdge: true`, local store
 * disks, or, outside production, disks whose `cdnUrl` points at the app,
 * or with `localEdge` settings at a development host; grouped by CDN URL. An edge is
 * mounted on the app's router, or, outside production, listens on its own origin when its
 * URL is not the app's and a disk behind it has `localEdge` settings.
 */
export function localEdges(
  app: ApplicationService,
  disks: RegisteredDisk[],
  report: EventReporters
): LocalEdge[] {
  // In production only when configured: a CDN URL on the app's origin
  // there is a misconfiguration, not a development set-up.
  const served = disks.filter((disk) =>
    servedByLocalEdge(app, disk.config, disk.resolved.cdn.origin)
  )
  const byResolved = new Map(served.map((disk) => [disk.resolved, disk]))
  const cacheOff = served.some(
    (disk) => typeof disk.config.localEdge === 'object' && disk.config.localEdge.cache === false
  )
  const edges = createEdgeForDisks(
    served.map((disk) => disk.resolved),
    {
      onRequest: (event) => report.edge(event),
      ...(cacheOff && { cache: false }),
      corsOf: (resolved) => {
        const setting = byResolved.get(resolved)?.config.localEdge
        // compileCors checks the methods when the edge is made.
        return typeof setting === 'object'
          ? (setting.cors as EdgeCorsPolicy | undefined)
          : undefined
      },
    }
  )
  return edges.map((edge) => {
    const origin = new URL(edge.url).origin
    const behind = served.filter((disk) => edge.disks.includes(disk.resolved))
    // Only `localEdge` settings ask for an own origin: with `localEdge: true`
    // a CDN URL elsewhere is a proxy or tunnel forwarding to the app, and in
    // production the app takes its CDN URL's requests behind whatever proxy
    // routes them. Either way the edge is mounted.
    const ownOrigin =
      !app.inProduction &&
      !pointsAtApp(app, origin) &&
      behind.some((disk) => typeof disk.config.localEdge === 'object')
    return { edge, disks: behind, ...(ownOrigin && { ownOrigin: origin }) }
  })
}

/**
 * Starts one server per own origin of `edges`, on its port and its host
 * when a loopback one, else the app's `HOST` (default `localhost`), and
 * returns what closes them all.
 */
export async function listenOnOwnOrigins(edges: LocalEdge[]): Promise<() => Promise<void>> {
  const { listenForDiskEdges } = await import('../edge/disk_edge_server.ts')
  const { E_DJAMAZING_INVALID_CONFIG } = await import('../errors.ts')
  const byOrigin = Map.groupBy(
    edges.filter((edge) => edge.ownOrigin),
    (edge) => edge.ownOrigin!
  )
  const servers: Awaited<ReturnType<typeof listenForDiskEdges>>[] = []
  const closeAll = () => Promise.all(servers.map((server) => server.close())).then(() => {})
  for (const [origin, group] of byOrigin) {
    const url = new URL(origin)
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
    // A loopback CDN host is where to listen; a name (cdn.example.test,
    // mapped to this machine) is reached where the app is.
    const host = isLoopbackHost(url.hostname)
      ? url.hostname.replace(/^\[|\]$/g, '')
      : process.env.HOST || 'localhost'
    try {
      servers.push(
        await listenForDiskEdges(
          group.map((one) => one.edge),
          { host, port }
        )
      )
    } catch (error) {
      await closeAll()
      const [disk] = group[0].disks
      throw new E_DJAMAZING_INVALID_CONFIG(
        [
          disk.resolved.setting('cdnUrl'),
          `the local edge of "${origin}" cannot listen on ${host}:${port} (${(error as Error).message}): free the port, or give cdnUrl another one`,
        ],
        { cause: error }
      )
    }
  }
  return closeAll
}

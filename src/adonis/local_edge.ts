import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import type { ApplicationService } from '@adonisjs/core/types'
import { isLoopbackHost } from '../cdn_url.ts'
import { createEdgeForDisks } from '../edge/disks.ts'
import type { EventReporters } from './events.ts'
import type { RegisteredDisk } from './types.ts'

/**
 * Whether a CDN URL is this app itself: the origin of `app.appUrl`, or a
 * loopback host on the port the app listens on (`PORT`, default 3333).
 */
export function pointsAtApp(app: ApplicationService, cdnOrigin: string): boolean {
  const appUrl = app.config.get<string | undefined>('app.appUrl', undefined)
  const cdn = new URL(cdnOrigin)
  if (appUrl && URL.canParse(appUrl) && new URL(appUrl).origin === cdn.origin) return true
  const port = cdn.port || (cdn.protocol === 'https:' ? '443' : '80')
  return isLoopbackHost(cdn.hostname) && port === (process.env.PORT ?? '3333')
}

/**
 * One local edge per CDN URL served by the app: the disks behind it share
 * its bucket, each prefix is a behavior, signed for protected disks (as
 * a CloudFront cache behavior restricted to the key group would be).
 */
export type LocalEdge = {
  path: string
  disks: RegisteredDisk[]
  handle(ctx: HttpContext): Promise<void>
  /**
   * Local store edges: takes the PUTs of upload URLs (the raw request
   * target under `path`), as S3 takes presigned PUTs.
   */
  upload?: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

/**
 * The local edges to mount: disks with `localEdge: true`, local store
 * disks, or, outside production, disks whose `cdnUrl` points at the app,
 * grouped by CDN URL.
 */
export function localEdges(
  app: ApplicationService,
  disks: RegisteredDisk[],
  report: EventReporters
): LocalEdge[] {
  // In production only when configured: a CDN URL on the app's origin
  // there is a misconfiguration, not a development set-up.
  const served = disks.filter(
    (disk) =>
      disk.config.localEdge ??
      (disk.resolved.local !== undefined ||
        (!app.inProduction && pointsAtApp(app, disk.resolved.cdn.origin)))
  )
  const edges = createEdgeForDisks(
    served.map((disk) => disk.resolved),
    { onRequest: (event) => report.edge(event) }
  )
  return edges.map((edge) => ({
    path: edge.path,
    disks: served.filter((disk) => edge.disks.includes(disk.resolved)),
    handle: (ctx: HttpContext) => edge.serve(ctx.request.request, ctx.response.response),
    upload: edge.upload,
  }))
}

import { METHODS } from 'node:http'
import type {} from '@adonisjs/drive/drive_provider'
import type { ApplicationService } from '@adonisjs/core/types'
import type { RedirectDisk } from '../src/links/redirect.ts'
import { markProviderBooted, registeredDisks } from '../src/adonis/registry.ts'
import { redirectRoute } from '../src/adonis/redirect_route.ts'
import { eventReporters } from '../src/adonis/events.ts'
import { E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED } from '../src/errors.ts'
import debug from '../src/debug.ts'

// The app's emitter knows the `djamazing:*` events (`emitter.on('djamazing:link:redirected',
// ...)` in start/events.ts) through these types: every app imports the provider in adonisrc.ts,
// and a declaration file keeps only the imports its exports use.
export type { EdgeEvent, LinkRedirectedEvent, LinkRefusedEvent } from '../src/adonis/events.ts'

/**
 * The redirect route and the edge answer every method Node parses (but
 * CONNECT, which never reaches a route): GET and HEAD, and 405 with
 * `Allow` for the rest, as the node:http handlers do, rather than the
 * framework's HTML 404. Only names that are plain words: `node ace serve`
 * and `build` write each route's methods into `.adonisjs/server/routes.d.ts`
 * as property names, and `M-SEARCH` there fails the build's type check.
 */
const EVERY_METHOD = METHODS.filter((method) => method !== 'CONNECT' && /^[A-Z]+$/.test(method))

type DiskSource = { use(disk?: string): { driver: unknown; getUrl(key: string): Promise<string> } }

/**
 * Registers the redirect route of every protected djamazing disk, and the
 * local CloudFront-compatible edge where a disk's CDN URL is the app
 * itself. The disks record themselves while `config/drive.ts` resolves.
 */
export default class DjamazingProvider {
  /**
   * Closes the local edges listening on their own origin.
   */
  protected closeEdges?: () => Promise<void>

  constructor(protected app: ApplicationService) {}

  async boot() {
    markProviderBooted(this.app)
    // Resolving drive's config is what records the djamazing disks.
    const drive = (await this.app.container.make('drive.manager')) as unknown as DiskSource
    const disks = registeredDisks(this.app)
    if (disks.length === 0) return
    const { registerViewHelpers } = await import('../src/adonis/view_helpers.ts')
    const variants = disks.some((disk) => disk.resolved.variants)
    await this.app.booted(() => registerViewHelpers(this.app, drive, variants))

    const router = await this.app.container.make('router')
    const usingAsyncLocalStorage = this.app.config.get('app.http.useAsyncLocalStorage', false)
    const protectedDisks = new Map(
      disks.filter((disk) => disk.resolved.mode === 'protected').map((disk) => [disk.name, disk])
    )
    const report = await eventReporters(this.app)
    const lookup = (name: string) =>
      protectedDisks.has(name) ? (drive.use(name).driver as RedirectDisk) : undefined

    for (const disk of protectedDisks.values()) {
      if (!usingAsyncLocalStorage) throw new E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED([disk.name])
      const pattern = `${disk.routePrefix}/${disk.name}/*`
      debug('adonis: redirect route %s', pattern)
      router
        .route(pattern, EVERY_METHOD, redirectRoute(disk, lookup, report))
        .as(`djamazing.${disk.name}.redirect`)
    }

    // Development: the app serves its own CDN URL with the local edge, or
    // listens on the CDN URL's own origin, as the distribution is in production.
    const { localEdges, listenOnOwnOrigins } = await import('../src/adonis/local_edge.ts')
    const edges = localEdges(this.app, disks, report)
    if (edges.some((edge) => edge.ownOrigin) && this.app.getEnvironment() === 'web') {
      this.closeEdges = await listenOnOwnOrigins(edges)
    }
    for (const { edge, disks: behind } of edges.filter((one) => !one.ownOrigin)) {
      debug('adonis: local edge %s/* for %s', edge.path, behind.map((d) => d.name).join(', '))
      router
        .route(`${edge.path}/*`, EVERY_METHOD, (ctx) =>
          edge.serve(ctx.request.request, ctx.response.response)
        )
        .as(`djamazing.${behind[0].name}.edge`)
    }

    // The local store's upload URLs and the edge's CloudFront API, taken
    // before any router middleware.
    const mounted = edges
      .filter(({ edge, ownOrigin }) => (edge.upload || edge.answersApi) && !ownOrigin)
      .map(({ edge }) => edge)
    if (mounted.length) {
      const { uploadMiddleware } = await import('../src/adonis/upload_middleware.ts')
      const server = await this.app.container.make('server')
      const middleware = uploadMiddleware(mounted)
      server.use([async () => ({ default: middleware })])
    }
  }

  async shutdown() {
    // A write's invalidation still waiting for its batch window is sent
    // before the app stops (and before an edge it may go to closes).
    const disks = registeredDisks(this.app)
    if (disks.some((disk) => disk.resolved.invalidation)) {
      const { flushInvalidations } = await import('../src/adonis/invalidation.ts')
      await flushInvalidations(disks)
    }
    await this.closeEdges?.()
  }
}

import type { KeyObject } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import type { ApplicationService } from '@adonisjs/core/types'
import { isLoopbackHost, parseCdnUrl } from '../cdn_url.ts'
import { cloudFrontPublicKeys } from '../cloudfront/keys.ts'
import { createEdgeHandler } from '../edge/main.ts'
import type { EdgeBehavior, EdgeVerifier } from '../edge/types.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { createUploadHandler } from '../local/upload_handler.ts'
import { createS3Client } from '../s3/client.ts'
import { normalizePrefix } from '../s3/config.ts'
import { pendingPrefixOf } from '../uploads/direct_uploads.ts'
import type { EventReporters } from './events.ts'
import type { RegisteredDisk } from './types.ts'

/**
 * The verifier of an edge whose disks have no CloudFront key (public disks
 * only): what lies outside their prefixes stays closed, as on CloudFront.
 */
const NO_KEYS: EdgeVerifier = {
  verify: () => ({
    ok: false,
    reason: 'no-key',
    message: 'Missing Key-Pair-Id query parameter or cookie value',
  }),
}

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
 * The public keys of the disks' CloudFront keys, by key pair id: the edge
 * checks signatures the way CloudFront checks them with the key group.
 */
function publicKeysOf(disks: RegisteredDisk[]): Record<string, KeyObject> {
  return cloudFrontPublicKeys(
    disks.map((disk) => ({ name: disk.name, cloudfront: disk.config.cloudfront }))
  )
}

/**
 * The edge behaviors of disks sharing one CDN URL, one per disk (and a
 * restricted one for a public disk's pending uploads), from the
 * prefix the driver stores under (always ending with "/", or "" for the
 * whole bucket): a pattern `uploads/public/*` matches whole path segments,
 * so a public disk never opens a sibling's `uploads/publications/...`.
 * Longest prefix first, like CloudFront's ordered cache behaviors, so a
 * disk nested inside another's prefix wins for its own keys.
 */
export function edgeBehaviorsOf(disks: RegisteredDisk[]): EdgeBehavior[] {
  return disks
    .flatMap((disk) => {
      const prefix = normalizePrefix(disk.config.prefix, `services.${disk.name}.prefix`)
      const behavior = {
        pathPattern: `${prefix}*`,
        signed: disk.config.mode === 'protected',
        inlineActiveContent: disk.config.inlineActiveContent === true,
      }
      // Unconfirmed uploads are never served as the disk's files: their
      // prefix is restricted, and longer, so it comes first.
      if (!disk.config.uploads || behavior.signed) return [behavior]
      const pending = `${prefix}${pendingPrefixOf(disk.config.uploads)}*`
      return [{ pathPattern: pending, signed: true, inlineActiveContent: false }, behavior]
    })
    .sort((a, b) => b.pathPattern.length - a.pathPattern.length)
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
  const groups = new Map<string, RegisteredDisk[]>()
  for (const disk of disks) {
    const cdn = parseCdnUrl(disk.config.cdnUrl, `services.${disk.name}.cdnUrl`)
    // In production only when configured: a CDN URL on the app's origin
    // there is a misconfiguration, not a development set-up.
    const served =
      disk.config.localEdge ??
      (disk.localStore !== undefined || (!app.inProduction && pointsAtApp(app, cdn.origin)))
    if (!served) continue
    groups.set(cdn.base, [...(groups.get(cdn.base) ?? []), disk])
  }

  return [...groups].map(([base, group]) => {
    const [first] = group
    const path = new URL(base).pathname.replace(/\/$/, '')
    if (path === '') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `services.${first.name}.cdnUrl`,
        `the app serves "${base}" itself, so it needs a path of its own, e.g. "${base}cdn"`,
      ])
    }
    const other = group.find(
      (disk) =>
        disk.config.bucket !== first.config.bucket ||
        disk.localStore?.root !== first.localStore?.root
    )
    if (other) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `services.${other.name}.cdnUrl`,
        `disks "${first.name}" and "${other.name}" share the CDN URL "${base}" but not the bucket (or the store): one distribution serves one bucket`,
      ])
    }

    const behaviors = edgeBehaviorsOf(group)
    const publicKeys = publicKeysOf(group)
    const local = first.localStore
    // The disk of a key, for events: the longest prefix it is under.
    const byPrefix = [...group].sort(
      (a, b) => (b.config.prefix ?? '').length - (a.config.prefix ?? '').length
    )
    const diskOf = (key: string | undefined) =>
      key === undefined
        ? undefined
        : byPrefix.find((disk) => key.startsWith(disk.config.prefix ?? ''))?.name
    const edge = createEdgeHandler({
      ...(local ? { directory: local.root } : { client: createS3Client(first.config) }),
      bucket: first.config.bucket,
      publicUrl: base,
      behaviors,
      defaultBehavior: { signed: true },
      ...(Object.keys(publicKeys).length ? { publicKeys } : { verifier: NO_KEYS }),
      onRequest: (event) => report.edge({ ...event, disk: diskOf(event.key) }),
    })

    const upload =
      local &&
      createUploadHandler({
        root: local.root,
        bucket: first.config.bucket,
        uploadSecret: local.uploadSecret,
      })

    // The raw rest of the request target after the edge's path: the
    // signature covers the URL exactly as the browser sent it.
    const targetOf = (req: IncomingMessage) => (req.url ?? '').slice(path.length + 1)
    return {
      path,
      disks: group,
      handle(ctx: HttpContext) {
        return edge.serve(ctx.request.request, ctx.response.response, targetOf(ctx.request.request))
      },
      upload: upload && ((req, res) => upload(req, res, targetOf(req))),
    }
  })
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import type { LocalStore } from '../store/local_store.ts'
import { createUploadHandler } from '../store/local_upload_handler.ts'
import { assertPathPattern } from './behaviors.ts'
import { createEdgeHandler, type EdgeHandler } from './handler.ts'
import type {
  EdgeBehavior,
  EdgeCorsPolicy,
  EdgeOptions,
  EdgeRequestEvent,
  EdgeVerifier,
} from './types.ts'
import { createInvalidationApi, isInvalidationApiCall } from './invalidation_api.ts'

/**
 * A disk the edge serves: a `DjamazingDriver` (it has `resolvedDisk`), or
 * the resolved disk itself.
 */
export type EdgeDisk = ResolvedDisk | { readonly resolvedDisk: ResolvedDisk }

/**
 * The edge of the disks sharing one CDN URL.
 */
export type DiskEdge = Pick<EdgeHandler, 'invalidate'> & {
  /**
   * The CDN URL it serves (the disks' `cdnUrl`, with a trailing slash).
   */
  url: string
  /**
   * Its path on the host, without the trailing slash, e.g. `/cdn`: a
   * request for `<path>/<key>` is the edge's.
   */
  path: string
  disks: readonly ResolvedDisk[]
  /**
   * Serves a GET or HEAD (any other method: 405) for `target`, the raw
   * request target after `<path>/` (default: read from `req.url`).
   */
  serve(req: IncomingMessage, res: ServerResponse, target?: string): Promise<void>
  /**
   * Local store disks: takes the PUTs of upload URLs, as S3 takes
   * presigned PUTs.
   */
  upload?: (req: IncomingMessage, res: ServerResponse, target?: string) => Promise<void>
  /**
   * Disks with `invalidation`: whether a request is a call of the
   * CloudFront invalidation API, which `serve` answers (raw XML bodies:
   * frameworks must hand it over before parsing bodies or checking CSRF).
   */
  answersApi?: (req: IncomingMessage) => boolean
}

export type EdgeForDisksOptions = Pick<
  EdgeOptions,
  'now' | 'clientIp' | 'onError' | 'onWarning' | 'originTimeout' | 'originListsBucket' | 'cache'
> & {
  /**
   * Each request the edge answered, with the disk whose prefix holds its key.
   */
  onRequest?: (event: EdgeRequestEvent & { disk?: string }) => void
  /**
   * The CORS settings of a disk's behaviors, as the response headers
   * policy of its cache behavior on the distribution (an edge on another
   * origin than the app needs them for `fetch` and players). Default none,
   * as a behavior without such a policy sends none.
   */
  corsOf?: (disk: ResolvedDisk) => EdgeCorsPolicy | undefined
}

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
 * The edge behaviors of disks sharing one CDN URL, one per disk (and a
 * restricted one for a public disk's pending uploads), from the
 * prefix the driver stores under (always ending with "/", or "" for the
 * whole bucket): a pattern `uploads/public/*` matches whole path segments,
 * so a public disk never opens a sibling's `uploads/publications/...`.
 * Longest prefix first, like CloudFront's ordered cache behaviors, so a
 * disk nested inside another's prefix wins for its own keys.
 */
export function edgeBehaviorsOf<
  Disk extends Pick<ResolvedDisk, 'prefix' | 'mode' | 'inlineActiveContent' | 'uploads'>,
>(disks: readonly Disk[], corsOf?: (disk: Disk) => EdgeCorsPolicy | undefined): EdgeBehavior[] {
  return disks
    .flatMap((disk): EdgeBehavior[] => {
      const cors = corsOf?.(disk)
      // With CORS, preflights too: GET, HEAD, OPTIONS, as a distribution
      // with a CORS policy allows them.
      const withCors = cors && { cors, allowedMethods: ['GET', 'HEAD', 'OPTIONS'] as const }
      // Compressed as the documented distribution does: its cache policies
      // (CachingOptimized, and the protected disks' own) enable Gzip and
      // Brotli, and new behaviors compress objects automatically.
      const behavior = {
        pathPattern: `${disk.prefix}*`,
        signed: disk.mode === 'protected',
        inlineActiveContent: disk.inlineActiveContent,
        compress: true,
        ...withCors,
      }
      // Unconfirmed uploads are never served as the disk's files: their
      // prefix is restricted, and longer, so it comes first.
      if (!disk.uploads || behavior.signed) return [behavior]
      const pathPattern = `${disk.uploads.pendingPrefix}*`
      return [{ ...behavior, pathPattern, signed: true, inlineActiveContent: false }, behavior]
    })
    .sort((a, b) => b.pathPattern.length - a.pathPattern.length)
}

/**
 * The local CloudFront-compatible edge of disks, one per CDN URL: the
 * disks behind one URL share its bucket (one distribution serves one
 * bucket), each prefix is a behavior, signed for protected disks (as a
 * cache behavior restricted to the key group would be), and the key group
 * holds the public halves of the disks' CloudFront keys. It reads through
 * the disks' own S3 client (or local store) and signers: nothing is built
 * twice.
 *
 * For a plain node:http server:
 *
 * ```ts
 * const edges = createEdgeForDisks([drive.use('uploads').driver])
 * createServer((req, res) => {
 *   const edge = edges.find((one) => req.url?.startsWith(`${one.path}/`))
 *   if (edge) return req.method === 'PUT' && edge.upload ? edge.upload(req, res) : edge.serve(req, res)
 *   res.writeHead(404).end()
 * })
 * ```
 */
export function createEdgeForDisks(
  sources: readonly EdgeDisk[],
  options: EdgeForDisksOptions = {}
): DiskEdge[] {
  const disks = sources.map((source) => ('resolvedDisk' in source ? source.resolvedDisk : source))
  const groups = Map.groupBy(disks, (disk) => disk.cdn.base)
  return [...groups].map(([url, group]) => edgeOf(url, group, options))
}

function edgeOf(url: string, group: ResolvedDisk[], options: EdgeForDisksOptions): DiskEdge {
  const [first] = group
  const path = new URL(url).pathname.replace(/\/$/, '')
  if (path === '') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      first.setting('cdnUrl'),
      `the app serves "${url}" itself, so it needs a path of its own, e.g. "${url}cdn"`,
    ])
  }
  const other = group.find(
    (disk) => disk.bucket !== first.bucket || disk.localStore?.root !== first.localStore?.root
  )
  if (other) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      other.setting('cdnUrl'),
      `disks "${first.name}" and "${other.name}" share the CDN URL "${url}" but not the bucket (or the store): one distribution serves one bucket`,
    ])
  }

  // Each prefix becomes a cache behavior: one CloudFront would refuse is
  // named by the disk setting it comes from.
  for (const disk of group) assertPathPattern(`${disk.prefix}*`, disk.setting('prefix'))

  const publicKeys = Object.assign({}, ...group.map((disk) => disk.cloudfront?.publicKeys ?? {}))
  // The disk of a key, for events: the longest prefix it is under.
  const byPrefix = [...group].sort((a, b) => b.prefix.length - a.prefix.length)
  const diskOf = (key: string | undefined) =>
    key === undefined ? undefined : byPrefix.find((disk) => key.startsWith(disk.prefix))?.name
  const { onRequest, corsOf, ...edgeOptions } = options
  const local = first.localStore
  const edge = createEdgeHandler({
    ...edgeOptions,
    store: first.objectStore,
    publicUrl: url,
    behaviors: edgeBehaviorsOf(group, corsOf),
    defaultBehavior: { signed: true },
    ...(Object.keys(publicKeys).length ? { publicKeys } : { verifier: NO_KEYS }),
    ...(onRequest && { onRequest: (event) => onRequest({ ...event, disk: diskOf(event.key) }) }),
  })
  const upload =
    local?.uploadSecret === undefined
      ? undefined
      : createUploadHandler({
          store: first.objectStore as LocalStore,
          uploadSecret: local.uploadSecret,
          now: options.now,
        })

  // The CloudFront API's invalidation calls of the disks' distribution,
  // with the edge's URL as the client's endpoint.
  const api = createInvalidationApi(
    group.flatMap((disk) => disk.invalidation?.distributionId ?? []),
    path,
    edge.invalidate
  )

  // The raw rest of the request target after the edge's path: the
  // signature covers the URL exactly as the browser sent it.
  const targetOf = (req: IncomingMessage) => (req.url ?? '').slice(path.length + 1)
  return {
    url,
    path,
    disks: group,
    serve: (req, res, target = targetOf(req)) =>
      api && isInvalidationApiCall(req, target)
        ? api.handle(req, res, target)
        : edge.serve(req, res, target),
    upload: upload && ((req, res, target = targetOf(req)) => upload(req, res, target)),
    answersApi:
      api &&
      ((req) =>
        (req.url ?? '').startsWith(`${path}/`) && isInvalidationApiCall(req, targetOf(req))),
    invalidate: edge.invalidate,
  }
}

import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import debug from '../debug.ts'
import { parseCdnUrl } from '../cdn_url.ts'
import { socketAddress } from '../client_address.ts'
import { parseCookieHeader } from '../cloudfront/cookies.ts'
import { CloudFrontVerifier } from '../cloudfront/verifier.ts'
import { parseDuration } from '../duration.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { compileBehaviors, type ResolvedBehavior } from './behaviors.ts'
import { EdgeCache } from './cache.ts'
import { cachePath } from './cache_policy.ts'
import { cloudFrontPages, cloudFrontRequestId, sendCloudFrontPage } from './cloudfront_page.ts'
import { edgeErrors, sendError } from './error_response.ts'
import { failureAnswer } from './failure_answer.ts'
import { brokenLimit } from './limits.ts'
import { originDeadline, type OriginDeadline } from './origin_deadline.ts'
import { LocalStore } from '../store/local_store.ts'
import { S3Store } from '../store/s3_store.ts'
import type { ObjectStore } from '../store/types.ts'
import { parseTarget, responseOverrides } from './request_target.ts'
import { sendCached, type CachedAnswer } from './send_cached.ts'
import { sendObject } from './send_object.ts'
import type { EdgeOptions, EdgeRequestEvent, EdgeVerifier, EdgeVerifyResult } from './types.ts'

/**
 * The edge as a plain node:http handler.
 * - `handler(req, res)`: `req.url` is the path as requested, under the
 *   path of `publicUrl` (use it as the whole server, or mounted where the
 *   framework leaves `req.url` untouched).
 * - `handler.serve(req, res, target)`: `target` is the raw rest of the URL
 *   after the base path, e.g. `photos/a%20b.jpg?Expires=...` (for routers
 *   that match a prefix and hand over the remainder).
 * Both resolve once the response is complete or aborted, and never reject.
 */
export type EdgeHandler = {
  (req: IncomingMessage, res: ServerResponse): Promise<void>
  serve(req: IncomingMessage, res: ServerResponse, target: string): Promise<void>
  /**
   * The edge's cache, or `undefined` when `cache: false`.
   */
  cache: EdgeCache<CachedAnswer> | undefined
  /**
   * Drops the cached answers of CloudFront invalidation paths (`/photos/a.jpg`,
   * `/photos/*`, from the edge's `publicUrl`), as a CloudFront
   * invalidation does; returns how many were dropped (0 with no cache).
   * See `EdgeCache#invalidate`.
   */
  invalidate(paths: readonly string[]): number
}

/**
 * Only a canned policy, or a custom policy whose `Resource` has no
 * wildcard, signs the whole URL including its query. A wildcard resource
 * (`.../u/12/*`, whose trailing `*` also covers the query) lets the holder
 * append any `response-content-type=text/html`: honoring it would turn
 * user uploads into stored XSS, so such overrides are ignored.
 */
export function honorsResponseOverrides(result: EdgeVerifyResult): boolean {
  if (!result.ok) return false
  if (result.policy === 'canned') return true
  if (result.policy !== 'custom' || result.resource === undefined) return false
  return !/[*?]/.test(result.resource.replaceAll('\\?', ''))
}

/**
 * Why a request was refused, when the verifier did not say: by status.
 */
const STATUS_REASONS: Record<number, string> = {
  400: 'bad-request',
  403: 'origin-access-denied',
  404: 'not-found',
  412: 'precondition-failed',
  416: 'range-not-satisfiable',
  500: 'internal-error',
}

/**
 * Whether a request announces a body: CloudFront answers a GET with one 403.
 */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

/**
 * Creates the local CloudFront-compatible edge. Options are checked here,
 * so a bad configuration fails at boot.
 */
export function createEdgeHandler(options: EdgeOptions): EdgeHandler {
  const origins = [options.client, options.directory, options.store].filter(Boolean).length
  if (origins !== 1) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      'edge.client',
      'pass the S3Client of the origin, or the directory of a local store (not both)',
    ])
  }
  if (!options.store && (typeof options.bucket !== 'string' || options.bucket === '')) {
    throw new E_DJAMAZING_INVALID_CONFIG(['edge.bucket', 'pass the name of the origin bucket'])
  }
  const cdn = parseCdnUrl(options.publicUrl, 'edge.publicUrl')
  const basePath = new URL(cdn.base).pathname
  const behaviors = compileBehaviors(options.behaviors, options.defaultBehavior)
  for (const warning of behaviors.warnings) {
    if (options.onWarning) options.onWarning(warning)
    else process.emitWarning(warning, { code: 'DJAMAZING_EDGE_BEHAVIORS' })
  }
  if (options.publicKeys && options.verifier) {
    throw new E_DJAMAZING_INVALID_CONFIG(['edge.verifier', 'give publicKeys or verifier, not both'])
  }
  const publicKeys = options.publicKeys
  const verifierOf = (keys: NonNullable<EdgeOptions['publicKeys']>) =>
    new CloudFrontVerifier({ publicKeys: keys, setting: 'edge.publicKeys' })
  const verifier: EdgeVerifier | undefined = publicKeys ? verifierOf(publicKeys) : options.verifier
  // One verifier per set of trusted keys, holding those keys only: a key
  // the behavior does not trust is "Unknown Key" before any signature
  // check, as with CloudFront's key groups.
  const verifiers = new Map(
    behaviors.trustedKeySets.map((ids) => {
      const missing = publicKeys ? ids.find((id) => !(id in publicKeys)) : ids[0]
      if (!publicKeys || missing !== undefined) {
        throw new E_DJAMAZING_INVALID_CONFIG([
          'edge.behaviors.keyPairIds',
          publicKeys
            ? `"${missing}" is not in edge.publicKeys`
            : 'per-behavior keyPairIds need edge.publicKeys (not a custom verifier)',
        ])
      }
      return [ids.join(','), verifierOf(Object.fromEntries(ids.map((id) => [id, publicKeys[id]])))]
    })
  )
  const verifierFor = (behavior: ResolvedBehavior) =>
    behavior.keyPairIds ? verifiers.get(behavior.keyPairIds.join(','))! : verifier!
  if (behaviors.anySigned && !verifier) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      'edge.publicKeys',
      'signed behaviors (the default behavior is signed) need the CloudFront public keys by key pair id',
    ])
  }
  // The bucket and the store are fixed here; a request only ever chooses
  // the key, so it cannot reach another bucket or host. The edge never
  // creates a local bucket: a missing one is NoSuchBucket, as on S3.
  const store: ObjectStore =
    options.store ??
    (options.client
      ? new S3Store({ client: options.client, bucket: options.bucket! })
      : new LocalStore({ root: options.directory!, bucket: options.bucket!, createBucket: false }))
  const now = options.now ?? (() => new Date())
  const originListsBucket = options.originListsBucket ?? true
  const clientIp = options.clientIp ?? socketAddress
  const reportError =
    options.onError ?? ((error: unknown) => console.error('djamazing: the edge failed:', error))
  // parseDuration refuses anything but a positive duration.
  const originTimeout = parseDuration(options.originTimeout ?? 30, 'edge.originTimeout')
  const cache =
    options.cache === false
      ? undefined
      : new EdgeCache<CachedAnswer>(options.cache, () => now().getTime())
  // One distribution, one name in `Via`, as CloudFront's `<id>.cloudfront.net`.
  const via = `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`

  async function respond(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    event: EdgeRequestEvent,
    deadline: OriginDeadline
  ) {
    // Limits come first, on every behavior: CloudFront answers 413 and
    // closes the connection before anything else looks at the request.
    const tooLarge = brokenLimit(req, `${cdn.base}${target}`)
    if (tooLarge) {
      event.reason = tooLarge
      return sendCloudFrontPage(res, req.method, cloudFrontPages.tooLarge(), { close: true })
    }
    const { matchPath, key, query } = parseTarget(target)
    event.key = key
    // The behavior comes from the normalised path, as CloudFront picks it;
    // the key (what S3 would read from the raw path) is checked apart, after
    // the signature: like CloudFront, which checks the signature before the
    // origin sees anything, a signed behavior answers 403 to whoever has no
    // valid signature, and a path that is no valid key 400 only after.
    const behavior = behaviors.behaviorFor(matchPath)
    event.signed = behavior.signed

    // The behavior's allowed methods come before the signature: CloudFront
    // refuses the method with its own HTML page, whoever signed the URL.
    if (!behavior.allowedMethods.has(req.method ?? '')) {
      event.reason = 'method-not-allowed'
      return sendCloudFrontPage(res, req.method, cloudFrontPages.methodNotAllowed())
    }
    if (req.method === 'GET' && hasBody(req)) {
      event.reason = 'get-with-body'
      return sendCloudFrontPage(res, req.method, cloudFrontPages.getWithBody())
    }

    let overrides: Record<string, string> = {}
    if (event.signed) {
      // The URL that was signed is rebuilt from configuration plus the raw
      // target: the Host header is the client's to choose, the base is not.
      const result = await verifierFor(behavior).verify({
        url: `${cdn.base}${target}`,
        cookies: parseCookieHeader(req.headers.cookie ?? ''),
        now: now(),
        clientIp: clientIp(req),
      })
      if (!result.ok) {
        event.reason = result.reason
        return sendError(res, req.method, edgeErrors.accessDenied(result.message, result.code))
      }
      if (honorsResponseOverrides(result)) {
        const found = responseOverrides(query)
        if ('error' in found) {
          return sendError(res, req.method, edgeErrors.invalidArgument(found.error))
        }
        overrides = found.headers
      }
    }
    if (req.method === 'OPTIONS') {
      // An allowed OPTIONS: a CORS preflight the behavior's policy allows is
      // answered here, as CloudFront answers it from a response headers
      // policy. Anything else reaches the S3 origin in production, which
      // answers as for a bucket whose CORS rules do not match (the edge does
      // not read the bucket's CORS configuration).
      const preflight = behavior.cors?.preflight(req.headers)
      if (preflight) {
        res.writeHead(200, { ...preflight, 'Content-Length': 0, 'X-Cache': 'Miss from cloudfront' })
        return void res.end()
      }
      event.reason = 'cors-not-allowed'
      const origin = req.headers.origin
      const refusal =
        origin === undefined ? edgeErrors.corsOriginMissing() : edgeErrors.corsNotAllowed()
      return sendError(res, req.method, refusal)
    }
    if (key === undefined) return sendError(res, req.method, edgeErrors.invalidUri())
    const added = behavior.cors?.response(req.headers) ?? {}
    const request = { store, req, res, key, overrides, deadline, behavior, added }
    if (!cache) {
      return sendObject({ ...request, added: { ...added, 'X-Cache': 'Miss from cloudfront' } })
    }
    // The signature was checked above: a cached answer is only ever given
    // to a request the behavior lets through, as on CloudFront.
    await sendCached({
      ...request,
      cache,
      path: cachePath(target.split('?', 1)[0], query, behavior.cachePolicy),
      originListsBucket,
      answerFailure: (error, expired) => answer(res, event, error, expired),
    })
  }

  /**
   * Answers a failure as CloudFront would, and says why in the event.
   */
  function answer(res: ServerResponse, event: EdgeRequestEvent, error: unknown, expired: boolean) {
    const found = failureAnswer(error, expired, originListsBucket)
    event.reason = found.reason ?? event.reason
    if (res.headersSent) {
      // Too late for a status: cut the body short, as CloudFront does.
      res.destroy()
    } else if (found.page) sendCloudFrontPage(res, event.method, found.page)
    else sendError(res, event.method, found.error!)
    return found.report
  }

  /**
   * Runs one request: reports it once when the response is complete or
   * aborted, and turns any failure into CloudFront's answer, never a
   * crash. The origin gets `originTimeout` for each answer and between
   * two packets of a body.
   */
  async function track(
    req: IncomingMessage,
    res: ServerResponse,
    work: (event: EdgeRequestEvent, deadline: OriginDeadline) => Promise<void>
  ) {
    const event: EdgeRequestEvent = {
      method: req.method ?? '',
      status: 0,
      aborted: false,
      clientAddress: clientIp(req),
    }
    const controller = new AbortController()
    const report = () => {
      event.status = res.statusCode
      if (event.status >= 400) event.reason ??= STATUS_REASONS[event.status] ?? 'error'
      debug(
        'edge %s %s %d%s%s',
        event.method,
        event.key ?? '(no key)',
        event.status,
        event.reason ? ` ${event.reason}` : '',
        event.aborted ? ' aborted' : ''
      )
      options.onRequest?.(event)
    }
    // A framework may hand over a response whose client already left.
    if (res.closed) {
      event.aborted = true
      return report()
    }
    // What CloudFront adds to every answer; the cache status is an error's
    // until an object is sent.
    res.setHeader('Via', via)
    res.setHeader('X-Cache', 'Error from cloudfront')
    res.setHeader('X-Amz-Cf-Id', cloudFrontRequestId())
    let cutByEdge = false
    const deadline = originDeadline(controller.signal, originTimeout)
    const closed = new Promise<void>((resolve) => {
      res.once('close', () => {
        // Closed before the last byte was handed over, and not by the
        // edge: the client went away. Abort the origin request so it
        // stops reading from S3. (An origin body that ran out of time is
        // destroyed, and the response with it: that is the origin's fault.)
        if (!res.writableFinished && deadline.expired) {
          event.reason = 'origin-timeout'
        } else if (!res.writableFinished && !cutByEdge) {
          event.aborted = true
          controller.abort()
        }
        report()
        resolve()
      })
    })
    try {
      await work(event, deadline)
    } catch (error) {
      cutByEdge = res.headersSent
      if (!event.aborted && answer(res, event, error, deadline.expired)) reportError(error, req)
    } finally {
      deadline.stop()
    }
    await closed
  }

  function serve(req: IncomingMessage, res: ServerResponse, target: string) {
    return track(req, res, (event, deadline) => respond(req, res, target, event, deadline))
  }

  function handler(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? ''
    // Only origin-form targets under the base path. An absolute-form
    // target (`GET http://evil.com/x`) is a proxy request: refused, never
    // followed. `//evil.com/x` gets past here and fails as a key with a
    // leading "/".
    const refusal = !url.startsWith('/')
      ? edgeErrors.invalidUri()
      : !url.startsWith(basePath) && edgeErrors.notFound()
    if (refusal) return track(req, res, async () => sendError(res, req.method, refusal))
    return serve(req, res, url.slice(basePath.length))
  }

  return Object.assign(handler, {
    serve,
    cache,
    invalidate: (paths: readonly string[]) => cache?.invalidate(paths) ?? 0,
  })
}

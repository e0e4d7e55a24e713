import type { IncomingMessage, ServerResponse } from 'node:http'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ObjectStore, StoredObject } from '../store/types.ts'
import type { ResolvedBehavior } from './behaviors.ts'
import type { CacheEntry, EdgeCache } from './cache.ts'
import { errorTtl, objectTtl } from './cache_policy.ts'
import { evaluatePreconditions, rangeStillValid } from './conditional.ts'
import { edgeErrors, sendError } from './error_response.ts'
import { failureAnswer } from './failure_answer.ts'
import type { OriginDeadline } from './origin_deadline.ts'
import { headObject, OriginFailure, originFailure } from './origin.ts'
import { parseRange, resolveRange } from './range.ts'
import { isConditional, objectHeaders, sendNotModified, sendObject } from './send_object.ts'
import { answerEncoding, compressedHeaders, encodeWhole, encoder } from './compression.ts'

/**
 * What the edge's cache keeps: a whole object with what the origin said
 * about it, or a failure answer of the origin (a 404, a 5xx).
 */
export type CachedAnswer =
  | { kind: 'object'; object: StoredObject; body: Buffer }
  | { kind: 'error'; error: unknown; expired: boolean }

/**
 * One GET or HEAD, authorised, to answer through the cache.
 */
export type CachedRequest = {
  cache: EdgeCache<CachedAnswer>
  errorCachingMinTtl: number
  store: ObjectStore
  req: IncomingMessage
  res: ServerResponse
  key: string
  /**
   * The cache key, and the path invalidations match (see `cachePath`).
   */
  cacheKey: string
  path: string
  overrides: Record<string, string>
  deadline: OriginDeadline
  behavior: ResolvedBehavior
  added: Record<string, string>
  /**
   * Whether the origin may list the bucket: else a missing key is 403.
   */
  originListsBucket: boolean
  /**
   * Sends a failure answer again, from the cache (never reported twice).
   */
  answerFailure: (error: unknown, expired: boolean) => void
}

type CacheStatus = 'Hit' | 'RefreshHit' | 'Miss'

/**
 * `X-Cache` as CloudFront sends it.
 */
const xCache = (status: CacheStatus) => `${status} from cloudfront`

/**
 * Answers from a cached entry: a cached failure is sent again; an object
 * answers preconditions (304, 412), a single range (206, 416) and HEAD
 * from the bytes kept, with `Age`.
 */
function sendEntry(request: CachedRequest, entry: CacheEntry<CachedAnswer>, status: CacheStatus) {
  const { req, res, cache } = request
  const answer = entry.value
  if (answer.kind === 'error') return request.answerFailure(answer.error, answer.expired)
  const { object, body } = answer
  const added = { ...request.added, 'X-Cache': xCache(status), 'Age': String(cache.age(entry)) }
  const precondition = evaluatePreconditions(req.headers, object)
  if (precondition === 'failed') return sendError(res, req.method, edgeErrors.preconditionFailed())
  if (precondition === 'not-modified') {
    return sendNotModified(req, res, object, request.overrides, request.behavior, added)
  }
  const spec = parseRange(req.headers.range)
  const range =
    spec && rangeStillValid(req.headers, object) ? resolveRange(spec, object.size) : undefined
  if (range === 'unsatisfiable') {
    return sendError(res, req.method, edgeErrors.rangeNotSatisfiable(object.size))
  }
  const headers = objectHeaders(object, range, request.overrides, request.behavior, added)
  // The cache keeps the object as stored; a compressed answer is made
  // from it for each viewer that accepts one.
  const encoding =
    range || req.method === 'HEAD'
      ? undefined
      : answerEncoding(req, request.behavior, object.size, headers)
  if (encoding) {
    res.writeHead(200, compressedHeaders(headers, encoding))
    res.end(encodeWhole(encoding, body))
    return
  }
  res.writeHead(range ? 206 : 200, headers)
  res.end(
    req.method === 'HEAD' ? undefined : range ? body.subarray(range.start, range.end + 1) : body
  )
}

/**
 * Keeps the origin's failure when CloudFront would (404 and 5xx, for the
 * error caching minimum TTL), then lets it go on to be answered.
 */
function keepFailure(request: CachedRequest, error: unknown): never {
  const expired = request.deadline.expired
  // Only the origin's answers: not a viewer who went away mid-body, nor a
  // bug of the edge, nor a failure once the answer has started.
  if (request.res.headersSent || !(expired || error instanceof OriginFailure)) throw error
  const { status } = failureAnswer(error, expired, request.originListsBucket)
  request.cache.set(request.cacheKey, {
    value: { kind: 'error', error, expired },
    bytes: 0,
    path: request.path,
    ttl: errorTtl(status, undefined, request.errorCachingMinTtl),
  })
  throw error
}

/**
 * A plain GET the cache cannot answer: one GET to the origin, streamed to
 * the viewer and, when the object may be kept and fits, into the cache.
 * A response the viewer cancels is not kept.
 */
async function fill(request: CachedRequest) {
  const { res, deadline, cache } = request
  const object = await request.store
    .get(request.key, { signal: deadline.signal })
    .catch((error: unknown) => keepFailure(request, originFailure(error)))
  deadline.watch(object.body)
  const { body: stream, ...stored } = object
  // The TTL counts from the origin's answer, as `Age` does.
  const storedAt = cache.now()
  const ttl = objectTtl(stored, request.behavior.cachePolicy, storedAt)
  const added = { ...request.added, 'X-Cache': xCache('Miss') }
  const headers = objectHeaders(stored, undefined, request.overrides, request.behavior, added)
  const encoding = answerEncoding(request.req, request.behavior, stored.size, headers)
  res.writeHead(200, encoding ? compressedHeaders(headers, encoding) : headers)
  // What the viewer gets after the cache has seen the bytes: compressed or not.
  const toViewer = encoding ? [encoder(encoding, stored.size), res] : [res]
  if (!(ttl > 0) || stored.size > cache.maxObjectBytes) {
    cache.delete(request.cacheKey)
    return pipeline([stream, ...toViewer])
  }
  // Kept as the origin's last byte arrives, before it is passed on: the
  // viewer cannot have the whole body before the next request can find
  // it. A body cut short is never kept.
  const chunks: Buffer[] = []
  let received = 0
  const store = (body: Buffer) =>
    cache.set(request.cacheKey, {
      value: { kind: 'object', object: stored, body },
      bytes: body.length,
      path: request.path,
      ttl,
      storedAt,
    })
  if (stored.size === 0) store(Buffer.alloc(0))
  const keep = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk)
      received += chunk.length
      if (received === stored.size) store(Buffer.concat(chunks))
      callback(null, chunk)
    },
  })
  await pipeline([stream, keep, ...toViewer])
}

/**
 * A stale entry: the origin is asked whether the object changed (a HEAD,
 * its ETag compared). Unchanged: the entry is kept another TTL and served
 * (`RefreshHit`). The origin failing with a 5xx: the stale object is
 * served, and kept for the error caching minimum TTL, as CloudFront does.
 * Returns false when the entry is gone and the origin must answer.
 */
async function revalidate(
  request: CachedRequest,
  entry: CacheEntry<CachedAnswer>
): Promise<boolean> {
  const { cache, deadline } = request
  const answer = entry.value
  if (answer.kind === 'error') {
    cache.delete(request.cacheKey)
    return false
  }
  let head: StoredObject
  try {
    head = await headObject(request.store, request.key, deadline.signal)
  } catch (error) {
    if (failureAnswer(error, deadline.expired, request.originListsBucket).status >= 500) {
      cache.renew(entry, request.errorCachingMinTtl, { resetAge: false })
      sendEntry(request, entry, 'Hit')
      return true
    }
    cache.delete(request.cacheKey)
    return keepFailure(request, error)
  }
  deadline.touch()
  if (head.etag !== answer.object.etag) {
    cache.delete(request.cacheKey)
    return false
  }
  const ttl = objectTtl(head, request.behavior.cachePolicy, cache.now())
  if (ttl > 0) cache.renew(entry, ttl, { resetAge: true })
  else cache.delete(request.cacheKey)
  sendEntry(request, entry, 'RefreshHit')
  return true
}

/**
 * Answers a GET or HEAD as CloudFront's edge cache would: fresh entries
 * from memory (`Hit`), stale ones after asking the origin (`RefreshHit`),
 * the rest from the origin (`Miss`), keeping what CloudFront keeps.
 * Concurrent plain GETs of one key wait for the first one's answer.
 * HEAD, range and conditional requests the cache cannot answer go to the
 * origin as they are, and are not kept (their 404 and 5xx are).
 */
export async function sendCached(request: CachedRequest) {
  const { cache, req, cacheKey } = request
  const plainGet = req.method === 'GET' && !req.headers.range && !isConditional(req.headers)
  let entry = cache.get(cacheKey)
  if (entry && cache.isFresh(entry)) return sendEntry(request, entry, 'Hit')
  if (entry && (await revalidate(request, entry))) return
  if (plainGet) {
    if (await cache.collapse(cacheKey, () => fill(request))) return
    // Another request was filling: its answer, or the origin's if it kept none.
    entry = cache.get(cacheKey)
    if (entry && cache.isFresh(entry)) return sendEntry(request, entry, 'Hit')
    return fill(request)
  }
  const added = { ...request.added, 'X-Cache': xCache('Miss') }
  await sendObject(
    request.store,
    req,
    request.res,
    request.key,
    request.overrides,
    request.deadline,
    request.behavior,
    added
  ).catch((error: unknown) => keepFailure(request, error))
}

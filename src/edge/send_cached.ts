import { Readable, Transform } from 'node:stream'
import type { StoredObject } from '../store/types.ts'
import type { CacheEntry, EdgeCache } from './cache.ts'
import { errorTtl, objectTtl } from './cache_policy.ts'
import { failureAnswer } from './failure_answer.ts'
import { fromOrigin, OriginFailure } from './origin.ts'
import {
  answerConditions,
  isConditional,
  objectHeaders,
  sendObject,
  sendWhole,
  type ObjectRequest,
} from './send_object.ts'

/**
 * What the edge's cache keeps: a whole object with what the origin said
 * about it, or a failure answer of the origin (a 404, a 5xx).
 */
export type CachedAnswer =
  | { kind: 'object'; object: StoredObject; body: Buffer }
  | { kind: 'error'; error: unknown; expired: boolean }

/**
 * One GET or HEAD, authorised, to answer through the cache. `path` is
 * the cache key, and the path invalidations match (see `cachePath`).
 */
export type CachedRequest = ObjectRequest & {
  cache: EdgeCache<CachedAnswer>
  path: string
  /**
   * Whether the origin may list the bucket: else a missing key is 403.
   */
  originListsBucket: boolean
  /**
   * Sends a failure answer again, from the cache (never reported twice).
   */
  answerFailure: (error: unknown, expired: boolean) => void
}

/**
 * Answers from a cached entry: a cached failure is sent again; an object
 * answers preconditions (304, 412), a single range (206, 416) and HEAD
 * from the bytes kept, with `Age`.
 */
async function sendEntry(
  request: CachedRequest,
  entry: CacheEntry<CachedAnswer>,
  status: 'Hit' | 'RefreshHit'
) {
  const { req, res, cache } = request
  const answer = entry.value
  if (answer.kind === 'error') return request.answerFailure(answer.error, answer.expired)
  const { object, body } = answer
  const added = {
    ...request.added,
    'X-Cache': `${status} from cloudfront`,
    'Age': String(cache.age(entry)),
  }
  const hit = { ...request, added }
  const conditions = answerConditions(hit, object)
  if (!conditions) return
  const { range } = conditions
  const headers = objectHeaders(object, range, hit)
  // The cache keeps the object as stored; a compressed answer is made
  // from it for each viewer that accepts one.
  if (!range && req.method !== 'HEAD') {
    return sendWhole(hit, { ...object, body: Readable.from([body]) }, headers)
  }
  res.writeHead(range ? 206 : 200, headers)
  res.end(req.method === 'HEAD' ? undefined : body.subarray(range!.start, range!.end + 1))
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
  request.cache.set(request.path, {
    value: { kind: 'error', error, expired },
    bytes: 0,
    path: request.path,
    ttl: errorTtl(status, undefined, request.cache.errorCachingMinTtl),
  })
  throw error
}

/**
 * A plain GET the cache cannot answer: one GET to the origin, streamed to
 * the viewer and, when the object may be kept and fits, into the cache.
 * A response the viewer cancels is not kept.
 */
async function fill(request: CachedRequest) {
  const { deadline, cache } = request
  const object = await fromOrigin(
    request.store.get(request.key, { signal: deadline.signal })
  ).catch((error: unknown) => keepFailure(request, error))
  const { body: stream, ...stored } = object
  deadline.watch(stream)
  // The TTL counts from the origin's answer, as `Age` does.
  const storedAt = cache.now()
  const ttl = objectTtl(stored, request.behavior.cachePolicy, storedAt)
  const miss = { ...request, added: { ...request.added, 'X-Cache': 'Miss from cloudfront' } }
  const headers = objectHeaders(stored, undefined, miss)
  if (!(ttl > 0) || stored.size > cache.maxObjectBytes) {
    cache.delete(request.path)
    return sendWhole(miss, object, headers)
  }
  // Kept as the origin's last byte arrives, before it is passed on: the
  // viewer cannot have the whole body before the next request can find
  // it. A body cut short is never kept.
  const chunks: Buffer[] = []
  let received = 0
  const store = (body: Buffer) =>
    cache.set(request.path, {
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
  // The viewer gets the bytes after the cache has seen them: compressed or not.
  await sendWhole(miss, object, headers, [keep])
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
    cache.delete(request.path)
    return false
  }
  let head: StoredObject
  try {
    head = await fromOrigin(request.store.head(request.key, { signal: deadline.signal }))
  } catch (error) {
    if (failureAnswer(error, deadline.expired, request.originListsBucket).status >= 500) {
      cache.renew(entry, request.cache.errorCachingMinTtl, { resetAge: false })
      await sendEntry(request, entry, 'Hit')
      return true
    }
    cache.delete(request.path)
    return keepFailure(request, error)
  }
  deadline.touch()
  if (head.etag !== answer.object.etag) {
    cache.delete(request.path)
    return false
  }
  const ttl = objectTtl(head, request.behavior.cachePolicy, cache.now())
  if (ttl > 0) cache.renew(entry, ttl, { resetAge: true })
  else cache.delete(request.path)
  await sendEntry(request, entry, 'RefreshHit')
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
  const { cache, req, path } = request
  const plainGet = req.method === 'GET' && !req.headers.range && !isConditional(req.headers)
  let entry = cache.get(path)
  if (entry && cache.isFresh(entry)) return sendEntry(request, entry, 'Hit')
  if (entry && (await revalidate(request, entry))) return
  if (plainGet) {
    if (await cache.collapse(path, () => fill(request))) return
    // Another request was filling: its answer, or the origin's if it kept none.
    entry = cache.get(path)
    if (entry && cache.isFresh(entry)) return sendEntry(request, entry, 'Hit')
    return fill(request)
  }
  const added = { ...request.added, 'X-Cache': 'Miss from cloudfront' }
  await sendObject({ ...request, added }).catch((error: unknown) => keepFailure(request, error))
}

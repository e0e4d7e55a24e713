import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { asAttachment, isActiveContentType, USER_CONTENT_CSP } from '../active_content.ts'
import type { ResolvedBehavior } from './behaviors.ts'
import { evaluatePreconditions, rangeStillValid } from './conditional.ts'
import { edgeErrors, sendError } from './error_response.ts'
import type { ObjectStore, StoredObject } from '../store/types.ts'
import type { OriginDeadline } from './origin_deadline.ts'
import { headObject, originFailure, storedHeaders } from './origin.ts'
import { parseRange, resolveRange } from './range.ts'
import { answerEncoding, compressedEtag, compressedHeaders, encoder } from './compression.ts'

type SendBehavior = Pick<ResolvedBehavior, 'inlineActiveContent'> &
  Partial<Pick<ResolvedBehavior, 'compress'>>

/**
 * Writes a 200's head and streams its body, compressed as CloudFront
 * would when the behavior compresses and the viewer, type and size allow.
 */
function sendWhole(
  req: IncomingMessage,
  res: ServerResponse,
  object: StoredObject & { body: NodeJS.ReadableStream },
  headers: Record<string, string | number>,
  behavior: SendBehavior
) {
  const encoding = answerEncoding(req, behavior, object.size, headers)
  if (!encoding) {
    res.writeHead(200, headers)
    return pipeline(object.body, res)
  }
  res.writeHead(200, compressedHeaders(headers, encoding))
  return pipeline(object.body, encoder(encoding, object.size), res)
}

/**
 * What the documented CloudFront response headers policy adds to every
 * object: the browser never guesses a type (`nosniff`), a file opened
 * as a page runs no script and gets an opaque origin (a sandbox), and
 * sends no `Referer` from its links (`no-referrer`). Then
 * active content is a download unless the behavior allows it inline:
 * uploaded HTML or SVG must never run on the app's or the CDN's origin.
 */
function userContentHeaders(
  headers: Record<string, string>,
  behavior: Pick<ResolvedBehavior, 'inlineActiveContent'>
): Record<string, string> {
  const safe: Record<string, string> = {
    ...headers,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': USER_CONTENT_CSP,
    'Referrer-Policy': 'no-referrer',
  }
  if (!behavior.inlineActiveContent && isActiveContentType(headers['Content-Type'])) {
    safe['Content-Disposition'] = asAttachment(headers['Content-Disposition'])
  }
  return safe
}

/**
 * The headers of a 200, 206 or HEAD answer: the stored ones, then the
 * signed overrides on top, then the user-content headers.
 */
export function objectHeaders(
  object: StoredObject,
  range: { start: number; end: number } | undefined,
  overrides: Record<string, string>,
  behavior: Pick<ResolvedBehavior, 'inlineActiveContent'>,
  added: Record<string, string>
) {
  const headers: Record<string, string | number> = {
    ...userContentHeaders({ ...storedHeaders(object), ...overrides }, behavior),
    ...added,
    'Accept-Ranges': 'bytes',
    'Content-Length': range ? range.end - range.start + 1 : object.size,
  }
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`
  if (object.etag) headers['ETag'] = object.etag
  if (object.lastModified) headers['Last-Modified'] = object.lastModified.toUTCString()
  return headers
}

/**
 * A 304 carries the validators and the caching headers of the 200 it
 * stands for, and no body.
 */
export function notModified(
  res: ServerResponse,
  object: StoredObject,
  overrides: Record<string, string>,
  added: Record<string, string>
) {
  const all = { ...storedHeaders(object), ...overrides }
  const headers: Record<string, string> = { ...added }
  if (object.etag) headers['ETag'] = object.etag
  if (object.lastModified) headers['Last-Modified'] = object.lastModified.toUTCString()
  if (all['Cache-Control']) headers['Cache-Control'] = all['Cache-Control']
  if (all['Expires']) headers['Expires'] = all['Expires']
  res.writeHead(304, headers)
  res.end()
}

const CONDITIONAL_HEADERS = [
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
]

/**
 * A 304 whose ETag is the one the viewer's 200 carried: weak when that
 * answer was compressed.
 */
export function sendNotModified(
  req: IncomingMessage,
  res: ServerResponse,
  object: StoredObject,
  overrides: Record<string, string>,
  behavior: SendBehavior,
  added: Record<string, string>
) {
  const plain = objectHeaders(object, undefined, overrides, behavior, added)
  const compressed = answerEncoding(req, behavior, object.size, plain)
  const etag = compressed ? compressedEtag(object.etag) : object.etag
  return notModified(res, { ...object, etag: etag ?? '' }, overrides, added)
}

export function isConditional(headers: IncomingHttpHeaders): boolean {
  return CONDITIONAL_HEADERS.some((name) => headers[name] !== undefined)
}

/**
 * Answers a GET or HEAD for `key`, already authorised, from the store:
 * preconditions (304, 412), Range (206, 416), the stored headers with
 * `overrides` and the user-content headers of `behavior` on top, then
 * `added` (what a response headers policy adds, CORS), and the body
 * streamed with backpressure (`deadline.signal` aborts the store's request when the
 * client goes away).
 */
export async function sendObject(
  store: ObjectStore,
  req: IncomingMessage,
  res: ServerResponse,
  key: string,
  overrides: Record<string, string>,
  deadline: Pick<OriginDeadline, 'signal' | 'touch' | 'watch'>,
  behavior: SendBehavior,
  added: Record<string, string> = {}
) {
  const spec = parseRange(req.headers.range)

  // A plain GET is one request to the origin.
  if (req.method === 'GET' && spec === undefined && !isConditional(req.headers)) {
    const object = await store.get(key, { signal: deadline.signal }).catch((error: unknown) => {
      throw originFailure(error)
    })
    deadline.watch(object.body)
    const headers = objectHeaders(object, undefined, overrides, behavior, added)
    return sendWhole(req, res, object, headers, behavior)
  }

  // HEAD, ranges and conditional GETs: HEAD the object first, so a 304,
  // 412 or 416 never starts reading the body, and a range is resolved
  // against the real size; then GET exactly the resolved bytes, pinned to
  // the same ETag. This also keeps S3 peers with partial Range support
  // (s3rver reads `bytes=-N` as `bytes=0-N`, `bytes=0-0` as everything)
  // out of the picture.
  const head = await headObject(store, key, deadline.signal)
  deadline.touch()
  const precondition = evaluatePreconditions(req.headers, head)
  if (precondition === 'failed') return sendError(res, req.method, edgeErrors.preconditionFailed())
  if (precondition === 'not-modified') {
    return sendNotModified(req, res, head, overrides, behavior, added)
  }

  const resolved =
    spec && rangeStillValid(req.headers, head) ? resolveRange(spec, head.size) : undefined
  if (resolved === 'unsatisfiable') {
    return sendError(res, req.method, edgeErrors.rangeNotSatisfiable(head.size))
  }
  const status = resolved ? 206 : 200
  if (req.method === 'HEAD') {
    res.writeHead(status, objectHeaders(head, resolved, overrides, behavior, added))
    res.end()
    return
  }
  const object = await store
    .get(key, { range: resolved, ifMatch: head.etag, signal: deadline.signal })
    .catch((error: unknown) => {
      throw originFailure(error)
    })
  deadline.watch(object.body)
  const headers = objectHeaders(
    { ...object, size: head.size },
    resolved,
    overrides,
    behavior,
    added
  )
  if (!resolved) return sendWhole(req, res, { ...object, size: head.size }, headers, behavior)
  res.writeHead(status, headers)
  return pipeline(object.body, res)
}

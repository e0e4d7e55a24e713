import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { asAttachment, isActiveContentType, USER_CONTENT_CSP } from '../active_content.ts'
import type { ResolvedBehavior } from './behaviors.ts'
import { evaluatePreconditions, rangeStillValid } from './conditional.ts'
import { edgeErrors, sendError } from './error_response.ts'
import type { ObjectBody, ObjectStore, StoredObject } from '../store/types.ts'
import type { OriginDeadline } from './origin_deadline.ts'
import { fromOrigin, storedHeaders } from './origin.ts'
import { parseRange, resolveRange } from './range.ts'
import { answerEncoding, compressedHeaders, encoder } from './compression.ts'

/**
 * One GET or HEAD for `key`, already authorised: the signed `overrides`
 * of stored headers, the behavior, and `added` (what a response headers
 * policy adds, CORS, and `X-Cache`).
 */
export type ObjectRequest = {
  store: ObjectStore
  req: IncomingMessage
  res: ServerResponse
  key: string
  overrides: Record<string, string>
  deadline: OriginDeadline
  behavior: ResolvedBehavior
  added: Record<string, string>
}

type Headers = Record<string, string | number>

/**
 * Writes a 200's head and streams its body, compressed as CloudFront
 * would when the behavior compresses and the viewer, type and size allow,
 * after the `through` transforms.
 */
export function sendWhole(
  { req, res, behavior }: ObjectRequest,
  object: ObjectBody,
  headers: Headers,
  through: Transform[] = []
) {
  const encoding = answerEncoding(req, behavior, object.size, headers)
  res.writeHead(200, encoding ? compressedHeaders(headers, encoding) : headers)
  const encoded = encoding ? [encoder(encoding, object.size)] : []
  return pipeline([object.body, ...through, ...encoded, res])
}

/**
 * The headers of a 200, 206 or HEAD answer: the stored ones, then the
 * signed overrides on top, then what the documented CloudFront response
 * headers policy adds to every object: the browser never guesses a type
 * (`nosniff`), a file opened as a page runs no script and gets an opaque
 * origin (a sandbox), and sends no `Referer` from its links
 * (`no-referrer`). Then active content is a download unless the behavior
 * allows it inline: uploaded HTML or SVG must never run on the app's or
 * the CDN's origin.
 */
export function objectHeaders(
  object: StoredObject,
  range: { start: number; end: number } | undefined,
  { overrides, behavior, added }: Pick<ObjectRequest, 'overrides' | 'behavior' | 'added'>
) {
  const stored: Record<string, string> = { ...storedHeaders(object), ...overrides }
  const headers: Headers = {
    ...stored,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': USER_CONTENT_CSP,
    'Referrer-Policy': 'no-referrer',
    ...added,
    'Accept-Ranges': 'bytes',
    'Content-Length': range ? range.end - range.start + 1 : object.size,
  }
  if (!behavior.inlineActiveContent && isActiveContentType(stored['Content-Type'])) {
    headers['Content-Disposition'] = asAttachment(stored['Content-Disposition'])
  }
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`
  if (object.etag) headers['ETag'] = object.etag
  if (object.lastModified) headers['Last-Modified'] = object.lastModified.toUTCString()
  return headers
}

const CONDITIONAL_HEADERS = [
  'if-none-match',
  'if-modified-since',
  'if-match',
  'if-unmodified-since',
]

/**
 * The headers a 304 keeps of the 200 it stands for.
 */
const NOT_MODIFIED_HEADERS = ['ETag', 'Last-Modified', 'Cache-Control', 'Expires']

/**
 * A 304 carries the validators and the caching headers of the 200 it
 * stands for (its ETag weak when that answer was compressed), and no body.
 */
function sendNotModified(request: ObjectRequest, object: StoredObject) {
  const whole = objectHeaders(object, undefined, request)
  const encoding = answerEncoding(request.req, request.behavior, object.size, whole)
  const sent = encoding ? compressedHeaders(whole, encoding) : whole
  const headers: Headers = { ...request.added }
  for (const name of NOT_MODIFIED_HEADERS) if (sent[name] !== undefined) headers[name] = sent[name]
  request.res.writeHead(304, headers)
  request.res.end()
}

export function isConditional(headers: IncomingHttpHeaders): boolean {
  return CONDITIONAL_HEADERS.some((name) => headers[name] !== undefined)
}

/**
 * Answers what the object's description settles: preconditions (304,
 * 412) and an unsatisfiable range (416). Otherwise returns the range to
 * serve (`undefined`: the whole object).
 */
export function answerConditions(
  request: ObjectRequest,
  object: StoredObject
): { range?: { start: number; end: number } } | void {
  const { req, res } = request
  const precondition = evaluatePreconditions(req.headers, object)
  if (precondition === 'failed') return sendError(res, req.method, edgeErrors.preconditionFailed())
  if (precondition === 'not-modified') return sendNotModified(request, object)
  const spec = parseRange(req.headers.range)
  const range =
    spec && rangeStillValid(req.headers, object) ? resolveRange(spec, object.size) : undefined
  if (range !== 'unsatisfiable') return { range }
  sendError(res, req.method, edgeErrors.rangeNotSatisfiable(object.size))
}

/**
 * Answers a GET or HEAD from the store: preconditions (304, 412), Range
 * (206, 416), the stored headers with the overrides and the user-content
 * headers of the behavior on top, then `added`, and the body streamed
 * with backpressure (`deadline.signal` aborts the store's request when
 * the client goes away).
 */
export async function sendObject(request: ObjectRequest) {
  const { store, req, res, key, deadline } = request

  // A plain GET is one request to the origin.
  if (req.method === 'GET' && !parseRange(req.headers.range) && !isConditional(req.headers)) {
    const object = await fromOrigin(store.get(key, { signal: deadline.signal }))
    deadline.watch(object.body)
    return sendWhole(request, object, objectHeaders(object, undefined, request))
  }

  // HEAD, ranges and conditional GETs: HEAD the object first, so a 304,
  // 412 or 416 never starts reading the body, and a range is resolved
  // against the real size; then GET exactly the resolved bytes, pinned to
  // the same ETag. This also keeps S3 peers with partial Range support
  // (s3rver reads `bytes=-N` as `bytes=0-N`, `bytes=0-0` as everything)
  // out of the picture.
  const head = await fromOrigin(store.head(key, { signal: deadline.signal }))
  deadline.touch()
  const answer = answerConditions(request, head)
  if (!answer) return
  const { range } = answer
  if (req.method === 'HEAD') {
    res.writeHead(range ? 206 : 200, objectHeaders(head, range, request))
    res.end()
    return
  }
  const got = await fromOrigin(
    store.get(key, { range, ifMatch: head.etag, signal: deadline.signal })
  )
  deadline.watch(got.body)
  const object = { ...got, size: head.size }
  const headers = objectHeaders(object, range, request)
  if (!range) return sendWhole(request, object, headers)
  res.writeHead(206, headers)
  return pipeline(object.body, res)
}

import type { IncomingMessage } from 'node:http'
import { constants, createBrotliCompress, createGzip } from 'node:zlib'
import type { Transform } from 'node:stream'

/*
 * CloudFront's compression ("Compress objects automatically" on a cache
 * behavior, with Gzip and Brotli in its cache policy, as the managed
 * CachingOptimized policy has them), per `ServingCompressedFiles.md`.
 */

/**
 * The `Content-Type` values CloudFront compresses ("File types that
 * CloudFront compresses").
 */
const COMPRESSIBLE_TYPES = new Set([
  'application/dash+xml',
  'application/eot',
  'application/font',
  'application/font-sfnt',
  'application/javascript',
  'application/json',
  'application/opentype',
  'application/otf',
  'application/pkcs7-mime',
  'application/protobuf',
  'application/rss+xml',
  'application/truetype',
  'application/ttf',
  'application/vnd.apple.mpegurl',
  'application/vnd.ms-fontobject',
  'application/xhtml+xml',
  'application/xml',
  'application/x-font-opentype',
  'application/x-font-truetype',
  'application/x-font-ttf',
  'application/x-httpd-cgi',
  'application/x-javascript',
  'application/x-mpegurl',
  'application/x-opentype',
  'application/x-otf',
  'application/x-perl',
  'application/x-ttf',
  'font/eot',
  'font/opentype',
  'font/otf',
  'font/ttf',
  'image/svg+xml',
  'text/css',
  'text/csv',
  'text/html',
  'text/javascript',
  'text/js',
  'text/plain',
  'text/richtext',
  'text/tab-separated-values',
  'text/xml',
  'text/x-component',
  'text/x-java-source',
  'text/x-script',
  'vnd.apple.mpegurl',
])

/**
 * "The file size must be between 1,000 and 10,000,000 bytes."
 */
const MIN_BYTES = 1000
const MAX_BYTES = 10_000_000

export type Encoding = 'br' | 'gzip'

/**
 * The encodings the viewer accepts (`q=0` refuses one).
 */
function accepted(header: string | undefined): Set<string> {
  const names = new Set<string>()
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='))
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) names.add(name)
  }
  return names
}

/**
 * How CloudFront would encode the answer whose headers are `headers` (the
 * stored ones with the overrides on top), or `undefined`: a viewer that
 * accepts Brotli gets Brotli, else Gzip; never for a behavior that does
 * not compress, never over HTTP/1.0, never an object that has a
 * `Content-Encoding` (whatever its value), never one outside 1,000 to
 * 10,000,000 bytes or of a type not on CloudFront's list.
 */
export function answerEncoding(
  req: IncomingMessage,
  behavior: { compress?: boolean },
  size: number,
  headers: Record<string, string | number>
): Encoding | undefined {
  if (!behavior.compress || req.httpVersion === '1.0' || headers['Content-Encoding']) {
    return undefined
  }
  if (size < MIN_BYTES || size > MAX_BYTES) return undefined
  const type = String(headers['Content-Type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase()
  if (!COMPRESSIBLE_TYPES.has(type)) return undefined
  const viewer = accepted(req.headers['accept-encoding'])
  if (viewer.has('br')) return 'br'
  if (viewer.has('gzip')) return 'gzip'
  return undefined
}

/**
 * The headers of a compressed answer: no `Content-Length` (the length is
 * known only once compressed; the body is chunked), the encoding, and the
 * ETag converted ("`ETag` header conversion"): a strong one made weak
 * (`W/`), a weak one as it is, anything else removed.
 */
export function compressedHeaders(
  headers: Record<string, string | number>,
  encoding: Encoding
): Record<string, string | number> {
  const { 'Content-Length': length, 'ETag': etag, ...rest } = headers
  const tag = etag === undefined ? '' : String(etag)
  const weak = tag.startsWith('W/') ? tag : tag.startsWith('"') ? `W/${tag}` : undefined
  return { ...rest, 'Content-Encoding': encoding, ...(weak ? { ETag: weak } : {}) }
}

/**
 * Brotli at quality 5 (the library's 11 takes seconds for megabytes of
 * text), Gzip at its default level.
 */
export function encoder(encoding: Encoding, size: number): Transform {
  if (encoding === 'gzip') return createGzip()
  const params = { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: size }
  return createBrotliCompress({ params })
}

import type { IncomingMessage } from 'node:http'
import { MAX_URL_BYTES } from '../cloudfront/policy.ts'

/**
 * CloudFront's request limits ("Maximum length of a request and maximum
 * length of a URL", RequestAndResponseBehaviorS3Origin.md): a URL of
 * 8,192 bytes or more, or a request (path, query and headers) of more
 * than 20,480 bytes, is answered 413 and the connection is closed.
 */
export const MAX_REQUEST_BYTES = 20_480

/**
 * Which limit a request breaks, if any. `url` is the whole URL as the
 * viewer asked for it (the edge's public URL plus the raw target), the
 * length the signer checks too, so a URL it signs is never refused here.
 */
export function brokenLimit(
  req: IncomingMessage,
  url: string
): 'url-too-long' | 'request-too-large' | undefined {
  if (Buffer.byteLength(url) >= MAX_URL_BYTES) return 'url-too-long'
  // The request line and each header line (`name: value\r\n`) as they came
  // on the wire: 2 bytes more for each name and each value.
  const line = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`) + 2
  const bytes = req.rawHeaders.reduce((sum, part) => sum + Buffer.byteLength(part) + 2, line)
  return bytes > MAX_REQUEST_BYTES ? 'request-too-large' : undefined
}

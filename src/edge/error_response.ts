import type { ServerResponse } from 'node:http'

/**
 * An error answer of the edge: status, the XML `<Code>` and `<Message>`,
 * and extra headers.
 */
export type EdgeError = {
  status: number
  code: string
  message: string
  headers?: Record<string, string>
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/**
 * Text made safe inside an XML element (the edge's and its CloudFront API's answers).
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char])
}

export const edgeError = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>
): EdgeError => ({ status, code, message, ...(headers && { headers }) })

const INTERNAL_ERROR = 'We encountered an internal error. Please try again.'

export const edgeErrors = {
  accessDenied: (message: string, code = 'AccessDenied') => edgeError(403, code, message),
  notFound: () => edgeError(404, 'NoSuchKey', 'The specified key does not exist.'),
  /**
   * S3's answer, passed on by CloudFront, when the origin bucket does
   * not exist: a wrong bucket name, not a wrong file name.
   */
  noSuchBucket: () => edgeError(404, 'NoSuchBucket', 'The specified bucket does not exist'),
  /**
   * S3's answer to a method it does not take (the local store's upload
   * URLs take PUT only). The edge answers CloudFront's 403 page instead.
   */
  methodNotAllowed: (allow?: string) =>
    edgeError(
      405,
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      allow === undefined ? undefined : { Allow: allow }
    ),
  /**
   * S3's answer to an OPTIONS request without `Origin`.
   */
  corsOriginMissing: () =>
    edgeError(400, 'BadRequest', 'Insufficient information. Origin request header needed.'),
  /**
   * S3's answer to an OPTIONS request its CORS rules do not allow.
   */
  corsNotAllowed: () =>
    edgeError(
      403,
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
    ),
  invalidUri: () => edgeError(400, 'InvalidURI', "Couldn't parse the specified URI."),
  invalidArgument: (message: string) => edgeError(400, 'InvalidArgument', message),
  preconditionFailed: () =>
    edgeError(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold'
    ),
  rangeNotSatisfiable: (size: number) =>
    edgeError(416, 'InvalidRange', 'The requested range is not satisfiable', {
      'Content-Range': `bytes */${size}`,
    }),
  internalError: () => edgeError(500, 'InternalError', INTERNAL_ERROR),
  /**
   * S3's own 5xx, which CloudFront passes on: its code when the SDK read
   * one (`SlowDown`, `InternalError`, ...), S3's wording otherwise.
   */
  originAnswered: (status: number, cause: unknown): EdgeError => {
    const name = (cause as Error)?.name
    const known = typeof name === 'string' && /^[A-Z][A-Za-z]+$/.test(name) && name !== 'Unknown'
    if (known) return edgeError(status, name, (cause as Error).message || name)
    return status === 503
      ? edgeError(status, 'ServiceUnavailable', 'Service Unavailable')
      : edgeError(status, 'InternalError', INTERNAL_ERROR)
  },
  badGateway: () => edgeError(502, 'BadGateway', 'The origin could not serve the request.'),
}

/**
 * Sends an error with its XML body (headers only for HEAD): the body
 * CloudFront sends when it refuses a request itself (S3's error bodies,
 * which CloudFront passes on, have the same shape), with nothing from the
 * request echoed into it. Errors are never cached: a refused signed URL
 * may be valid a second later.
 */
export function sendError(res: ServerResponse, method: string | undefined, error: EdgeError) {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>`
  res.writeHead(error.status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
    ...error.headers,
  })
  res.end(method === 'HEAD' ? undefined : body)
}

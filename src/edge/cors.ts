import type { IncomingHttpHeaders } from 'node:http'
import { wildcardMatcher } from '../cloudfront/wildcard.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import type { EdgeCorsPolicy } from './types.ts'

const METHOD = /^(GET|HEAD|OPTIONS|PUT|POST|PATCH|DELETE|ALL)$/

/**
 * A token of a header name (RFC 9110), or `*`.
 */
const HEADER_NAME = /^(\*|[!#$%&'*+\-.^_`|~0-9A-Za-z]+)$/

/**
 * An origin as browsers send it (`https://app.example.com:8443`), `*`
 * standing for any run of characters, or `*` alone.
 */
const ORIGIN_PATTERN = /^(\*|[a-z*][a-z0-9+.\-*]*:\/\/[A-Za-z0-9.\-*[\]:]+)$/

function invalid(setting: string, message: string): never {
  throw new E_DJAMAZING_INVALID_CONFIG([setting, message])
}

/**
 * The lists of a policy: the pattern of an item, what items are, and for
 * the lists that must not be empty, what to say when one is.
 */
const LISTS: Record<string, readonly [RegExp, string, string?]> = {
  accessControlAllowOrigins: [
    ORIGIN_PATTERN,
    'origins such as "https://app.example.com" or "*"',
    'name at least one origin, or "*"',
  ],
  accessControlAllowMethods: [
    METHOD,
    'GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE or ALL',
    'name at least one method',
  ],
  accessControlAllowHeaders: [HEADER_NAME, 'header names, or "*"'],
  accessControlExposeHeaders: [HEADER_NAME, 'header names, or "*"'],
}

function list(policy: EdgeCorsPolicy, name: keyof EdgeCorsPolicy, setting: string): string[] {
  const [pattern, what, atLeast] = LISTS[name]
  const value: unknown = policy[name] ?? (atLeast ? undefined : [])
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || !pattern.test(item))
  ) {
    invalid(`${setting}.${name}`, `it must be a list of ${what}`)
  }
  if (atLeast && value.length === 0) invalid(`${setting}.${name}`, atLeast)
  return value
}

/**
 * Checks a CORS policy (a response headers policy's `CorsConfig`, in
 * camelCase) and compiles it.
 */
export function compileCors(policy: EdgeCorsPolicy, setting: string) {
  if (typeof policy !== 'object' || policy === null) {
    invalid(setting, 'it must be an object shaped like a response headers policy CorsConfig')
  }
  const origins = list(policy, 'accessControlAllowOrigins', setting)
  const methods = list(policy, 'accessControlAllowMethods', setting)
  const allowHeaders = list(policy, 'accessControlAllowHeaders', setting)
  const exposeHeaders = list(policy, 'accessControlExposeHeaders', setting)
  if (typeof policy.accessControlAllowCredentials !== 'boolean') {
    invalid(`${setting}.accessControlAllowCredentials`, 'it must be true or false')
  }
  const credentials = policy.accessControlAllowCredentials
  // Browsers ignore `Access-Control-Allow-Origin: *` on credentialed
  // requests, and CloudFront refuses the combination in a policy.
  if (credentials && origins.includes('*')) {
    invalid(
      `${setting}.accessControlAllowOrigins`,
      '"*" cannot be used with accessControlAllowCredentials: true; name the origins'
    )
  }
  const maxAge = policy.accessControlMaxAgeSec
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) {
    invalid(`${setting}.accessControlMaxAgeSec`, 'it must be a whole number of seconds')
  }
  if (policy.originOverride !== undefined && typeof policy.originOverride !== 'boolean') {
    invalid(`${setting}.originOverride`, 'it must be true or false')
  }

  const matchers = origins.map(wildcardMatcher)
  const anyOrigin = origins.length === 1 && origins[0] === '*'
  const allowedOrigin = (headers: IncomingHttpHeaders): string | undefined => {
    const origin = headers.origin
    if (typeof origin !== 'string' || origin === '') return undefined
    if (!matchers.some((matches) => matches(origin))) return undefined
    return anyOrigin ? '*' : origin
  }
  const common = (origin: string): Record<string, string> => ({
    'Access-Control-Allow-Origin': origin,
    ...(credentials ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
    // No `Vary: Origin`: a response headers policy adds none, so a browser
    // that cached a response without CORS headers (an <img>) may reuse it
    // for a CORS fetch and fail, here as in production.
  })
  const allowMethods = methods.includes('ALL')
    ? 'GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE'
    : methods.join(', ')

  return {
    /**
     * The headers for a CORS preflight (`OPTIONS` with `Origin` and
     * `Access-Control-Request-Method`), or `undefined` when the origin is
     * not allowed.
     */
    preflight(headers: IncomingHttpHeaders): Record<string, string> | undefined {
      const origin = allowedOrigin(headers)
      if (origin === undefined || headers['access-control-request-method'] === undefined) {
        return undefined
      }
      return {
        ...common(origin),
        'Access-Control-Allow-Methods': allowMethods,
        ...(allowHeaders.length > 0
          ? { 'Access-Control-Allow-Headers': allowHeaders.join(', ') }
          : {}),
        ...(maxAge !== undefined ? { 'Access-Control-Max-Age': String(maxAge) } : {}),
      }
    },
    /**
     * The headers for the answer to a GET or HEAD with an `Origin` header,
     * or `undefined` when there is none or it is not allowed.
     */
    response(headers: IncomingHttpHeaders): Record<string, string> | undefined {
      const origin = allowedOrigin(headers)
      if (origin === undefined) return undefined
      return {
        ...common(origin),
        ...(exposeHeaders.length > 0
          ? { 'Access-Control-Expose-Headers': exposeHeaders.join(', ') }
          : {}),
      }
    },
  }
}

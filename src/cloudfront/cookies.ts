import { E_DJAMAZING_INVALID_SIGNING_OPTIONS } from '../errors.ts'
import { SIGNING_PARAM_NAMES } from './policy.ts'
import type { CloudFrontCookieAttributes, CloudFrontCookies } from './types.ts'

const DOMAIN =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/

/**
 * `Set-Cookie` header values for signed cookies, with the attributes AWS
 * advises: `Secure`, `HttpOnly`, a session cookie unless `maxAge` is given,
 * and the `Domain` you pass (the narrowest parent of the app's and the
 * CDN's domains; the browser only sends the cookies to the CDN if the app
 * sets them on such a parent domain).
 */
export function cloudFrontSetCookies(
  cookies: CloudFrontCookies,
  attributes: CloudFrontCookieAttributes = {}
): string[] {
  const {
    domain,
    path = '/',
    secure = true,
    httpOnly = true,
    sameSite = 'Lax',
    maxAge,
  } = attributes
  if (domain !== undefined && !DOMAIN.test(domain)) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS(['domain', `"${domain}" is not a domain name`])
  }
  if (!PATH.test(path)) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'path',
      'expected a path starting with "/", without ";"',
    ])
  }
  if (maxAge !== undefined && !(Number.isSafeInteger(maxAge) && maxAge > 0)) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'maxAge',
      'expected a positive whole number of seconds',
    ])
  }
  if (sameSite === 'None' && !secure) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'sameSite',
      'browsers drop SameSite=None cookies without Secure',
    ])
  }
  let suffix = `; Path=${path}`
  if (domain) suffix += `; Domain=${domain}`
  if (maxAge !== undefined) suffix += `; Max-Age=${maxAge}`
  if (secure) suffix += '; Secure'
  if (httpOnly) suffix += '; HttpOnly'
  suffix += `; SameSite=${sameSite}`
  return SIGNING_PARAM_NAMES.flatMap((name) => {
    const value = cookies[`CloudFront-${name}`]
    // Values are AWS base64, digits or key ids: all valid cookie octets.
    return value === undefined ? [] : [`CloudFront-${name}=${value}${suffix}`]
  })
}

/**
 * Reads a `Cookie` request header into name/value pairs (first one wins,
 * values kept as sent).
 */
export function parseCookieHeader(header: string): Record<string, string> {
  const cookies: Record<string, string> = {}
  for (const part of header.split(';')) {
    const equals = part.indexOf('=')
    if (equals === -1) continue
    const name = part.slice(0, equals).trim()
    if (name && !(name in cookies)) cookies[name] = part.slice(equals + 1).trim()
  }
  return cookies
}

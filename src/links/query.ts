import { CONTROL_CHARACTERS, encodeStrict } from '../object_key.ts'
import type { LinkQuery } from './types.ts'

/**
 * The signed values of a link besides disk, key and user.
 */
export type LinkParams = {
  /**
   * Epoch seconds.
   */
  expiresAt: number
  revision: string | null
  contentType: string | null
  contentDisposition: string | null
  /**
   * Lifetime of the CloudFront URL, whole seconds, or `null` for the
   * disk's `redirects.expiresIn`.
   */
  viewFor: number | null
  /**
   * Bind the CloudFront URL to the viewer's IPv4 address.
   */
  bindIp: boolean
  /**
   * A folder link: the folder (ending with "/") the signed cookies open;
   * the key is its entry file.
   */
  folder: string | null
}

/**
 * What a link's query carries: everything signed but the revision, and the MAC.
 */
export type ParsedLinkQuery = Omit<LinkParams, 'revision'> & { mac: string }

const MAX_QUERY_LENGTH = 8192
const MAX_OVERRIDE_LENGTH = 1024

/**
 * Whole seconds (an epoch expiry, a lifetime), no sign, no leading zero, at most 11 digits: a
 * number has exactly one spelling, so `e=0123` cannot pass for `e=123`.
 */
const WHOLE_SECONDS = /^[1-9][0-9]{0,10}$/

/**
 * An HMAC-SHA256 in unpadded base64url. It is compared as text, never
 * decoded, because the last character of 43 has unused bits: decoding
 * would let several spellings of one MAC pass.
 */
const MAC = /^[A-Za-z0-9_-]{43}$/

/**
 * Content types, content dispositions and revisions: at most 1024
 * characters, no control characters (no header injection), well-formed unicode.
 */
export function validOverride(value: string): boolean {
  return (
    value.length <= MAX_OVERRIDE_LENGTH && !CONTROL_CHARACTERS.test(value) && value.isWellFormed()
  )
}

export const LINK_PARAMS = new Set(['e', 's', 'ct', 'cd', 'v', 'ip', 'f'])

function decodeCanonical(raw: string): string | undefined {
  let value: string
  try {
    value = decodeURIComponent(raw)
  } catch {
    return undefined
  }
  // Only the spelling the signer writes is accepted (`%2B`, not `%2b` or `+`).
  return encodeStrict(value) === raw ? value : undefined
}

/**
 * Collects the parameters of a query as name → value, from a raw query
 * string (decoded here, canonical spelling required), URLSearchParams or
 * a record of already decoded values. `undefined` when it cannot be read,
 * or names a parameter twice.
 */
function collect(query: LinkQuery): Map<string, string> | undefined {
  const params = new Map<string, string>()
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'string' || params.has(name)) return false
    params.set(name, value)
    return true
  }

  if (typeof query === 'string') {
    // No leading "?" is stripped: "??e=" is not a link this package makes.
    const raw = query
    if (raw.length > MAX_QUERY_LENGTH) return undefined
    for (const part of raw.split('&')) {
      const equals = part.indexOf('=')
      if (equals < 1) return undefined
      const name = part.slice(0, equals)
      // `e` and `s` are checked later against patterns of unreserved
      // characters only, which need no decoding: a `%` in them fails there.
      const value =
        name === 'e' || name === 's' || name === 'v' || name === 'ip'
          ? part.slice(equals + 1)
          : decodeCanonical(part.slice(equals + 1))
      if (value === undefined || !add(name, value)) return undefined
    }
  } else if (query !== null && typeof query === 'object') {
    const entries = query instanceof URLSearchParams ? query.entries() : Object.entries(query)
    for (const [name, value] of entries) {
      if (value === undefined) continue
      const values: unknown[] = Array.isArray(value) ? value : [value]
      if (!values.every((item) => add(name, item))) return undefined
    }
  } else {
    return undefined
  }
  return params
}

/**
 * Reads a link's query. `undefined` for anything but exactly one `e`, one
 * `s`, at most one each of `ct`, `cd`, `v`, `ip` (only `ip=1`) and `f`,
 * each well-formed: an unknown or
 * repeated parameter is refused rather than ignored, so nothing can ride
 * along with a genuine link.
 */
export function readLinkQuery(query: LinkQuery): ParsedLinkQuery | undefined {
  const params = collect(query)
  if (!params) return undefined
  let length = 0
  for (const [name, value] of params) {
    if (!LINK_PARAMS.has(name)) return undefined
    length += value.length
  }
  if (length > MAX_QUERY_LENGTH) return undefined

  const expiry = params.get('e')
  const mac = params.get('s')
  if (expiry === undefined || !WHOLE_SECONDS.test(expiry) || mac === undefined || !MAC.test(mac)) {
    return undefined
  }
  const contentType = params.get('ct') ?? null
  const contentDisposition = params.get('cd') ?? null
  for (const value of [contentType, contentDisposition]) {
    if (value !== null && (value.length === 0 || !validOverride(value))) return undefined
  }
  const viewFor = params.get('v')
  if (viewFor !== undefined && !WHOLE_SECONDS.test(viewFor)) return undefined
  const bindIp = params.get('ip')
  if (bindIp !== undefined && bindIp !== '1') return undefined
  const folder = params.get('f') ?? null
  if (folder !== null && !validOverride(folder)) return undefined
  return {
    expiresAt: Number(expiry),
    mac,
    contentType,
    contentDisposition,
    viewFor: viewFor === undefined ? null : Number(viewFor),
    bindIp: bindIp === '1',
    folder,
  }
}

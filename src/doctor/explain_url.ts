import { verify as verifySignature, type KeyObject } from 'node:crypto'
import { fromAwsBase64 } from '../cloudfront/encoding.ts'
import { loadPublicKey } from '../cloudfront/keys.ts'
import { cannedPolicy, SIGNING_PARAMS } from '../cloudfront/policy.ts'
import type { VerifyRefusal } from '../cloudfront/types.ts'
import { CloudFrontVerifier, readSigning } from '../cloudfront/verifier.ts'
import { encodeStrict } from '../object_key.ts'

/**
 * Whether a CloudFront URL (or a protected link) would be accepted now,
 * and if not, why, in plain words. For CloudFront, `reason` is the
 * verifier's, or `changed-after-signing` when the URL verifies once
 * spelled as it was signed, or `wrong-hash-algorithm` when the signature
 * is good over the other hash than the one `Hash-Algorithm` (or its
 * absence) names.
 */
export type Explanation<
  Reason = VerifyRefusal['reason'] | 'changed-after-signing' | 'wrong-hash-algorithm',
> = {
  accepted: boolean
  reason?: Reason
  summary: string
  details: string[]
}

export function refused<Reason>(
  reason: Reason,
  summary: string,
  details: string[] = []
): Explanation<Reason> {
  return { accepted: false, reason, summary, details }
}

export type ExplainUrlInput = {
  url: string
  /**
   * A `Cookie` header with CloudFront's signed cookies, for a URL without
   * signing parameters.
   */
  cookies?: string
  /**
   * The public keys CloudFront trusts, by key pair id.
   */
  publicKeys: Record<string, KeyObject | string>
  now?: Date
  clientIp?: string
}

/**
 * A duration for people: seconds, or minutes from two minutes on.
 */
export function seconds(ms: number): string {
  const value = Math.abs(ms) / 1000
  return value >= 120 ? `${Math.round(value / 60)} min` : `${Math.round(value)} s`
}

/**
 * A request's signing values and its URL without them, as the verifier reads them.
 */
type Signing = Exclude<ReturnType<typeof readSigning>, VerifyRefusal>

/**
 * The policy document a URL's signature covers, or null.
 */
function policyOf({ values, unsignedUrl }: Signing): { bytes: Buffer; document?: any } | null {
  if (values.Policy !== undefined) {
    const bytes = fromAwsBase64(values.Policy)
    if (!bytes) return null
    try {
      return { bytes, document: JSON.parse(bytes.toString('utf8')) }
    } catch {
      return { bytes }
    }
  }
  if (values.Expires === undefined || !/^\d+$/.test(values.Expires)) return null
  return { bytes: Buffer.from(cannedPolicy(unsignedUrl, Number(values.Expires))) }
}

/**
 * The URL spelled as djamazing signs URLs: every path segment and query
 * value decoded and encoded again with the one strict encoder (RFC 3986
 * unreserved characters only: `*` is `%2A`, `~` stays `~`). Proxies that
 * decode `%2A` or encode `~` change the URL; this undoes it.
 */
function canonicalSpelling(url: string): string {
  const match = /^(https?:\/\/[^/?]+)([^?]*)(?:\?(.*))?$/s.exec(url)
  if (!match) return url
  const [, origin, path, query] = match
  const decode = (text: string) => {
    try {
      return encodeStrict(decodeURIComponent(text))
    } catch {
      return text
    }
  }
  const canonicalPath = path.split('/').map(decode).join('/')
  if (query === undefined) return `${origin}${canonicalPath}`
  const pairs = query.split('&').map((pair) => {
    const equals = pair.indexOf('=')
    if (equals === -1 || SIGNING_PARAMS.has(pair.slice(0, equals))) return pair
    return `${pair.slice(0, equals)}=${decode(pair.slice(equals + 1))}`
  })
  return `${origin}${canonicalPath}?${pairs.join('&')}`
}

/**
 * Where two spellings of a URL differ, piece by piece.
 */
function differences(received: string, signed: string): string[] {
  const a = received.split(/(?=[/?&])/)
  const b = signed.split(/(?=[/?&])/)
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => i)
    .filter((i) => a[i] !== b[i])
    .map((i) => `received "${a[i] ?? ''}", signed "${b[i] ?? ''}"`)
}

const PLAIN: Partial<Record<VerifyRefusal['reason'], string>> = {
  'malformed-url':
    'this is not a URL CloudFront would receive: it must be absolute, printable ASCII, with no space, quote, backslash or fragment, under 8,192 bytes',
  'missing-key-pair-id':
    'there is no Key-Pair-Id: the URL carries no signature (and no CloudFront cookies were given). CloudFront answers "Missing Key-Pair-Id query parameter or cookie value"',
  'missing-signature': 'the Signature parameter is missing',
  'malformed-signature':
    "the Signature is not AWS's URL-safe base64 (- for +, _ for =, ~ for /): it was cut or re-encoded",
  'missing-policy': 'there is neither Expires (canned policy) nor Policy (custom policy)',
  'malformed-policy':
    'the Policy is unreadable or not a policy CloudFront accepts (one statement, DateLessThan required), or both Expires and Policy are given',
  'malformed-expires':
    'Expires is not whole epoch seconds (digits, no leading zero, at most 2147483647)',
  'duplicate-signing-param': 'a signing parameter appears twice',
  'signing-params-not-last':
    'parameters follow the signing parameters: something was appended to the URL after it was signed, and CloudFront refuses that',
  'invalid-hash-algorithm':
    'Hash-Algorithm is neither SHA256 nor SHA1: CloudFront knows only those two, and verifies over SHA-1 when the parameter is absent',
}

/**
 * Which hash an accepted signature was checked over, and why.
 */
function hashLine(parameter: string | undefined): string {
  if (parameter === 'SHA256') return 'hash: SHA-256 (Hash-Algorithm=SHA256)'
  if (parameter === 'SHA1') return 'hash: SHA-1 (Hash-Algorithm=SHA1)'
  return 'hash: SHA-1 (no Hash-Algorithm parameter)'
}

/**
 * Explains whether CloudFront would accept `url` (or the cookies) now.
 */
export function explainCloudFrontUrl(input: ExplainUrlInput): Explanation {
  const now = input.now ?? new Date()
  const verifier = new CloudFrontVerifier({ publicKeys: input.publicKeys })
  const request = { url: input.url, cookies: input.cookies, now, clientIp: input.clientIp }
  const browser = URL.canParse(input.url) ? new URL(input.url).href : undefined
  const signing = readSigning(request)
  if ('reason' in signing) {
    const resent = signing.reason === 'malformed-url' && browser && browser !== input.url
    return refused(
      signing.reason,
      PLAIN[signing.reason]!,
      resent ? [`a browser would send: ${browser}`] : []
    )
  }
  const result = verifier.verify(request)
  if (result.ok) {
    const left = result.expiresAt.getTime() - now.getTime()
    return {
      accepted: true,
      summary: `CloudFront would accept it: signed by ${result.keyPairId} (${result.policy} policy, in the ${result.via === 'url' ? 'URL' : 'cookies'}), valid ${seconds(left)} more, until ${result.expiresAt.toISOString()}`,
      details: [
        hashLine(signing.values['Hash-Algorithm']),
        ...(result.resource === undefined ? [] : [`policy resource: ${result.resource}`]),
      ],
    }
  }

  const { reason } = result
  const refuse = (summary: string, details?: string[]) => refused(reason, summary, details)
  // The policy's one statement, listed or not.
  const statement = [policyOf(signing)?.document?.Statement].flat()[0]
  if (reason === 'unknown-key') {
    return refuse(
      `the key pair id ${signing.values['Key-Pair-Id']} is not among the configured keys (${Object.keys(input.publicKeys).join(', ')}): CloudFront answers "Unknown Key" when its key group lacks it`
    )
  }
  if (reason === 'expired' || reason === 'not-yet-valid') {
    const condition = statement?.Condition
    const at =
      reason === 'expired'
        ? Number(condition?.DateLessThan?.['AWS:EpochTime'] ?? signing.values.Expires) * 1000
        : Number(condition?.DateGreaterThan?.['AWS:EpochTime']) * 1000
    return reason === 'expired'
      ? refuse(`it expired ${seconds(now.getTime() - at)} ago, at ${new Date(at).toISOString()}`, [
          `if it was made just now, the clock of the machine that signed it is at least ${seconds(now.getTime() - at)} behind (run node ace djamazing:doctor to measure it), or its lifetime is too short for how it is used (media and resumed downloads need minutes)`,
        ])
      : refuse(
          `it is not valid yet: it starts at ${new Date(at).toISOString()}, in ${seconds(at - now.getTime())}`,
          ['the signing clock is ahead by at least that much, or startsAt is in the future']
        )
  }
  if (reason === 'ip-not-allowed') {
    return refuse(
      `the policy allows only ${statement?.Condition?.IpAddress?.['AWS:SourceIp']}; the request came from ${input.clientIp ?? 'an unknown address'}`,
      ['IPv6 viewers never match an IP condition: keep IPv6 off on such a distribution']
    )
  }
  if (reason === 'resource-mismatch') {
    return refuse(
      `the policy's Resource "${statement?.Resource}" does not cover this URL (${signing.unsignedUrl})`
    )
  }
  if (reason === 'bad-signature') {
    return explainBadSignature(input, request, verifier, browser, signing)
  }
  return refuse(PLAIN[reason] ?? reason)
}

function explainBadSignature(
  input: ExplainUrlInput,
  request: { url: string; cookies?: string; now: Date; clientIp?: string },
  verifier: CloudFrontVerifier,
  browser: string | undefined,
  signing: Signing
): Explanation {
  const canonical = canonicalSpelling(input.url)
  if (canonical !== input.url && verifier.verify({ ...request, url: canonical }).ok) {
    return refused(
      'changed-after-signing',
      'the URL was changed after signing: it verifies as it was signed, but something on the way (a proxy, a CMS, an email client) re-encoded it, and CloudFront compares the URL byte for byte',
      [`signed as: ${canonical}`, ...differences(input.url, canonical)]
    )
  }
  // A good signature over the other hash: CloudFront verifies over SHA-1
  // unless Hash-Algorithm=SHA256 says otherwise, for RSA and ECDSA keys
  // alike. A signer that hashes with SHA-256 and leaves the parameter out
  // (some ECDSA signers do) makes URLs CloudFront refuses.
  // The verifier got as far as the signature: the key is known, the
  // signature and the policy are readable.
  const { values } = signing
  const publicKey = loadPublicKey(input.publicKeys[values['Key-Pair-Id']!], 'publicKeys').key
  const signature = fromAwsBase64(values.Signature!)!
  const other = values['Hash-Algorithm'] === 'SHA256' ? 'sha1' : 'sha256'
  if (verifySignature(other, policyOf(signing)!.bytes, publicKey, signature)) {
    const kind = publicKey.asymmetricKeyType === 'ec' ? 'ECDSA' : 'RSA'
    return refused(
      'wrong-hash-algorithm',
      other === 'sha256'
        ? `it is signed with ${kind} over SHA-256 but carries no Hash-Algorithm=SHA256: CloudFront then verifies over SHA-1, for RSA and ECDSA keys alike, and refuses it`
        : `it is signed with ${kind} over SHA-1 but carries Hash-Algorithm=SHA256: CloudFront verifies over SHA-256 and refuses it`,
      [
        other === 'sha256'
          ? 'sign over SHA-1 with no Hash-Algorithm parameter, or over SHA-256 with Hash-Algorithm=SHA256 (CloudFront-Hash-Algorithm for cookies) after the other signing parameters'
          : 'leave Hash-Algorithm out when signing over SHA-1',
      ]
    )
  }
  const details = [`as received: ${input.url}`]
  if (browser && browser !== input.url) details.push(`a browser would send: ${browser}`)
  if (canonical !== input.url) details.push(`as djamazing would sign it: ${canonical}`)
  return refused(
    'bad-signature',
    `the signature does not match: this URL is not what ${values['Key-Pair-Id']}'s private key signed (another private key than the public key CloudFront holds for that id, or the URL or its Expires/Policy changed after signing)`,
    details
  )
}

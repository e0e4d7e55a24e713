import type { KeyObject } from 'node:crypto'
import type { Duration } from '../duration.ts'

/**
 * One CloudFront private key. Give exactly one of `privateKey` and
 * `privateKeyFile`. CloudFront key groups accept RSA-2048 and ECDSA P-256
 * keys only; anything else is refused when the signer is created.
 */
export type CloudFrontPrivateKeyOptions = {
  /**
   * The private key: PEM text (PKCS#8 or PKCS#1/SEC1, optionally
   * encrypted) or a `KeyObject`. PEM read from an environment variable
   * with literal `\n` sequences is accepted.
   */
  privateKey?: string | KeyObject
  /**
   * A path to a PEM file instead of `privateKey`. Read once, when the
   * signer is created.
   */
  privateKeyFile?: string
  /**
   * The passphrase of an encrypted PEM.
   */
  passphrase?: string
}

/**
 * The CloudFront signing settings of a disk (its `cloudfront` option), and
 * of `new CloudFrontSigner(...)`.
 */
export type CloudFrontSignerOptions = CloudFrontPrivateKeyOptions & {
  /**
   * The id of the public key in the CloudFront key group that signs, e.g.
   * `K2JCJMDEHXQW5F` (legacy root key pairs: `APKA...`).
   */
  keyPairId: string
  /**
   * Other keys by key pair id, for rotation: every key here is loaded and
   * checked when the signer is created, and `keyPairId` picks the one that
   * signs (its key may be given here or at the top level). Rotate by adding
   * the new key, switching `keyPairId`, and removing the old key once the
   * links it signed have expired.
   */
  keys?: Record<string, CloudFrontPrivateKeyOptions>
  /**
   * `'SHA256'` signs with SHA-256 and adds `Hash-Algorithm=SHA256`;
   * `'SHA1'` signs with SHA-1 and adds nothing, as CloudFront verifies over
   * SHA-1 when the parameter is absent, for RSA and ECDSA keys alike.
   * Default: `'SHA1'` for RSA keys (what every CloudFront distribution
   * accepts), `'SHA256'` for ECDSA P-256 keys.
   */
  hashAlgorithm?: 'SHA1' | 'SHA256'
  /**
   * The config path named in errors, e.g. `services.uploads.cloudfront`.
   * Defaults to `cloudfront`.
   */
  setting?: string
}

/**
 * When a signed URL or cookie stops (and optionally starts) being valid.
 * Give exactly one of `expiresIn` and `expiresAt`.
 */
export type SigningWindow = {
  /**
   * How long from now: a {@link Duration} (`90`, `1.5`, `'1.5s'`, `'30mins'`,
   * `'2h'`). Never milliseconds. The expiry is
   * rounded up to a whole second, so the link lives at least this long.
   */
  expiresIn?: Duration
  /**
   * An absolute expiry, rounded up to a whole second; at most 2038-01-19
   * (CloudFront's `2147483647`).
   */
  expiresAt?: Date
  /**
   * Not valid before this time (rounded down to a whole second). Needs a
   * custom policy.
   */
  startsAt?: Date
  /**
   * Only this IPv4 address (`'192.0.2.10'`) or range (`'192.0.2.0/24'`) may
   * use it. Needs a custom policy. IPv6 is not supported by CloudFront
   * policies: with IPv6 enabled on the distribution, clients connecting over
   * IPv6 are refused.
   */
  ipAddress?: string
  /**
   * `'canned'` (one exact URL, shorter) or `'custom'`. Chosen by need when
   * omitted: custom when `startsAt`, `ipAddress` or a `resource` other than
   * the URL is given. Asking for `'canned'` with any of those is an error.
   */
  policy?: 'canned' | 'custom'
  /**
   * The time `expiresIn` counts from. Defaults to now.
   */
  now?: Date
}

export type SignUrlOptions = SigningWindow & {
  /**
   * The policy `Resource` when it differs from the URL, e.g. a wildcard
   * `https://d111111abcdef8.cloudfront.net/videos/42/*` (always a custom policy).
   * `*` matches any characters and `?` one; write `\?` for the `?` that
   * starts a query.
   */
  resource?: string
}

export type SignCookiesOptions = SigningWindow & {
  /**
   * What the cookies open, as a policy resource: a wildcard such as
   * `https://d111111abcdef8.cloudfront.net/hls/42/*` (custom policy), or
   * one exact URL (canned policy possible). `?` is a wildcard here: write
   * the `?` that starts a query as `\?` (`.../a.pdf\?v=2`).
   */
  resource: string
}

/**
 * Signed cookie names and values, ready for `Set-Cookie`.
 */
export type CloudFrontCookies = {
  'CloudFront-Expires'?: string
  'CloudFront-Policy'?: string
  'CloudFront-Signature': string
  'CloudFront-Key-Pair-Id': string
  'CloudFront-Hash-Algorithm'?: string
}

/**
 * Cookie attributes for signed cookies. AWS advises session cookies,
 * `Secure`, `HttpOnly` and the narrowest `Domain` that is a parent of both
 * the app's domain and the CDN's (e.g. `.example.com` for `app.example.com`
 * and `cdn.example.com`).
 */
export type CloudFrontCookieAttributes = {
  /**
   * The parent domain shared by the app and the CDN, e.g. `.example.com`.
   */
  domain?: string
  /**
   * Default `/`.
   */
  path?: string
  /**
   * Default `true`. Only turn off for local http development.
   */
  secure?: boolean
  /**
   * Default `true`: page scripts never need to read these cookies.
   */
  httpOnly?: boolean
  /**
   * Default `'Lax'`.
   */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /**
   * Seconds. Omitted by default: a session cookie (the signed expiry still
   * applies).
   */
  maxAge?: number
}

/**
 * The public keys a verifier trusts, by key pair id: a `KeyObject` (public,
 * or private from which the public key is derived) or PEM text.
 */
export type CloudFrontVerifierOptions = {
  publicKeys: Record<string, KeyObject | string>
  /**
   * The config path named in errors. Defaults to `publicKeys`.
   */
  setting?: string
}

/**
 * One request as CloudFront sees it.
 */
export type VerifyRequest = {
  /**
   * The absolute request URL, exactly as received (not decoded or normalised),
   * e.g. `https://d111111abcdef8.cloudfront.net/a%20b.txt?Expires=...`.
   */
  url: string
  /**
   * Request cookies: a `Cookie` header or parsed name/value pairs. Used when
   * the URL carries no signing parameters.
   */
  cookies?: string | Record<string, string | undefined>
  /**
   * The time of the request. Defaults to now.
   */
  now?: Date
  /**
   * The client's IP address (IPv4, or IPv4-mapped IPv6 such as `::ffff:192.0.2.1`).
   */
  clientIp?: string
}

/**
 * Why a request is refused. `code` and `message` are CloudFront's own
 * (`AccessDenied` / `Access denied`, `MissingKey` / `Missing Key-Pair-Id
 * query parameter or cookie value`, `InvalidKey` / `Unknown Key`,
 * `MalformedPolicy` / `Malformed Policy`); `reason` says which rule failed.
 */
export type VerifyRefusal = {
  ok: false
  reason:
    | 'malformed-url'
    | 'missing-key-pair-id'
    | 'unknown-key'
    | 'missing-signature'
    | 'malformed-signature'
    | 'missing-policy'
    | 'malformed-policy'
    | 'malformed-expires'
    | 'signing-params-not-last'
    | 'duplicate-signing-param'
    | 'invalid-hash-algorithm'
    | 'bad-signature'
    | 'expired'
    | 'not-yet-valid'
    | 'ip-not-allowed'
    | 'resource-mismatch'
  code: 'AccessDenied' | 'MissingKey' | 'InvalidKey' | 'MalformedPolicy'
  message: string
}

export type VerifyAcceptance = {
  ok: true
  keyPairId: string
  expiresAt: Date
  policy: 'canned' | 'custom'
  /**
   * The policy `Resource` that granted access: the request URL itself for a
   * canned policy, the (possibly wildcard) pattern of a custom one, or
   * undefined for a custom policy without `Resource`.
   */
  resource: string | undefined
  /**
   * Where the signature came from.
   */
  via: 'url' | 'cookies'
  /**
   * The request URL without the signing parameters (what the origin sees).
   */
  unsignedUrl: string
}

export type VerifyResult = VerifyAcceptance | VerifyRefusal

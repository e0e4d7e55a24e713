import type { KeyObject } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { S3Client } from '@aws-sdk/client-s3'
import type { VerifyAcceptance, VerifyRequest } from '../cloudfront/types.ts'
import type { Duration } from '../duration.ts'
import type { EdgeCacheSettings } from './cache.ts'
import type { EdgeCachePolicy } from './cache_policy.ts'
import type { ObjectStore } from '../store/types.ts'

/**
 * What the edge hands to the verifier for a request under a signed
 * behavior: the URL as the client requested it, rebuilt from `publicUrl`
 * plus the raw path and query (never from the Host header), with the
 * signing parameters still in it; the request's cookies by name
 * (`CloudFront-Policy`, ...); the time of the request; the client's IP.
 */
export type EdgeVerifyRequest = Required<Pick<VerifyRequest, 'url' | 'now'>> &
  Pick<VerifyRequest, 'clientIp'> & { cookies: Record<string, string> }

/**
 * The verifier's answer (`CloudFrontVerifier#verify` gives one). On
 * acceptance, the kind of policy and its `Resource` decide whether
 * `response-*` query values were signed (see `honorsResponseOverrides`);
 * without them the edge assumes they were not. On refusal, `code` and
 * `message` are CloudFront's wording and become the `<Code>` (default
 * `AccessDenied`) and `<Message>` of the 403 body.
 */
export type EdgeVerifyResult =
  | ({ ok: true } & Partial<Pick<VerifyAcceptance, 'policy' | 'resource'>>)
  | { ok: false; reason: string; code?: string; message: string }

/**
 * Checks CloudFront signed URLs and signed cookies as CloudFront does.
 */
export type EdgeVerifier = {
  verify(request: EdgeVerifyRequest): EdgeVerifyResult | Promise<EdgeVerifyResult>
}

/**
 * Like a CloudFront cache behavior: requests whose object key matches
 * `pathPattern` are served signed (viewer access restricted to trusted key
 * groups) or unsigned.
 */
export type EdgeBehavior = {
  /**
   * CloudFront's syntax, matched case-sensitively against the request path
   * normalised as CloudFront does (RFC 3986: `%73` is `s`, dot segments
   * removed, `%2F` stays encoded): `*` matches any run of characters
   * (also `/`), `?` exactly one. A leading `/` is ignored. E.g. `static/*`,
   * `*.css`.
   */
  pathPattern: string
  /**
   * `true`: only signed URLs and signed cookies get through. `false`:
   * anyone can read.
   */
  signed: boolean
  /**
   * Serve active content (HTML, SVG, XML, JavaScript: see
   * `isActiveContentType`) inline. Default `false`: such files are sent
   * with `Content-Disposition: attachment`, so opening one downloads it
   * instead of running it on the edge's origin. Every object is also sent
   * with `X-Content-Type-Options: nosniff` and a sandboxing
   * `Content-Security-Policy`, what the documented CloudFront response
   * headers policy adds.
   */
  inlineActiveContent?: boolean
  /**
   * The key pair ids a signed behavior trusts, as CloudFront's trusted key
   * groups of a cache behavior: a URL or cookie signed with another key of
   * the edge is refused with `InvalidKey` ("Unknown Key"), as CloudFront
   * refuses a key its behavior's key groups lack. Up to 20 (4 key groups of
   * 5 keys). Default: every key in `publicKeys`. Needs `publicKeys`.
   */
  keyPairIds?: string[]
  /**
   * The methods the behavior allows, as CloudFront's "Allowed HTTP
   * methods" for an origin that is only read: `['GET', 'HEAD']` (the
   * default) or `['GET', 'HEAD', 'OPTIONS']`. Any other method gets
   * CloudFront's 403 HTML page.
   */
  allowedMethods?: EdgeAllowedMethods
  /**
   * CORS headers, as a response headers policy's CORS settings add them:
   * on answers to requests with an allowed `Origin`, and (with `OPTIONS`
   * among `allowedMethods`) on preflight answers. Default: none, as a
   * behavior without such a policy sends none.
   */
  cors?: EdgeCorsPolicy
  /**
   * The behavior's cache policy: TTLs in seconds and the query strings in
   * the cache key. Default: AWS's managed CachingOptimized (minimum 1 s,
   * default 24 h, maximum a year, no query strings). `{ minTtl: 0,
   * defaultTtl: 0, maxTtl: 0 }` is CachingDisabled.
   */
  cachePolicy?: EdgeCachePolicy
  /**
   * CloudFront's "Compress objects automatically", with Gzip and Brotli in
   * the cache policy (the managed CachingOptimized policy has both): a GET
   * whose viewer sends `Accept-Encoding: br` or `gzip` gets the object
   * compressed (Brotli first), without `Content-Length` and with its ETag
   * made weak (`W/`), when its type is one CloudFront compresses (text,
   * JSON, JavaScript, CSS, SVG, XML, playlists, fonts), it is 1,000 to
   * 10,000,000 bytes and has no `Content-Encoding`; never over HTTP/1.0.
   * Default `false`, as a behavior without the setting.
   */
  compress?: boolean
}

/**
 * The allowed methods of a behavior that only reads.
 */
export type EdgeAllowedMethods = readonly ['GET', 'HEAD'] | readonly ['GET', 'HEAD', 'OPTIONS']

/**
 * The CORS settings of a CloudFront response headers policy
 * (`ResponseHeadersPolicyCorsConfig`, its lists written as arrays).
 */
export type EdgeCorsPolicy = {
  /**
   * The origins allowed (`https://app.example.com`; `*` inside one is a
   * wildcard, `https://*.example.com`), or `['*']` for any. An allowed
   * `Origin` is echoed in `Access-Control-Allow-Origin` (`*` with `['*']`).
   */
  accessControlAllowOrigins: string[]
  /**
   * `Access-Control-Allow-Methods` of preflight answers (`ALL` for every method).
   */
  accessControlAllowMethods: (
    'GET' | 'HEAD' | 'OPTIONS' | 'PUT' | 'POST' | 'PATCH' | 'DELETE' | 'ALL'
  )[]
  /**
   * Sends `Access-Control-Allow-Credentials: true` (needed for signed
   * cookies sent by `fetch(..., { credentials: 'include' })` or
   * `withCredentials`); not with `'*'` origins.
   */
  accessControlAllowCredentials: boolean
  /**
   * `Access-Control-Allow-Headers` of preflight answers. Default none.
   */
  accessControlAllowHeaders?: string[]
  /**
   * `Access-Control-Expose-Headers`. Default none.
   */
  accessControlExposeHeaders?: string[]
  /**
   * `Access-Control-Max-Age` of preflight answers. Default none.
   */
  accessControlMaxAgeSec?: number
  /**
   * Accepted for the policy's shape; the edge's origin sends no CORS
   * headers of its own, so there is nothing to override.
   */
  originOverride?: boolean
}

/**
 * One line per request, for logs: never the URL, its query or the cookies.
 */
export type EdgeRequestEvent = {
  method: string
  /**
   * The decoded object key, when the request target held a valid one.
   */
  key?: string
  status: number
  /**
   * Whether the matched behavior requires a signature.
   */
  signed?: boolean
  /**
   * Why the request was refused, on every 4xx and 5xx: the verifier's
   * `reason` (`expired`, `bad-signature`, `missing-key-pair-id`, ...) when
   * the signature decided, else the kind of answer (`not-found`,
   * `origin-access-denied`, `method-not-allowed`, `get-with-body`,
   * `cors-not-allowed`, `url-too-long`, `request-too-large`, `bad-request`,
   * `precondition-failed`, `range-not-satisfiable`, `origin-error`,
   * `origin-unreachable`, `origin-timeout`, `internal-error`). An
   * `origin-timeout` after the body started is a response cut short.
   */
  reason?: string
  /**
   * The client went away before the response was complete.
   */
  aborted: boolean
  /**
   * The client's address, as `clientIp` reads it.
   */
  clientAddress?: string
}

/**
 * The options of the local CloudFront-compatible edge.
 */
export type EdgeOptions = {
  /**
   * The S3 client of the origin. The edge sends requests to it only, for
   * `bucket` only: nothing in a request can name another host or bucket.
   * Give it, `directory`, or `store`.
   */
  client?: S3Client

  /**
   * The object store of the origin (a disk's own), instead of `client`
   * and `bucket`.
   */
  store?: ObjectStore

  /**
   * Serve the bucket from the local store in this folder instead of S3:
   * objects are the files under `<directory>/<bucket>/`.
   */
  directory?: string

  /**
   * The origin bucket (with `client` or `directory`). The URL path after
   * `publicUrl` is the full key.
   */
  bucket?: string

  /**
   * The edge's base URL as clients see it, e.g. `http://localhost:3333/cdn`
   * (the `cdnUrl` of the disks it serves). Signed URLs are checked against
   * this base plus the request's raw path and query: the Host header is
   * never trusted.
   */
  publicUrl: string

  /**
   * The CloudFront public keys (SPKI PEM or `KeyObject`) by key pair id,
   * e.g. `{ K2JCJMDEHXQW5F: publicPem }`: signed URLs and cookies are
   * checked with a `CloudFrontVerifier` built from them. Needed (or
   * `verifier`) when any behavior is signed, and the default one is.
   */
  publicKeys?: Record<string, KeyObject | string>

  /**
   * Another verifier instead of `publicKeys`.
   */
  verifier?: EdgeVerifier

  /**
   * Path-pattern behaviors, first match wins, like CloudFront's ordered
   * cache behaviors. Keys matching none use `defaultBehavior`.
   */
  behaviors?: EdgeBehavior[]

  /**
   * The behavior of keys no pattern matches. Default `{ signed: true }`.
   */
  defaultBehavior?: Omit<EdgeBehavior, 'pathPattern'>

  /**
   * The clock used to check expiry. Default: `() => new Date()`.
   */
  now?: () => Date

  /**
   * The client IP for `IpAddress` conditions. Default: the socket's remote
   * address (IPv4-mapped IPv6 unwrapped). Proxy headers such as
   * `X-Forwarded-For` are not read unless you read them here.
   */
  clientIp?: (req: IncomingMessage) => string | undefined

  /**
   * Called once per request when the response is finished or aborted.
   */
  onRequest?: (event: EdgeRequestEvent) => void

  /**
   * Called once per warning about the configuration when the edge is
   * created: a signed path pattern that an unsigned request can reach by
   * spelling a `/` as `%2F`, through a later public pattern or a public
   * default behavior, on CloudFront as here. Default: `process.emitWarning`
   * (code `DJAMAZING_EDGE_BEHAVIORS`).
   */
  onWarning?: (message: string) => void

  /**
   * CloudFront's origin response timeout: how long the origin may take to
   * answer each request the edge sends it, and to send the next bytes of a
   * body. When it runs out the viewer gets CloudFront's 504 page (or, once
   * the body has started, a connection cut short). Default 30 s, what
   * CloudFront waits for an S3 origin.
   */
  originTimeout?: Duration

  /**
   * Whether the distribution's origin access may list the bucket
   * (`s3:ListBucket` for CloudFront in the bucket policy). With it, a
   * missing object is S3's 404 `NoSuchKey`; without it, S3 answers 403
   * `AccessDenied` ("Access Denied"), which CloudFront passes on: what the
   * bucket policy of docs/aws-setup.md (`s3:GetObject` only) gives. Default
   * `true`: a 404, as the store under the edge and the app's own S3 client
   * answer. Set it `false` to see production's 403 locally.
   */
  originListsBucket?: boolean

  /**
   * Called when a request fails with a 5xx (the origin cannot be reached
   * or answers an error, a bug); the client gets CloudFront's XML error.
   * Default: the error is written to stderr.
   */
  onError?: (error: unknown, req: IncomingMessage) => void

  /**
   * The edge's cache, as CloudFront's edge cache: objects kept per the
   * behavior's cache policy, 404 and 5xx answers kept
   * `errorCachingMinTtl` seconds, in memory within the bounds given. Its
   * clock is `now`. `false` turns it off: every request reaches the
   * origin. Default: on, with the defaults of `EdgeCacheSettings`.
   */
  cache?: false | EdgeCacheSettings
}

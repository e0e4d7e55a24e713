import type { DiskMode, Duration } from '../types.ts'
import type { CdnUrlTiming } from './cdn_lifetime.ts'
import type { FolderCookieScope } from './folder_cookies.ts'
import type { LinkSigner } from './signer.ts'

/**
 * An app secret links are signed with: text (e.g. the AdonisJS `APP_KEY`)
 * or bytes. Links never use it directly: a key for links only is derived
 * from it, so a link MAC can never be replayed as another signature of
 * the app.
 */
export type LinkSecret = string | Uint8Array

/**
 * The options of a {@link LinkSigner}.
 */
export type LinkSignerOptions = {
  /**
   * The app's secrets, each at least 16 characters (bytes): the first
   * signs, every one verifies. To rotate, put the new secret first and
   * keep the old one until its links have expired.
   */
  secrets: LinkSecret[]

  /**
   * Where the redirect route is mounted. Default `'/djamazing'`.
   */
  routePrefix?: string

  /**
   * An absolute origin put before the route prefix, e.g.
   * `https://app.example.com`, for links used outside the app's pages
   * (emails, other hosts). Default: none, links are root-relative.
   */
  baseUrl?: string

  /**
   * How long a link stays valid when `linkFor` is given no `expiresIn`.
   * Seconds or a string like `'10m'`, at most 30 days. Default `'1h'`.
   */
  expiresIn?: Duration

  /**
   * Allow links made for a guest (`userId: null`). Such a link is a bearer
   * link: anyone holding it can open the file until it expires. Default
   * `false`: `linkFor` refuses guests and `verify` never accepts a guest link.
   */
  guestLinks?: boolean
}

/**
 * A value, or a promise of it: `getUrl` is async, so the current user may
 * be looked up asynchronously.
 */
export type CurrentValue<T> = T | Promise<T>

/**
 * The disk option `links`: protected mode's link settings, plus where the
 * current user comes from when `getUrl(key)` is called without one.
 * Filled in by the AdonisJS provider; plain flydrive users pass it.
 */
export type ProtectedLinkOptions = LinkSignerOptions & {
  /**
   * Returns the stable id of the user the link is made for (a string or
   * an integer, never a username), or `null` for a guest. May return a
   * promise: the AdonisJS provider may have to check the session first.
   */
  currentUserId(): CurrentValue<string | number | null | undefined>

  /**
   * Returns the current user's revocation value, if the app keeps one
   * (see {@link LinkOptions.revision}).
   */
  currentUserRevision?(): CurrentValue<string | number | null | undefined>

  /**
   * Returns the realm of the current user (see {@link LinkOptions.realm}),
   * when ids of different kinds of users can collide.
   */
  currentUserRealm?(): CurrentValue<string | null | undefined>
}

/**
 * Options of one link.
 */
export type LinkOptions = {
  /**
   * The stable id of the user the link is for (string or safe integer;
   * `1` and `'1'` are the same user). `null` makes a guest link, refused
   * unless the signer has `guestLinks: true`.
   */
  userId: string | number | null

  /**
   * The realm the user id belongs to, when the app has several kinds of
   * users whose ids can collide: in AdonisJS, the auth guard (`web`,
   * `admin`). Signed, not in the URL: a link made for admin #1 never opens
   * for web user #1. Omit it (or `null`) when ids are unique app-wide.
   */
  realm?: string | null

  /**
   * How long the link stays valid. Default: the signer's `expiresIn`.
   */
  expiresIn?: Duration

  /**
   * A per-user revocation value, e.g. a `links_revision` column or a
   * session version. It is signed but not put in the URL; `verify` is
   * given the user's current value. Bump it to revoke every link of that
   * user at once. Omit it in both places if the app does not use it.
   */
  revision?: string | number

  /**
   * Served as the response's `Content-Type`. Signed.
   */
  contentType?: string

  /**
   * Served as the response's `Content-Disposition`, e.g.
   * `attachment; filename="report.pdf"`. Signed.
   */
  contentDisposition?: string

  /**
   * How long the CloudFront URL the link redirects to stays valid, instead
   * of the disk's short `signatureTimeout`: for media players and
   * resumable downloads, whose later `Range` requests go to that URL.
   * Signed; the redirect route caps it at the disk's `maxViewFor`.
   */
  viewFor?: Duration

  /**
   * Bind the CloudFront URL to the IPv4 address of the viewer following
   * the link (a custom policy with `AWS:SourceIp`). Signed. A viewer
   * reaching the route over IPv6 gets an unbound URL of the disk's
   * `signatureTimeout` instead (CloudFront policies take IPv4 only).
   */
  bindIp?: boolean

  /**
   * A folder link: the folder (ending with "/", holding the key) that the
   * redirect opens with CloudFront signed cookies before sending the
   * browser to the key, its entry file. Signed.
   */
  folder?: string

  /**
   * The clock, in epoch milliseconds. Default `Date.now()`.
   */
  now?: number
}

/**
 * The response overrides a verified link carries.
 */
export type LinkOverrides = {
  contentType?: string
  contentDisposition?: string
}

/**
 * A link's query: the raw query string (what follows the first `?`),
 * or already parsed values. Prefer the raw string: only then can `verify`
 * refuse links whose query was re-encoded (e.g. `%2B` → `%2b`).
 */
export type LinkQuery = string | URLSearchParams | Record<string, string | string[] | undefined>

/**
 * What `verify` checks a link against.
 */
export type VerifyInput = {
  /**
   * The disk name from the link's path.
   */
  disk: string

  /**
   * The decoded object key from the link's path.
   */
  key: string

  query: LinkQuery

  /**
   * The id of the user logged in now, or `null` for a guest.
   */
  userId: string | number | null

  /**
   * The realm (guard) of the user logged in now (see {@link LinkOptions.realm}).
   */
  realm?: string | null

  /**
   * The current user's revocation value, if the app keeps one.
   */
  revision?: string | number

  /**
   * The clock, in epoch milliseconds. Default `Date.now()`.
   */
  now?: number
}

/**
 * Why a link was refused.
 * - `malformed`: missing, duplicated, unknown or ill-formed parameters,
 *   an invalid disk name or key.
 * - `bad-signature`: the MAC does not match. A link made for another user,
 *   for a revoked revision, for another disk or key, or tampered with in any
 *   way all look the same: the user id and revision are inside the MAC, so
 *   they cannot be told apart, on purpose.
 * - `expired`: a genuine link past its expiry.
 * - `login-required`: checked for a guest (`userId: null`), the link is
 *   well-formed but is not a valid guest link. It may be a valid link of a
 *   user who is not logged in: logging in and retrying is the way forward.
 */
export type LinkRefusal = 'malformed' | 'bad-signature' | 'expired' | 'login-required'

/**
 * A genuine link: its expiry (epoch seconds), its response overrides, and
 * what the redirect may hand out (see {@link LinkOptions}): `viewFor` in
 * whole seconds, `bindIp`, `folder`.
 */
export type VerifiedLink = {
  ok: true
  expiresAt: number
  overrides: LinkOverrides
  viewFor?: number
  bindIp?: boolean
  folder?: string
}

export type VerifyResult = VerifiedLink | { ok: false; reason: LinkRefusal }

/*
 * The redirect route
 */

/**
 * What the redirect core needs of a disk. The driver implements it.
 */
export type LinkedDisk = {
  mode: DiskMode

  /**
   * The disk's link signer. Needed when `mode` is `'protected'`.
   */
  links?: LinkSigner

  /**
   * Lifetime of the CloudFront URL redirected to, in seconds. Default 1.5
   * (the CloudFront signer rounds the expiry up to whole seconds).
   */
  signatureTimeout?: number

  /**
   * Seconds: every redirect within a window of this length gets the same
   * CloudFront URL, expiring on the window's end (see `cdnLifetime`).
   * Default: none, each redirect signs a URL of its own.
   */
  signatureWindow?: number

  /**
   * The longest CloudFront URL lifetime a link's `viewFor` may get, in
   * seconds. Default: none, `viewFor` is ignored.
   */
  maxViewFor?: number

  /**
   * The CDN origin, e.g. `https://d111111abcdef8.cloudfront.net`. Every
   * redirect target is checked against it.
   */
  cdnOrigin: string

  /**
   * Returns the CloudFront signed URL of a key with the response overrides
   * signed into it, valid `expiresIn` seconds or until `expiresAt` (a
   * window boundary, counted from `now`), bound to `ipAddress` if given.
   */
  signCdnUrl(key: string, options: CdnUrlOptions): Promise<string> | string

  /**
   * Folder links: the CloudFront signed cookies (`Set-Cookie` values)
   * opening `folder` (a folder of the disk, ending with "/"), where they
   * live, and the unsigned CDN URL of `entry`, the key the link names.
   * Without it, or when it returns `undefined` (the disk does not open
   * folders), folder links are refused.
   */
  openFolder?(
    folder: string,
    entry: string,
    options: { now: Date; ipAddress?: string }
  ): Promise<FolderGrant | undefined> | FolderGrant | undefined
}

/**
 * What opening a folder gives the browser.
 */
export type FolderGrant = {
  location: string
  cookies: string[]
  scope: FolderCookieScope
}

/**
 * What the redirect core asks a disk to sign.
 */
export type CdnUrlOptions = CdnUrlTiming & { now?: Date } & LinkOverrides

/**
 * Finds a disk by the name in a link's path. `undefined` or `null` for an
 * unknown disk.
 */
export type DiskLookup = (disk: string) => LinkedDisk | null | undefined

/**
 * Per-file authorization after the link has been verified: return `false`
 * to refuse with 403 (e.g. the user lost access to the row the file belongs to).
 */
export type AuthorizeHook = (file: {
  disk: string
  key: string
  userId: string | null
}) => boolean | Promise<boolean>

/**
 * One request to the redirect route, as plain values.
 */
export type RedirectRequest = {
  method: string

  /**
   * The first path segment after the route prefix.
   */
  disk: string

  /**
   * The rest of the path after `<prefix>/<disk>/`, still percent-encoded
   * exactly as received (a string, or its segments).
   */
  rawKey: string | string[]

  query: LinkQuery

  /**
   * The id of the user logged in now, or `null` for a guest.
   */
  userId: string | number | null

  /**
   * The realm (guard) of the user logged in now.
   */
  realm?: string | null

  /**
   * The current user's revocation value, if the app keeps one.
   */
  revision?: string | number

  /**
   * The viewer's address, as the app's trusted-proxy settings give it
   * (AdonisJS: `request.ip()`). Used only by links with `bindIp`.
   */
  clientIp?: string

  /**
   * The request's `Cookie` header: folder links read the app's list of
   * folder cookies from it, to add theirs.
   */
  cookies?: string

  /**
   * The clock, in epoch milliseconds. Default `Date.now()`.
   */
  now?: number
}

/**
 * What the adapter writes back. `body` is absent for `HEAD` and redirects.
 */
export type RedirectResponse = {
  status: number
  headers: Record<string, string>
  /**
   * `Set-Cookie` values, each its own header (folder links).
   */
  setCookies?: string[]
  body?: string
}

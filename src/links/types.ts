import type { Duration } from '../duration.ts'

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
   * The app's secrets, each at least 16 characters (bytes) of real
   * randomness (repeated, sequential or dictionary-like values are
   * refused): the first signs, every one verifies. To rotate, put the new secret first and
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
   * Whether the app runs in production: then `baseUrl` must be https.
   * Default: `NODE_ENV` read as AdonisJS reads it (`production`, `prod`).
   */
  production?: boolean

  /**
   * How long a link stays valid when `linkFor` is given no `expiresIn`.
   * A {@link Duration}, e.g. `'10m'` or `3600`. Default `'1h'`.
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
   * (see {@link LinkUser.revision}).
   */
  currentUserRevision?(): CurrentValue<string | number | null | undefined>

  /**
   * Returns the realm of the current user (see {@link LinkUser.realm}),
   * when ids of different kinds of users can collide.
   */
  currentUserRealm?(): CurrentValue<string | null | undefined>
}

/**
 * The options of one protected link, for `DjamazingDriver.linkFor` and
 * `LinkSigner.linkFor`.
 */
export type LinkOptions = {
  /**
   * How long the link stays valid. Default: the signer's `expiresIn`
   * (a disk's `links.expiresIn`).
   */
  expiresIn?: Duration

  /**
   * Served as the file's `Content-Type`. Signed into the link, then into
   * the CloudFront URL (as S3's `response-content-type`): nobody can change it.
   */
  contentType?: string

  /**
   * Served as the file's `Content-Disposition`, e.g.
   * `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf` for a download
   * name. Signed like `contentType`.
   */
  contentDisposition?: string

  /**
   * How long the CloudFront URL the link redirects to stays valid, instead
   * of the disk's short `redirects.expiresIn`: for media players and
   * resumable downloads, whose later `Range` requests go to that URL.
   * Signed; at most the disk's `redirects.maxViewFor` (checked when the link is made
   * and again when it is followed). Default: the disk's `redirects.expiresIn`,
   * or its `redirects.mediaViews` for the link's content type.
   */
  viewFor?: Duration

  /**
   * Bind the CloudFront URL to the IPv4 address of the viewer following
   * the link (a custom policy with `AWS:SourceIp`). Signed. A viewer
   * reaching the route over IPv6 gets an unbound URL of the disk's
   * `redirects.expiresIn` instead (CloudFront policies take IPv4 only).
   */
  bindIp?: boolean
}

/**
 * The response overrides a link carries: the part of {@link LinkOptions}
 * that reaches the CloudFront URL.
 */
export type LinkOverrides = Pick<LinkOptions, 'contentType' | 'contentDisposition'>

/**
 * Whom a link is for, or who is logged in when it is checked.
 */
export type LinkUser = {
  /**
   * The stable id of the user (string or safe integer; `1` and `'1'` are
   * the same user), or `null` for a guest. A guest link is refused unless
   * the signer has `guestLinks: true`.
   */
  userId: string | number | null

  /**
   * A per-user revocation value, e.g. a `links_revision` column or a
   * session version. It is signed but not put in the URL; `verify` is
   * given the user's current value. Bump it to revoke every link of that
   * user at once. Omit it in both places if the app does not use it.
   */
  revision?: string | number

  /**
   * The realm the user id belongs to, when the app has several kinds of
   * users whose ids can collide: in AdonisJS, the auth guard (`web`,
   * `admin`). Signed, not in the URL: a link made for admin #1 never opens
   * for web user #1. Omit it (or `null`) when ids are unique app-wide.
   */
  realm?: string | null
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
export type VerifyInput = LinkUser & {
  /**
   * The disk name from the link's path (its first segment after the
   * route prefix).
   */
  disk: string

  /**
   * The decoded object key from the link's path.
   */
  key: string

  query: LinkQuery

  /**
   * The time of the request. Default: now.
   */
  now?: Date
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
 * The answer of `LinkSigner.verify`: a genuine, unexpired link for the
 * user, with the overrides it carries, or a refusal and its reason.
 */
export type LinkVerifyResult = VerifiedLink | { ok: false; reason: LinkRefusal }

/**
 * A genuine link: its expiry, its response overrides, and what the
 * redirect may hand out: the CloudFront URL's lifetime (`viewFor`, whole
 * seconds), its IP binding (`bindIp`), and for a folder link the folder
 * its cookies open (`folder`).
 */
export type VerifiedLink = {
  ok: true
  expiresAt: Date
  overrides: LinkOverrides
  viewFor?: number
  bindIp?: boolean
  folder?: string
}

/**
 * Where one set of folder cookies lives.
 */
export type FolderCookieScope = { path: string; domain?: string }

/*
 * The redirect route
 */

/**
 * Per-file authorization after the link has been verified: return `false`
 * to refuse with 403 (e.g. the user lost access to the row the file belongs to).
 */
export type AuthorizeHook = (file: {
  disk: string
  /**
   * The file's key; for a variant, its original's key.
   */
  key: string
  userId: string | null
  /**
   * The variant's name, for a link to an image variant.
   */
  variant?: string
}) => boolean | Promise<boolean>

/**
 * One request to the redirect route, as plain values.
 */
export type RedirectRequest = Omit<VerifyInput, 'key'> & {
  method: string

  /**
   * The rest of the path after `<prefix>/<disk>/`, still percent-encoded
   * exactly as received (a string, or its segments).
   */
  rawKey: string | string[]

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
}

/**
 * Why the redirect route refused a request: the link's own
 * {@link LinkRefusal}, or `method-not-allowed` (405), `unknown-disk`
 * (404: no protected disk of that name), `not-authorized` (403: the
 * `authorize` hook said no), `no-folder-cookies` (403: a genuine folder
 * link to a disk without `folderCookies`), `variant-unavailable` (the
 * variant a genuine link names cannot be made: 404 without its original,
 * 422 when the original is no image the disk takes, 503 when making it
 * took too long).
 */
export type RouteRefusal =
  | LinkRefusal
  | 'method-not-allowed'
  | 'unknown-disk'
  | 'not-authorized'
  | 'no-folder-cookies'
  | 'variant-unavailable'

/**
 * One decision of the redirect route, for logs and audits. It never holds
 * the link's query, its MAC, the redirect target, cookies or secrets:
 * only what the app may record about who opened what.
 */
export type LinkEvent =
  | {
      outcome: 'redirected'
      disk: string
      /**
       * The object key, as the disk knows it (without the disk's prefix).
       */
      key: string
      /**
       * The user the link was verified for, `null` for a guest link.
       */
      userId: string | null
      /**
       * The user's realm (in AdonisJS, the guard), when links are bound to one.
       */
      realm?: string
      /**
       * The client's address, as the adapter reads it.
       */
      clientAddress?: string
    }
  | {
      outcome: 'refused'
      /**
       * The disk named in the link's path, when it is a valid disk name.
       */
      disk?: string
      reason: RouteRefusal
      status: number
      clientAddress?: string
    }

/**
 * What the adapter writes back. `body` is absent for `HEAD` and redirects;
 * `event` is what the adapter reports (it adds the client's address).
 */
export type RedirectResponse = {
  status: number
  headers: Record<string, string>
  /**
   * `Set-Cookie` values, each its own header (folder links).
   */
  setCookies?: string[]
  body?: string
  event: LinkEvent
}

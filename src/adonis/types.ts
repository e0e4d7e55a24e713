import type { LinkSignerOptions } from '../links/types.ts'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import type { DjamazingDriver } from '../driver.ts'
import type { DjamazingOptions } from '../types.ts'
import type { EdgeCorsPolicy } from '../edge/types.ts'

/**
 * The file a protected link points at, as given to `authorize`.
 */
export type AuthorizeTarget = { disk: string; key: string }

/**
 * The request `authorize` is called for: AdonisJS's `HttpContext`. Written
 * out as the part checks read (`ctx.auth.user`), so that these types load
 * without AdonisJS; annotate the parameter as `HttpContext` for its full type.
 */
export type AuthorizeContext = { request: object; response: object; auth?: any }

/**
 * What `djamazing()` gives `services` in `config/drive.ts`: @adonisjs/drive's
 * `ServiceConfigProvider`, written out so that these types load without
 * AdonisJS. Drive calls `resolver` with the disk's name and the app.
 */
export type DjamazingDiskProvider = {
  type: 'provider'
  resolver(name: string, app: object): Promise<() => DjamazingDriver>
}

/**
 * `Omit` applied to each member of a union: the S3 connection settings
 * are a union (a ready client, or region, endpoint, credentials...), and a
 * plain `Omit` would keep only the keys all members share.
 */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/**
 * The options of one disk in `config/drive.ts`: the disk options of the
 * driver, plus the AdonisJS glue. The disk name and the signing secrets
 * are filled in from the `services` key and `config/encryption.ts`.
 */
export type DjamazingServiceConfig = DistributiveOmit<
  DjamazingOptions,
  'disk' | 'links' | 'production'
> &
  AdonisDiskOptions

/**
 * The settings of a disk only the AdonisJS glue reads.
 */
export type AdonisDiskOptions = {
  /**
   * Where the redirect route of protected disks is mounted: each protected
   * disk gets `GET`/`HEAD` `<routePrefix>/<disk>/*`. Default `'/djamazing'`.
   */
  routePrefix?: string

  /**
   * The auth guards that may identify the user, tried in order, on the
   * redirect route and when a link is made for a request nobody has
   * authenticated yet. Default: the default guard of `config/auth.ts`.
   */
  guards?: string[]

  /**
   * Returns the stable id a link is bound to, from the authenticated user.
   * Default: `String(user.id)`. Never a username or an email: those change.
   */
  userId?: (user: any) => string | number | bigint

  /**
   * Returns the user's revocation value, if the app keeps one (e.g. a
   * `linksRevision` column): it is signed into every link, and bumping it
   * revokes every link of that user at once.
   */
  userRevision?: (user: any) => string | number | null | undefined

  /**
   * Per-file authorization, run on the redirect route after the link was
   * verified for the current user: return `false` to answer 403 (e.g. the
   * user lost access to the record the file belongs to).
   */
  authorize?(ctx: AuthorizeContext, target: AuthorizeTarget): boolean | Promise<boolean>

  /**
   * Serve `cdnUrl` with the local CloudFront-compatible edge (development,
   * tests, demos: no AWS account needed): mounted on the app when `cdnUrl`
   * is the app's origin, else (outside production) listening on its own
   * origin, the port of `cdnUrl`, as the distribution is another origin
   * in production. Default: on for the local store, and outside production
   * when `cdnUrl` points at the app itself (same origin as `app.appUrl`, or
   * a loopback host on the app's `PORT`). Settings (an object) also turn it
   * on, outside production, for a `cdnUrl` on a development host (a
   * loopback address, `*.localhost`, `*.test`); `true` always, `false` never.
   */
  localEdge?: boolean | LocalEdgeSettings

  /**
   * Settings of protected links (`expiresIn`, `guestLinks`, `baseUrl`);
   * the secrets, the route prefix and the current user come from the app.
   */
  links?: Omit<LinkSignerOptions, 'secrets' | 'routePrefix' | 'production'>
}

/**
 * Settings of the local edge for one disk.
 */
export type LocalEdgeSettings = {
  /**
   * The CORS settings of the disk's cache behavior, shaped like a
   * CloudFront response headers policy's `CorsConfig`: give the edge on
   * its own origin the ones the distribution has, e.g.
   * `{ accessControlAllowOrigins: [env.get('APP_URL')], accessControlAllowMethods: ['GET', 'HEAD'],
   * accessControlAllowCredentials: true }`. Default none, as on a
   * distribution without a CORS policy: cross-origin `fetch` and players
   * are refused by the browser. The methods are checked at boot, so a
   * plain list (`string[]`, as a `shared` object infers it) compiles.
   */
  cors?: Omit<EdgeCorsPolicy, 'accessControlAllowMethods'> & {
    accessControlAllowMethods: readonly string[]
  }
  /**
   * `false` turns the edge's cache (its emulation of CloudFront's edge
   * cache, on by default) off. One cache serves each edge, so any disk
   * setting it turns it off for all the app's local edges.
   */
  cache?: false
}

/**
 * What the provider needs to know about one djamazing disk, recorded
 * while `config/drive.ts` resolves (the way `@adonisjs/drive` records
 * the disks it serves itself).
 */
export type RegisteredDisk = {
  name: string
  config: DjamazingServiceConfig
  routePrefix: string
  /**
   * The disk the driver reads: its store, signers and settings, made once.
   */
  resolved: ResolvedDisk
}

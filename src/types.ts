import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import type { CloudFrontSignerOptions } from './cloudfront/types.ts'
import type { ProtectedLinkOptions } from './links/types.ts'
import type { DirectUploadOptions } from './uploads/types.ts'
import type { VariantsOptions } from './variants/types.ts'
import type { InvalidationOptions } from './invalidation/types.ts'
import type { Duration } from './duration.ts'

export type { Duration } from './duration.ts'
export type { InvalidationEvent, InvalidationOptions } from './invalidation/types.ts'

/**
 * How a disk serves its files.
 * - `public`: `getUrl(key)` is a plain CDN URL.
 * - `protected`: `getUrl(key)` is a link to the app's redirect route, bound
 *   to the current user, that redirects to a short-lived CloudFront signed URL.
 */
export type DiskMode = 'public' | 'protected'

/**
 * Where the S3 client comes from: either a ready client, or the settings to
 * build one (the default AWS credential chain when `credentials` is omitted).
 */
export type S3ConnectionOptions =
  | { client: S3Client }
  | (Pick<
      S3ClientConfig,
      | 'region'
      | 'endpoint'
      | 'forcePathStyle'
      | 'credentials'
      | 'requestChecksumCalculation'
      | 'responseChecksumValidation'
      | 'maxAttempts'
      | 'requestHandler'
    > & { client?: undefined })

/**
 * Where a disk keeps its files.
 * - `s3`: an S3 bucket (or an S3-compatible store), served by CloudFront.
 * - `local`: folders on this machine's file system, served by the app's
 *   own local edge: development and tests with nothing to install.
 */
export type StoreKind = 's3' | 'local'

/**
 * Settings of the local store (`store: 'local'`).
 */
export type LocalStoreOptions = {
  /**
   * The folder of the store; each bucket is a folder inside it, so an
   * object lives at `<root>/<bucket>/<prefix><key>`. AdonisJS: default
   * `storage/.djamazing`, a relative path resolves from the app root (an
   * app built in place into `build/` uses its source's store).
   * flydrive: required, a relative path resolves from the working directory.
   */
  root?: string

  /**
   * The secret upload URLs (`getSignedUploadUrl`) are signed with: an HMAC
   * key is derived from it. AdonisJS: the app key of `config/encryption.ts`.
   * flydrive: required to make upload URLs, and the same secret goes to the
   * upload handler.
   */
  uploadSecret?: string

  /**
   * Let the local store run when the app is in production. Off by default:
   * a production app would keep its files on one server's disk, with no
   * CDN in front, usually by mistake (a forgotten env value).
   */
  allowInProduction?: boolean
}

/**
 * The options of one djamazing disk.
 */
export type DjamazingOptions = S3ConnectionOptions & {
  /**
   * See {@link StoreKind}. Default `'s3'`. With `'local'` the S3 connection
   * settings are not used (they may be undefined); `bucket`, `prefix`,
   * `cdnUrl` and `cloudfront` mean the same as on S3.
   */
  store?: StoreKind

  /**
   * Settings of the local store, read when `store` is `'local'`.
   */
  localStore?: LocalStoreOptions

  /**
   * The name of the disk. Protected links are bound to it, so a link made
   * for one disk never opens a file of another. Set by `djamazing()` from
   * the key in `config/drive.ts`; defaults to `"default"`.
   */
  disk?: string

  /**
   * The bucket that stores the files.
   */
  bucket: string

  /**
   * Whether the app runs in production: then the CDN URL and
   * `links.baseUrl` must be https. `djamazing()` sets it from AdonisJS's
   * `app.inProduction`. Default: `NODE_ENV` read as AdonisJS reads it
   * (`production` or `prod`, any case).
   */
  production?: boolean

  /**
   * A key prefix inside the bucket, e.g. `"uploads/"`, so several disks can
   * share one bucket. Keys passed to the driver are relative to it.
   */
  prefix?: string

  /**
   * See {@link DiskMode}.
   */
  mode: DiskMode

  /**
   * Serve active content (HTML, XHTML, SVG, XML, JavaScript) of this disk
   * inline, and guess such types from a key's extension on writes.
   * Default `false`: the local edge sends them as attachments, and a
   * protected disk stores them as `application/octet-stream` unless a
   * write names the type. Turn it on only for files your own team
   * publishes: a user's HTML or SVG opened inline is stored XSS.
   */
  inlineActiveContent?: boolean

  /**
   * The CloudFront distribution URL (its path is kept), e.g.
   * `https://d111111abcdef8.cloudfront.net/media`. Must be https in production.
   */
  cdnUrl: string

  /**
   * Send a per-object ACL on writes and read visibility from ACLs. Off by
   * default: buckets created since 2023 have ACLs disabled, and public
   * access belongs to the bucket policy and CloudFront.
   */
  supportsACL?: boolean

  /**
   * Multipart settings for `putStream`: the first part's size in bytes
   * (>= 5 MiB, default 8 MiB) and how many parts are uploaded at once
   * (default 2). A stream of unknown length keeps that size for 500
   * parts, then doubles it every 500 parts, so 10,000 parts hold over
   * 5 TiB; memory grows with `partSize * (queueSize + 1)` (the parts in
   * flight and the next one) up to 500 parts, not with the stream's length.
   */
  multipart?: { partSize?: number; queueSize?: number }

  /**
   * CloudFront signing: needed by protected disks, and by public disks for
   * `getSignedUrl`. Without it `getSignedUrl` falls back to an S3 presigned URL.
   */
  cloudfront?: Omit<CloudFrontSignerOptions, 'setting'>

  /**
   * Protected disks: the CloudFront URL a link's redirect hands out, how
   * long it lives, when it is reused, and which links get a longer one.
   */
  redirects?: RedirectOptions

  /**
   * The `Cache-Control` stored with objects written through this disk when
   * the write gives none, e.g. `'private, max-age=86400, immutable'` for
   * files that never change under one key. CloudFront and the browser
   * keep them that long; the redirect itself stays `private, no-store`.
   */
  cacheControl?: string

  /**
   * Folder links (`linkForFolder`): the redirect sets CloudFront signed
   * cookies for a whole folder (HLS/DASH playlists and their segments, a
   * folder of many small files), then sends the browser to its entry file.
   * The CDN must be the app's own host, or both under `domain`.
   */
  folderCookies?: FolderCookieOptions

  /**
   * Protected mode: how links are signed and whom they are bound to.
   * Filled in by the AdonisJS provider; plain flydrive users pass it.
   */
  links?: Omit<ProtectedLinkOptions, 'production'>

  /**
   * Direct uploads from the browser (`startUpload` / `confirmUpload`):
   * limits and the pending prefix. See docs/uploads.md.
   */
  uploads?: DirectUploadOptions

  /**
   * Image variants: named resized copies of the disk's images (made with
   * `sharp`, an optional peer dependency), served as the originals are.
   * See docs/variants.md.
   */
  variants?: VariantsOptions

  /**
   * CloudFront invalidation: files overwritten, deleted, moved or copied
   * over (and their image variants) are invalidated at the distribution,
   * batched. Needs `@aws-sdk/client-cloudfront`. See docs/invalidation.md.
   */
  invalidation?: InvalidationOptions
}

/**
 * See `DjamazingOptions.redirects`.
 */
export type RedirectOptions = {
  /**
   * How long the CloudFront URL a protected link redirects to stays valid.
   * Default `'1.5s'`, rounded up to whole seconds. Fine for images and small
   * files; media players and resumable downloads need minutes.
   */
  expiresIn?: Duration

  /**
   * Allow an `expiresIn`, or a `window` plus `expiresIn`, over one hour,
   * and a `maxViewFor`, `mediaViews.viewFor` or the disk's
   * `folderCookies.expiresIn` over one day. The CloudFront URL (or cookie)
   * is a bearer credential for that long: anyone who copies it from the
   * address bar, a log or a shared screen can use it. Media that needs
   * hours is better served with per-link lifetimes or signed cookies.
   */
  allowLongExpiry?: boolean

  /**
   * Stable CloudFront URLs for repeat views: every redirect for the same
   * key (and overrides) within a window of this length gets the same
   * URL, expiring at the window's end and never less than `expiresIn`
   * ahead, so the browser and CloudFront can cache the file. Whole seconds
   * (`60`, `'5m'`). A URL copied out of the browser then works for at
   * most window + `expiresIn`. Default: none, every redirect signs a new URL.
   */
  window?: Duration

  /**
   * How many signed URLs a disk with a `window` keeps in memory (least
   * recently used go first), and as many links it verified, so a link
   * followed again skips its MAC check (never its expiry, user or
   * `authorize` check). Default 10,000 (a few MB).
   */
  cacheSize?: number

  /**
   * The longest lifetime a protected link may ask for its CloudFront URL
   * (`linkFor(key, { viewFor })`). Without it (and without `mediaViews`),
   * `viewFor` is refused.
   */
  maxViewFor?: Duration

  /**
   * Links to media get a longer CloudFront URL without asking: links whose
   * content type (the link's `contentType`, or the one guessed from the
   * key's extension) matches one of `contentTypes` (`'video/*'`,
   * `'application/pdf'`) get `viewFor`, bound to the viewer's IPv4 address
   * when `bindIp` is set.
   */
  mediaViews?: MediaViewOptions
}

/**
 * See `RedirectOptions.mediaViews`.
 */
export type MediaViewOptions = {
  contentTypes: string[]
  viewFor: Duration
  bindIp?: boolean
}

/**
 * See `DjamazingOptions.folderCookies`.
 */
export type FolderCookieOptions = {
  /**
   * How long the cookies (their policy and `Max-Age`) last. Default `'1h'`.
   */
  expiresIn?: Duration
  /**
   * The cookies' `Domain`: a parent of both the app's and the CDN's host,
   * e.g. `'.example.com'` for `app.example.com` and `cdn.example.com`.
   * Default: none, the CDN must then be the app's own host.
   */
  domain?: string
}

/**
 * Options of a folder link made with `DjamazingDriver.linkForFolder`.
 */
export type FolderLinkOptions = {
  /**
   * The file the browser is sent to, relative to the folder, e.g. `'index.m3u8'`.
   */
  entry: string
  /**
   * How long the link stays valid. Default: the disk's `links.expiresIn`.
   */
  expiresIn?: Duration
  /**
   * Bind the cookies to the viewer's IPv4 address. A viewer that cannot
   * be bound (IPv6) gets unbound cookies living only `redirects.expiresIn`.
   */
  bindIp?: boolean
}

export type {
  CompleteUploadOptions,
  ConfirmedUpload,
  ConfirmUploadOptions,
  DirectUploadOptions,
  MultipartUploadTarget,
  PartTarget,
  PruneUploadsOptions,
  PutUploadTarget,
  SignPartOptions,
  StartUploadOptions,
  StoredPart,
  UploadTarget,
  UploadUserOptions,
} from './uploads/types.ts'

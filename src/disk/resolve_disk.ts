import { resolve } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import type { ObjectVisibility } from 'flydrive/types'
import debug from '../debug.ts'
import { parseCdnUrl, type CdnBase } from '../cdn_url.ts'
import { CloudFrontSigner } from '../cloudfront/signer.ts'
import { E_DJAMAZING_INVALID_CONFIG, E_DJAMAZING_MISSING_BUCKET } from '../errors.ts'
import { ProtectedLinks } from '../links/protected_links.ts'
import { LinkSigner } from '../links/signer.ts'
import type { ProtectedLinkOptions } from '../links/types.ts'
import { assertValidObjectKey } from '../object_key.ts'
import { isProduction } from '../production.ts'
import { uploadSigningKey } from '../store/local_upload_url.ts'
import { LocalStore } from '../store/local_store.ts'
import { createS3Client } from '../store/s3_client.ts'
import { S3Store } from '../store/s3_store.ts'
import { assertLocalBucketName } from '../store/local_files.ts'
import type { ObjectStore } from '../store/types.ts'
import type { DiskMode, DjamazingOptions, StoreKind } from '../types.ts'
import { DirectUploads } from '../uploads/direct_uploads.ts'
import { assertCloudFrontClientInstalled } from '../invalidation/client.ts'
import { diskInvalidation, type DiskInvalidation } from '../invalidation/disk_invalidation.ts'
import { resolveVariantSettings } from '../variants/options.ts'
import { assertSharpInstalled } from '../variants/sharp.ts'
import { normalizePrefix, readCacheControl, readInvalidation, readMultipart } from './settings.ts'
import { readUploadSettings } from './upload_settings.ts'
import { readRedirects, type ResolvedFolderCookies, type ResolvedRedirects } from './redirects.ts'

/**
 * Settings of earlier releases, by the path that replaced them: a disk
 * that still names one fails at boot, rather than running on defaults.
 */
const RENAMED: Record<string, string> = {
  signatureTimeout: 'redirects.expiresIn',
  allowLongSignatureTimeout: 'redirects.allowLongExpiry',
  signatureWindow: 'redirects.window',
  signatureCacheSize: 'redirects.cacheSize',
  maxViewFor: 'redirects.maxViewFor',
  mediaViews: 'redirects.mediaViews',
}

/**
 * One disk, its options checked once and everything built from them made
 * once: the S3 client (or local store), the CloudFront signer (its keys
 * loaded once), the link signer, the caches and the direct uploads. The
 * driver, the redirect route, the local edge, the doctor and the AdonisJS
 * glue all read this, never the options. Frozen; durations in seconds.
 */
export type ResolvedDisk = {
  /**
   * The disk's name (`"default"` when none was given): links are bound to it.
   */
  readonly name: string
  readonly mode: DiskMode
  readonly bucket: string
  /**
   * "" or a prefix ending with "/".
   */
  readonly prefix: string
  readonly cdn: CdnBase
  readonly store: StoreKind
  /**
   * The local store of a local store disk: its folder of buckets, and the
   * secret its upload URLs are signed with.
   */
  readonly localStore?: {
    readonly root: string
    readonly uploadSecret?: string
  }
  /**
   * The disk's object store (S3 through `client`, or the local store):
   * every read and write of the disk's objects goes through it.
   */
  readonly objectStore: ObjectStore
  /**
   * The visibility every object has when ACLs are off.
   */
  readonly visibility: ObjectVisibility
  readonly supportsACL: boolean
  /**
   * Whether writes may guess an active type (HTML, SVG, ...) from a key's
   * extension: public disks, and protected disks with `inlineActiveContent`.
   */
  readonly infersActiveTypes: boolean
  readonly inlineActiveContent: boolean
  /**
   * The `Cache-Control` of writes that give none.
   */
  readonly cacheControl?: string
  readonly cloudfront?: CloudFrontSigner
  /**
   * Protected disks with `links` and `cloudfront`: the link signer, where
   * the current user comes from, and what the redirect route reads.
   */
  readonly links?: LinkSigner
  readonly currentUser?: Pick<
    ProtectedLinkOptions,
    'currentUserId' | 'currentUserRevision' | 'currentUserRealm'
  >
  readonly protectedLinks?: ProtectedLinks
  /**
   * The disk's `redirects`, durations in seconds.
   */
  readonly redirects: ResolvedRedirects
  readonly folderCookies?: ResolvedFolderCookies
  readonly uploads?: DirectUploads
  /**
   * The image variants' settings, checked (sharp is installed).
   */
  readonly variants?: ResolvedVariantSettings
  /**
   * CloudFront invalidation of the disk's changed files (`invalidation`).
   */
  readonly invalidation?: DiskInvalidation
  /**
   * Set on a disk made by `onBucket`: whether it was given a CDN URL of its own.
   */
  readonly otherBucket?: { readonly ownCdn: boolean }
  /**
   * The key in the bucket of a key of the disk: validated, with the prefix.
   */
  objectKey(key: string): string
  /**
   * The path of a setting as the user wrote it, for errors
   * (`services.uploads.redirects.expiresIn`).
   */
  setting(name: string): string
  /**
   * The same disk on another bucket, sharing its S3 client and CloudFront
   * signer; `cdnUrl` is that bucket's CDN (without it, the disk's own).
   */
  onBucket(bucket: string, cdnUrl?: string): ResolvedDisk
}

type ResolvedVariantSettings = ReturnType<typeof resolveVariantSettings>

const resolvedDisks = new WeakSet<object>()

/**
 * Whether a value is a disk `resolveDisk` made (and not options).
 */
export function isResolvedDisk(value: unknown): value is ResolvedDisk {
  return typeof value === 'object' && value !== null && resolvedDisks.has(value)
}

/**
 * Checks a disk's options, naming the setting that is wrong, and builds
 * what the disk needs once. A bad disk fails here, at boot, rather than
 * on its first request.
 */
export function resolveDisk(options: DjamazingOptions): ResolvedDisk {
  return resolveOn(options, {})
}

type Shared = {
  client?: S3Client
  cloudfront?: CloudFrontSigner
  ownCdn?: boolean
}

function resolveOn(options: DjamazingOptions, shared: Shared): ResolvedDisk {
  const name = options.disk ?? 'default'
  // A setting's path as the user wrote it, for errors: services.<disk>.<path>
  // in config/drive.ts (the disk has a name), or the driver option's own.
  const setting = (path: string) => (options.disk ? `services.${options.disk}.${path}` : path)

  if (typeof options.bucket !== 'string' || options.bucket.trim() === '') {
    throw new E_DJAMAZING_MISSING_BUCKET([setting('bucket')])
  }
  const bucket = options.bucket
  if (options.mode !== 'public' && options.mode !== 'protected') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('mode'),
      `${JSON.stringify(options.mode)} is not a mode. Use "public" or "protected"`,
    ])
  }
  const mode = options.mode
  const store = options.store ?? 's3'
  if (store !== 's3' && store !== 'local') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('store'),
      `${JSON.stringify(options.store)} is not a store. Use "s3" or "local"`,
    ])
  }
  let localRoot: string | undefined
  if (store === 'local') {
    assertLocalBucketName(bucket, setting('bucket'))
    const root = options.localStore?.root
    if (typeof root !== 'string' || root === '') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting('localStore.root'),
        'the local store needs the folder it keeps the buckets in, e.g. "storage/.djamazing"',
      ])
    }
    localRoot = resolve(root)
  }
  const production = isProduction(options.production)
  const cdn = parseCdnUrl(options.cdnUrl, setting('cdnUrl'), production)
  const prefix = normalizePrefix(options.prefix, setting('prefix'))
  const multipart = readMultipart(options.multipart, setting('multipart'))
  const cacheControl = readCacheControl(options.cacheControl, setting('cacheControl'))

  const objectKey = (key: string) => {
    assertValidObjectKey(key)
    if (!prefix) return key
    const full = `${prefix}${key}`
    // The prefix counts towards S3's 1024-byte limit.
    assertValidObjectKey(full)
    return full
  }

  // Signing: errors name the disk's own setting, services.uploads.cloudfront.privateKey.
  const cloudfront =
    shared.cloudfront ??
    (options.cloudfront
      ? new CloudFrontSigner({ ...options.cloudfront, setting: setting('cloudfront') })
      : undefined)
  for (const [old, now] of Object.entries(RENAMED)) {
    if (old in options) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting(old),
        `the setting moved: use ${setting(now)} (docs/settings.md, "Settings renamed")`,
      ])
    }
  }
  const { redirects, folderCookies, cache } = readRedirects(
    options,
    setting,
    new URL(cdn.origin).hostname
  )

  // Without CloudFront a protected disk cannot redirect anywhere, so it
  // makes no links (getUrl says so); the AdonisJS helper refuses such a
  // disk at boot. A disk on another bucket makes no links either: the
  // redirect route serves the disk's own bucket.
  let links: LinkSigner | undefined
  let protectedLinks: ProtectedLinks | undefined
  const ownBucket = shared.ownCdn === undefined
  if (mode === 'protected' && options.links && cloudfront && ownBucket) {
    // Links are bound to the disk's name: two unnamed disks would both
    // sign as "default", and a link of one would open the other's files.
    if (options.disk === undefined) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        'disk',
        'a protected disk that makes links needs its name (links are bound to it): pass disk: "uploads", the name the redirect handler lists it under',
      ])
    }
    if (typeof options.links.currentUserId !== 'function') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting('links.currentUserId'),
        'a protected disk needs a function returning the id of the current user (or null for a guest)',
      ])
    }
    links = new LinkSigner({ ...options.links, production })
    protectedLinks = new ProtectedLinks({
      disk: name,
      signer: links,
      cloudfront,
      cdn,
      redirects,
      objectKey,
      cache,
      folders: folderCookies,
    })
  }

  // The store: one S3 client per disk (shared with its other buckets), or
  // the local store's folder.
  let client: S3Client | undefined
  let localStore: ResolvedDisk['localStore']
  let objectStore: ObjectStore
  if (localRoot !== undefined) {
    const uploadSecret = options.localStore?.uploadSecret
    localStore = Object.freeze({ root: localRoot, uploadSecret })
    const uploadSecretSetting = setting('localStore.uploadSecret')
    objectStore = new LocalStore({
      root: localRoot,
      bucket,
      uploadSecretSetting,
      uploadUrls: uploadSecret
        ? { cdn, key: uploadSigningKey(uploadSecret, uploadSecretSetting) }
        : undefined,
    })
  } else {
    client = shared.client ?? createS3Client(options)
    objectStore = new S3Store({ client, bucket, ...multipart })
  }

  // Direct uploads sign tokens with the app secrets: the links' ones on a
  // protected disk, or `uploads.secrets`.
  const uploadSecrets = options.uploads?.secrets ?? options.links?.secrets
  const uploads =
    uploadSecrets || options.uploads
      ? new DirectUploads(
          { store: objectStore, disk: name, prefix, secrets: uploadSecrets ?? [] },
          readUploadSettings(options.uploads ?? {}, setting),
          // Tokens are bound to the user's realm as links are.
          options.uploads?.currentUserRealm ??
            (options.links?.currentUserRealm && (() => options.links!.currentUserRealm!()))
        )
      : undefined

  // Image variants: their settings checked, and sharp there to make them.
  let variants: ResolvedVariantSettings | undefined
  if (options.variants) {
    variants = resolveVariantSettings(options.variants, setting('variants'))
    assertSharpInstalled(setting('variants'))
  }

  // CloudFront invalidation: its settings checked, and the client there.
  const invalidationSettings = readInvalidation(
    options.invalidation,
    setting('invalidation'),
    'credentials' in options ? options.credentials : undefined
  )
  if (invalidationSettings && !invalidationSettings.client) {
    assertCloudFrontClientInstalled(setting('invalidation'))
  }
  // Another bucket is another distribution: its files are not invalidated.
  const invalidation =
    invalidationSettings && ownBucket && diskInvalidation(name, cdn, prefix, invalidationSettings)

  const disk: ResolvedDisk = Object.freeze({
    name,
    mode,
    bucket,
    prefix,
    cdn,
    store,
    localStore,
    objectStore,
    visibility: mode === 'public' ? 'public' : 'private',
    // The local store keeps no ACLs: access is the edge's behaviors'.
    supportsACL: store === 's3' && (options.supportsACL ?? false),
    infersActiveTypes: mode === 'public' || options.inlineActiveContent === true,
    inlineActiveContent: options.inlineActiveContent === true,
    cacheControl,
    cloudfront,
    links,
    // Where the current user comes from, without the secrets beside it.
    currentUser:
      links &&
      Object.freeze({
        currentUserId: () => options.links!.currentUserId(),
        currentUserRevision: () => options.links!.currentUserRevision?.(),
        currentUserRealm: () => options.links!.currentUserRealm?.(),
      }),
    protectedLinks,
    redirects,
    folderCookies,
    uploads,
    variants,
    invalidation: invalidation || undefined,
    otherBucket: ownBucket ? undefined : { ownCdn: shared.ownCdn! },
    objectKey,
    setting,
    onBucket(other: string, cdnUrl?: string): ResolvedDisk {
      return resolveOn(
        { ...options, bucket: other, ...(cdnUrl === undefined ? {} : { cdnUrl }) },
        { client, cloudfront, ownCdn: cdnUrl !== undefined }
      )
    },
  })
  resolvedDisks.add(disk)
  debug(
    'disk %s: bucket %s, prefix "%s", mode %s, cdn %s, ACLs %s, %s',
    name,
    bucket,
    prefix,
    mode,
    cdn.origin,
    disk.supportsACL ? 'on' : 'off',
    localRoot ? `local store in ${localRoot}` : 'S3'
  )
  return disk
}

import type { ObjectVisibility } from 'flydrive/types'
import { parseCdnUrl, type CdnBase } from '../cdn_url.ts'
import { E_DJAMAZING_INVALID_CONFIG, E_DJAMAZING_MISSING_BUCKET } from '../errors.ts'
import { resolve } from 'node:path'
import { assertLocalBucketName } from '../local/files.ts'
import { assertValidObjectKey } from '../object_key.ts'
import { isProduction } from '../production.ts'
import type { DiskMode, DjamazingOptions, StoreKind } from '../types.ts'

/**
 * A disk's settings, checked once when the driver is created.
 */
export type DriverConfig = {
  disk: string
  store: StoreKind
  /**
   * The absolute folder of the local store (`store: 'local'` only).
   */
  localRoot?: string
  bucket: string
  /**
   * "" or a prefix ending with "/".
   */
  prefix: string
  mode: DiskMode
  /**
   * Whether writes may guess an active type (HTML, SVG, ...) from a key's
   * extension: public disks, and protected disks with `inlineActiveContent`.
   */
  infersActiveTypes: boolean
  /**
   * The visibility every object of the disk has when ACLs are off.
   */
  visibility: ObjectVisibility
  cdn: CdnBase
  supportsACL: boolean
  /**
   * The `Cache-Control` of writes that give none.
   */
  cacheControl: string | undefined
  /**
   * undefined: lib-storage picks 5 MiB, or more for a known length that
   * would need over 10,000 parts.
   */
  partSize: number | undefined
  queueSize: number
}

const MIN_PART_SIZE = 5 * 1024 * 1024

/**
 * A disk's key prefix as the driver stores it: "" (the whole bucket) or a
 * valid key ending with "/", so that `uploads/public` never covers
 * `uploads/publications/...`. The local edge builds its behaviors from it.
 */
export function normalizePrefix(value: string | undefined, setting: string): string {
  if (value === undefined || value === '') return ''
  const prefix = value.endsWith('/') ? value : `${value}/`
  try {
    assertValidObjectKey(prefix)
  } catch (error) {
    throw new E_DJAMAZING_INVALID_CONFIG(
      [setting, `"${value}" is not a valid key prefix (${(error as Error).message})`],
      { cause: error }
    )
  }
  return prefix
}

/**
 * The path of a disk's setting as the user wrote it, for errors:
 * `services.<disk>.<name>` in config/drive.ts (the disk has a name), or
 * the driver option's own name.
 */
export function settingPath(options: { disk?: string }, name: string): string {
  return options.disk ? `services.${options.disk}.${name}` : name
}

/**
 * Checks the options and names the setting that is wrong, so a bad disk
 * fails at boot rather than on its first request.
 */
export function resolveDriverConfig(options: DjamazingOptions): DriverConfig {
  const disk = options.disk ?? 'default'
  const setting = (name: string) => settingPath(options, name)

  if (typeof options.bucket !== 'string' || options.bucket.trim() === '') {
    throw new E_DJAMAZING_MISSING_BUCKET([setting('bucket')])
  }
  if (options.mode !== 'public' && options.mode !== 'protected') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('mode'),
      `${JSON.stringify(options.mode)} is not a mode. Use "public" or "protected"`,
    ])
  }

  const store = options.store ?? 's3'
  if (store !== 's3' && store !== 'local') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('store'),
      `${JSON.stringify(options.store)} is not a store. Use "s3" or "local"`,
    ])
  }
  let localRoot: string | undefined
  if (store === 'local') {
    assertLocalBucketName(options.bucket, setting('bucket'))
    const root = options.localStore?.root
    if (typeof root !== 'string' || root === '') {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting('localStore.root'),
        'the local store needs the folder it keeps the buckets in, e.g. "storage/.djamazing"',
      ])
    }
    localRoot = resolve(root)
  }

  const cdn = parseCdnUrl(options.cdnUrl, setting('cdnUrl'), isProduction(options.production))

  const prefix = normalizePrefix(options.prefix, setting('prefix'))

  const partSize = options.multipart?.partSize
  if (partSize !== undefined && (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('multipart.partSize'),
      `${partSize} is too small: S3 parts are at least 5 MiB (${MIN_PART_SIZE} bytes)`,
    ])
  }
  const queueSize = options.multipart?.queueSize ?? 4
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('multipart.queueSize'),
      `${queueSize} must be a whole number >= 1`,
    ])
  }

  const cacheControl = options.cacheControl
  if (
    cacheControl !== undefined &&
    (typeof cacheControl !== 'string' || !/^[\x20-\x7e]+$/.test(cacheControl))
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('cacheControl'),
      'expected a header value such as "private, max-age=86400"',
    ])
  }

  return {
    disk,
    store,
    localRoot,
    bucket: options.bucket,
    cacheControl,
    prefix,
    mode: options.mode,
    infersActiveTypes: options.mode === 'public' || options.inlineActiveContent === true,
    visibility: options.mode === 'public' ? 'public' : 'private',
    cdn,
    // The local store keeps no ACLs: access is the edge's behaviors'.
    supportsACL: store === 's3' && (options.supportsACL ?? false),
    partSize,
    queueSize,
  }
}

import { hostUnder } from '../cdn_url.ts'
import { parseDuration, type Duration } from '../duration.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { assertValidObjectKey } from '../object_key.ts'
import { MULTIPART_LIMITS } from '../store/multipart.ts'
import type { DjamazingOptions, MediaViewOptions } from '../types.ts'
import type { InvalidationOptions } from '../invalidation/types.ts'

/*
 * Checks of single settings, each naming the setting that is wrong, so a
 * bad disk fails at boot rather than on its first request.
 */

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
 * `multipart`: an undefined part size lets the store pick one (larger for
 * a known length that would need over 10,000 parts).
 */
export function readMultipart(value: DjamazingOptions['multipart'], setting: string) {
  const partSize = value?.partSize
  const { minPartSize } = MULTIPART_LIMITS
  if (partSize !== undefined && (!Number.isInteger(partSize) || partSize < minPartSize)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.partSize`,
      `${partSize} is too small: S3 parts are at least 5 MiB (${minPartSize} bytes)`,
    ])
  }
  const queueSize = value?.queueSize ?? 2
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.queueSize`,
      `${queueSize} must be a whole number >= 1`,
    ])
  }
  return { partSize, queueSize }
}

/**
 * `cacheControl`: a header value.
 */
export function readCacheControl(value: unknown, setting: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !/^[\x20-\x7e]+$/.test(value))) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      'expected a header value such as "private, max-age=86400"',
    ])
  }
  return value
}

/**
 * The disk's `redirects.mediaViews`, checked, `viewFor` in whole seconds.
 */
export function readMediaViews(value: MediaViewOptions | undefined, setting: string) {
  if (value === undefined) return undefined
  if (
    !Array.isArray(value?.contentTypes) ||
    value.contentTypes.length === 0 ||
    !value.contentTypes.every(
      (type) => typeof type === 'string' && /^[\w.+-]+\/(\*|[\w.+-]+)$/.test(type)
    )
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.contentTypes`,
      'expected content types such as "video/*" or "application/pdf"',
    ])
  }
  return {
    contentTypes: value.contentTypes,
    viewFor: Math.ceil(parseDuration(value.viewFor, `${setting}.viewFor`)),
    bindIp: value.bindIp === true,
  }
}

/**
 * The cookie domain of folder cookies: the browser sends them to the CDN
 * only if the CDN's host is under it.
 */
export function readCookieDomain(domain: unknown, cdnHost: string, setting: string): string {
  if (
    typeof domain !== 'string' ||
    !/^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(
      domain
    ) ||
    !hostUnder(cdnHost, domain)
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `the CDN host "${cdnHost}" must be under the cookie domain, e.g. ".example.com" for cdn.example.com`,
    ])
  }
  return domain
}

/**
 * A window in whole seconds: boundaries are epoch multiples of it.
 */
export function readWindow(value: Duration | undefined, setting: string): number | undefined {
  if (value === undefined) return undefined
  const seconds = parseDuration(value, setting)
  if (!Number.isInteger(seconds)) {
    throw new E_DJAMAZING_INVALID_CONFIG([setting, 'a window is a whole number of seconds'])
  }
  return seconds
}

/**
 * A cache size: a whole number of entries >= 1.
 */
export function readCacheSize(value: number, setting: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new E_DJAMAZING_INVALID_CONFIG([setting, 'expected a whole number of URLs >= 1'])
  }
  return value
}

/**
 * A disk's `invalidation`, checked: limits within CloudFront's, the batch
 * window in milliseconds, the distribution id from the environment when
 * not given.
 */
export type ResolvedInvalidation = NonNullable<ReturnType<typeof readInvalidation>>

/**
 * CloudFront's limits: 3,000 file paths and 15 wildcard paths in
 * progress per distribution (CloudFront Developer Guide, "Concurrent
 * invalidation request maximum").
 */
const CLOUDFRONT_MAX_PATHS = 3000
const CLOUDFRONT_MAX_WILDCARDS = 15

export function readInvalidation(
  value: InvalidationOptions | undefined,
  setting: string,
  credentials: unknown
) {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      "expected { distributionId: env.get('CLOUDFRONT_DISTRIBUTION_ID') }",
    ])
  }
  const distributionId = value.distributionId ?? process.env.CLOUDFRONT_DISTRIBUTION_ID
  if (typeof distributionId !== 'string' || !/^[A-Z0-9]{1,128}$/i.test(distributionId)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.distributionId`,
      distributionId
        ? `"${distributionId}" is not a CloudFront distribution id (like EDFDVBD6EXAMPLE)`
        : 'the id of the CloudFront distribution is missing: set CLOUDFRONT_DISTRIBUTION_ID (like EDFDVBD6EXAMPLE), or pass it',
    ])
  }
  const whole = (name: string, fallback: number, min: number, max: number) => {
    const number = (value as Record<string, unknown>)[name] ?? fallback
    const ok =
      typeof number === 'number' &&
      number >= min &&
      number <= max &&
      (Number.isInteger(number) || number === Infinity)
    if (!ok) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `${setting}.${name}`,
        `${number} must be a whole number from ${min} to ${max}`,
      ])
    }
    return number as number
  }
  if (value.endpoint !== undefined && !URL.canParse(value.endpoint)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.endpoint`,
      `"${value.endpoint}" is not a URL, e.g. the local edge's "http://localhost:3333/cdn"`,
    ])
  }
  return {
    setting,
    distributionId,
    batchWindow: parseDuration(value.batchWindow ?? '1s', `${setting}.batchWindow`) * 1000,
    maxPaths: whole('maxPaths', 1000, 1, CLOUDFRONT_MAX_PATHS),
    maxWildcards: whole('maxWildcards', CLOUDFRONT_MAX_WILDCARDS, 1, CLOUDFRONT_MAX_WILDCARDS),
    wildcardAbove: whole('wildcardAbove', 20, 1, Infinity),
    retries: whole('retries', 8, 1, 100),
    awaitInvalidation: value.awaitInvalidation === true,
    client: value.client,
    endpoint: value.endpoint,
    credentials: value.credentials ?? credentials,
    onEvent: value.onEvent,
    clock: value.clock,
  }
}

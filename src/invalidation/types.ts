import type { Duration } from '../duration.ts'

/**
 * A `CloudFrontClient` of `@aws-sdk/client-cloudfront`, as djamazing calls
 * it (written out so djamazing's types do not need the optional package).
 */
export type CloudFrontClientLike = { send(command: any): Promise<any> }

/**
 * Timers the batching runs on: the real ones by default, a manual clock
 * in tests.
 */
export type InvalidationClock = {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/**
 * A disk's `invalidation` option: CloudFront paths of files that change
 * (overwritten, deleted, moved, copied over), and of their image variants,
 * are invalidated through `CreateInvalidation`, batched. See
 * docs/invalidation.md.
 */
export type InvalidationOptions = {
  /**
   * The distribution that serves the disk's `cdnUrl`, e.g.
   * `EDFDVBD6EXAMPLE`. Default: the `CLOUDFRONT_DISTRIBUTION_ID`
   * environment variable.
   */
  distributionId?: string

  /**
   * A ready `CloudFrontClient`. Default: one made for the disk, with the
   * disk's `credentials` when it has some (else the default AWS chain),
   * `endpoint` and no retries of its own (djamazing retries, see `retries`).
   */
  client?: CloudFrontClientLike

  /**
   * The credentials of the client made for the disk. Default: the disk's
   * own `credentials`, else the default AWS chain (AdonisJS: a disk served
   * by the app's local edge gets placeholder ones, which the edge accepts).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

  /**
   * Where the CloudFront API is: the local edge's URL (the disk's `cdnUrl`
   * served by the app) in development. Default: AWS, or the SDK's
   * `AWS_ENDPOINT_URL_CLOUDFRONT` environment variable.
   */
  endpoint?: string

  /**
   * How long changes are collected before one `CreateInvalidation` is
   * sent: paths changed within it are sent once, together. Default `'1s'`.
   */
  batchWindow?: Duration

  /**
   * File paths in one request, at most 3,000 (CloudFront's limit of files
   * in progress per distribution). Beyond it, folders are invalidated with
   * a wildcard. Default `1000`.
   */
  maxPaths?: number

  /**
   * Wildcard paths in one request, at most 15 (CloudFront's limit of
   * wildcard paths in progress). Default `15`.
   */
  maxWildcards?: number

  /**
   * More files than this changed in one folder within one batch: the
   * folder is invalidated as `/folder/*`, one path (and one path's cost)
   * instead of many. Default `20`; `Infinity` never collapses unless the
   * limits above demand it.
   */
  wildcardAbove?: number

  /**
   * Attempts per request when CloudFront refuses for now (throttling,
   * `TooManyInvalidationsInProgress`, 5xx, network errors), with
   * exponential backoff from 1 s up to 1 min. Default `8`.
   */
  retries?: number

  /**
   * Writes wait until CloudFront accepted the invalidation of their paths,
   * and fail with `E_DJAMAZING_INVALIDATION_FAILED` when it never does.
   * Default `false`: writes never wait or fail for an invalidation; its
   * outcome is reported through `onEvent` (AdonisJS: the app's emitter).
   */
  awaitInvalidation?: boolean

  /**
   * Each request sent, retried or given up.
   */
  onEvent?: (event: InvalidationEvent) => void

  /**
   * Timers (tests).
   */
  clock?: InvalidationClock
}

/**
 * What happened to one `CreateInvalidation` request.
 * - `sent`: CloudFront accepted it (`invalidationId` is its id).
 * - `retrying`: it was refused for now (`error`), and is sent again in `delay` ms.
 * - `failed`: it was given up (`error`: the last refusal).
 */
export type InvalidationEvent = {
  disk: string
  distributionId: string
  /**
   * The paths of the request, wildcards included (`/static/photos/*`).
   */
  paths: string[]
  /**
   * How many file changes it covers (paths before coalescing).
   */
  changes: number
  attempt: number
} & (
  | { outcome: 'sent'; invalidationId: string }
  | { outcome: 'retrying'; delay: number; error: Error }
  | { outcome: 'failed'; error: Error }
)

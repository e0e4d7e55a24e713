import { createRequire } from 'node:module'
import { E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING } from '../errors.ts'
import type { ResolvedInvalidation } from '../disk/settings.ts'
import type { CloudFrontClientLike, InvalidationSender } from './types.ts'

/**
 * `ListInvalidations` of one item: what the doctor sends (it costs nothing).
 */
export type InvalidationLister = (distributionId: string) => Promise<{ quantity: number }>

const require = createRequire(import.meta.url)

/**
 * Throws `E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING` unless
 * `@aws-sdk/client-cloudfront` (an optional peer dependency) can be found:
 * called when a disk with `invalidation` is created, so a missing install
 * fails at boot rather than on the first overwrite.
 */
export function assertCloudFrontClientInstalled(setting: string): void {
  try {
    require.resolve('@aws-sdk/client-cloudfront')
  } catch (error) {
    throw new E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING([setting], { cause: error })
  }
}

/**
 * The CloudFront API calls a disk makes, through `client`, or through a
 * `CloudFrontClient` made on first use (the package is imported then).
 * The client made here does not retry: the invalidator does, on its own
 * clock, and reports each attempt.
 */
export function cloudFrontCalls({ setting, client, endpoint, credentials }: ResolvedInvalidation): {
  create: InvalidationSender
  list: InvalidationLister
} {
  type Sdk = {
    client: CloudFrontClientLike
    Create: new (input: unknown) => unknown
    List: new (input: unknown) => unknown
  }
  let loading: Promise<Sdk> | undefined
  const load = () =>
    (loading ??= import('@aws-sdk/client-cloudfront').then(
      (sdk) => ({
        client:
          client ??
          new sdk.CloudFrontClient({
            // CloudFront's API is global, signed for us-east-1.
            region: 'us-east-1',
            maxAttempts: 1,
            ...(endpoint ? { endpoint } : {}),
            ...(credentials ? { credentials: credentials as never } : {}),
          }),
        Create: sdk.CreateInvalidationCommand as never,
        List: sdk.ListInvalidationsCommand as never,
      }),
      (error) => {
        loading = undefined
        throw new E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING([setting], { cause: error })
      }
    ))
  return {
    async create({ distributionId, paths, callerReference }) {
      const sdk = await load()
      const output = await sdk.client.send(
        new sdk.Create({
          DistributionId: distributionId,
          InvalidationBatch: {
            CallerReference: callerReference,
            Paths: { Quantity: paths.length, Items: [...paths] },
          },
        })
      )
      return { invalidationId: String(output?.Invalidation?.Id ?? '') }
    },
    async list(distributionId) {
      const sdk = await load()
      const output = await sdk.client.send(
        new sdk.List({ DistributionId: distributionId, MaxItems: 1 })
      )
      return { quantity: Number(output?.InvalidationList?.Quantity ?? 0) }
    },
  }
}

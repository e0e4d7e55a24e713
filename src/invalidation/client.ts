import { createRequire } from 'node:module'
import { E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING } from '../errors.ts'
import type { ResolvedInvalidation } from '../disk/settings.ts'
import type { CloudFrontClientLike } from './types.ts'

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
export function cloudFrontCalls(settings: ResolvedInvalidation) {
  const { setting, distributionId, client, endpoint, credentials } = settings
  let made: CloudFrontClientLike | undefined
  const send = async (
    command: 'CreateInvalidationCommand' | 'ListInvalidationsCommand',
    input: object
  ) => {
    const sdk = await import('@aws-sdk/client-cloudfront').catch((error) => {
      throw new E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING([setting], { cause: error })
    })
    made ??=
      client ??
      new sdk.CloudFrontClient({
        // CloudFront's API is global, signed for us-east-1.
        region: 'us-east-1',
        maxAttempts: 1,
        ...(endpoint ? { endpoint } : {}),
        ...(credentials ? { credentials: credentials as never } : {}),
      })
    const Command = sdk[command] as new (input: object) => unknown
    return made.send(new Command(input))
  }
  return {
    /**
     * `CreateInvalidation`, as `@aws-sdk/client-cloudfront` takes and answers it.
     */
    async create(request: { paths: readonly string[]; callerReference: string }) {
      const output = await send('CreateInvalidationCommand', {
        DistributionId: distributionId,
        InvalidationBatch: {
          CallerReference: request.callerReference,
          Paths: { Quantity: request.paths.length, Items: [...request.paths] },
        },
      })
      return { invalidationId: String(output?.Invalidation?.Id ?? '') }
    },
    /**
     * `ListInvalidations` of one item: what the doctor sends (it costs nothing).
     */
    async list(): Promise<{ quantity: number }> {
      const output = await send('ListInvalidationsCommand', {
        DistributionId: distributionId,
        MaxItems: 1,
      })
      return { quantity: Number(output?.InvalidationList?.Quantity ?? 0) }
    },
  }
}

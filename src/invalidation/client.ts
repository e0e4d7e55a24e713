import { createRequire } from 'node:module'
import { E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING } from '../errors.ts'
import type { CloudFrontClientLike, InvalidationSender } from './types.ts'

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

type ClientSettings = {
  endpoint?: string
  credentials?: unknown
}

/**
 * Sends `CreateInvalidation` through `client`, or through a
 * `CloudFrontClient` made on first use (the package is imported then).
 * The client made here does not retry: the invalidator does, on its own
 * clock, and reports each attempt.
 */
export function cloudFrontSender(
  setting: string,
  client: CloudFrontClientLike | undefined,
  settings: ClientSettings
): InvalidationSender {
  let loading: Promise<{ client: CloudFrontClientLike; Command: new (input: unknown) => unknown }>
  const load = () =>
    (loading ??= import('@aws-sdk/client-cloudfront').then(
      (sdk) => ({
        client:
          client ??
          new sdk.CloudFrontClient({
            // CloudFront's API is global, signed for us-east-1.
            region: 'us-east-1',
            maxAttempts: 1,
            ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
            ...(settings.credentials ? { credentials: settings.credentials as never } : {}),
          }),
        Command: sdk.CreateInvalidationCommand as never,
      }),
      (error) => {
        throw new E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING([setting], { cause: error })
      }
    ))
  return async ({ distributionId, paths, callerReference }) => {
    const { client: cloudfront, Command } = await load()
    const output = await cloudfront.send(
      new Command({
        DistributionId: distributionId,
        InvalidationBatch: {
          CallerReference: callerReference,
          Paths: { Quantity: paths.length, Items: [...paths] },
        },
      })
    )
    return { invalidationId: String(output?.Invalidation?.Id ?? '') }
  }
}

import { reasonOf } from './config_checks.ts'
import type { Check } from './types.ts'

const POLICY_FIX =
  'allow cloudfront:CreateInvalidation and cloudfront:ListInvalidations on arn:aws:cloudfront::<account>:distribution/<id> (the DjamazingInvalidation statement of docs/aws-setup.md)'

/**
 * A disk with `invalidation`: may the app invalidate on its distribution?
 * `CreateInvalidation` itself is never sent (an invalidation can cost),
 * so the check sends `ListInvalidations` of one item, which needs the same
 * credentials, the same distribution and an action of the same statement.
 * It proves the first two and `cloudfront:ListInvalidations`, not
 * `cloudfront:CreateInvalidation` (docs/invalidation.md).
 */
export const invalidationCheck: Check = {
  id: 'cdn.invalidation',
  title: 'invalidation: the app may invalidate on the distribution',
  appliesTo: (context) => context.resolved?.invalidation !== undefined,
  async run(context) {
    const invalidation = context.resolved!.invalidation!
    const id = invalidation.distributionId
    try {
      const { quantity } = await invalidation.listOne()
      return {
        status: 'ok',
        message: `ListInvalidations of ${id} answered (${quantity ? 'it has invalidations' : 'none yet'}): the credentials reach CloudFront and may read this distribution's invalidations. CreateInvalidation is not tried, since it could cost: it needs the same statement`,
      }
    } catch (error) {
      const name = (error as Error)?.name
      if (name === 'NoSuchDistribution') {
        return {
          status: 'error',
          diagnosis: 'unknown-distribution',
          message: `CloudFront knows no distribution ${id}: no invalidation of this disk can work`,
          fix: `set CLOUDFRONT_DISTRIBUTION_ID (or ${context.resolved!.setting('invalidation.distributionId')}) to the id of the distribution that serves the disk's cdnUrl`,
        }
      }
      if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        return {
          status: 'error',
          diagnosis: 'invalidation-access-denied',
          message: `the app may not read the invalidations of ${id}: ${reasonOf(error)}. Its invalidations will be refused the same way`,
          fix: POLICY_FIX,
        }
      }
      return {
        status: 'error',
        diagnosis: 'cloudfront-unreachable',
        message: `ListInvalidations of ${id} failed: ${reasonOf(error)}`,
      }
    }
  },
}

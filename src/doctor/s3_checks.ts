import { text } from 'node:stream/consumers'
import { createS3Client } from '../store/s3_client.ts'
import { S3Store } from '../store/s3_store.ts'
import { s3ErrorOf, unlessMissing } from '../store/s3_errors.ts'
import { reasonOf } from './config_checks.ts'
import type { Check, DiskContext } from './types.ts'

function statusOf(error: unknown): number | undefined {
  return s3ErrorOf(error)?.$metadata?.httpStatusCode
}

const isLocalStore = (context: DiskContext) => context.store === 'local'

export function notReachable(context: DiskContext) {
  return {
    status: 'skipped' as const,
    message: isLocalStore(context) ? 'a local store disk' : 'the bucket is not reachable',
  }
}

export const bucketCheck: Check = {
  id: 's3.bucket',
  title: 'S3 bucket',
  async run(context) {
    const { bucket } = context
    if (isLocalStore(context)) {
      return { status: 'skipped', message: 'a local store disk: its files are on this machine' }
    }
    // The disk's own store: the one its driver uses.
    context.objects =
      context.resolved?.objectStore ??
      new S3Store({ client: createS3Client(context.disk.options), bucket })
    try {
      await context.objects.headBucket()
    } catch (error) {
      const status = statusOf(error)
      if (status === 404 || s3ErrorOf(error)?.name === 'NoSuchBucket') {
        return {
          status: 'error',
          diagnosis: 'bucket-not-found',
          message: `the bucket "${bucket}" does not exist (or is in another region / account)`,
          fix: 'check bucket, region and endpoint of the disk; create the bucket if needed',
        }
      }
      if (status === 403) {
        return {
          status: 'error',
          diagnosis: 'bucket-access-denied',
          message: `the disk's credentials may not use the bucket "${bucket}" (403)`,
          fix: 'give the app credentials the policy of docs/aws-setup.md, step 2 (s3:ListBucket on the bucket, s3:GetObject, s3:PutObject, s3:DeleteObject on its objects, and the multipart actions)',
        }
      }
      return {
        status: 'error',
        diagnosis: 's3-unreachable',
        message: `S3 could not be reached: ${reasonOf(error)}`,
        fix: 'check the region, the endpoint and the network',
      }
    }
    context.bucketReachable = true
    return { status: 'ok', message: `"${bucket}" is reachable with the disk's credentials` }
  },
}

export const probeCheck: Check = {
  id: 's3.probe',
  title: 'probe object (write, read back)',
  async run(context) {
    if (!context.write) return { status: 'skipped', message: 'read-only run: nothing written' }
    if (!context.bucketReachable) return notReachable(context)
    const id = context.missingKey.slice(context.missingKey.lastIndexOf('-') + 1)
    const key = `${context.prefix}djamazing-doctor/probe-${id}.txt`
    const body = `djamazing doctor probe ${id}\n`
    try {
      await context.objects!.put(key, body, { contentType: 'text/plain' })
    } catch (error) {
      return {
        status: 'error',
        diagnosis: 'write-denied',
        message: `writing ${key} failed: ${reasonOf(error)}`,
        fix: 'give the app credentials s3:PutObject on the bucket objects, or run with --read-only',
      }
    }
    context.cleanup.push(() => context.objects!.delete(key))
    const read = await context
      .objects!.get(key)
      .then((object) => text(object.body))
      .catch((error: unknown) => error)
    if (read !== body) {
      return {
        status: 'error',
        diagnosis: 'probe-mismatch',
        message: `reading ${key} back did not give what was written${typeof read === 'string' ? '' : `: ${reasonOf(read)}`}`,
        fix: 'with an S3-compatible store, set requestChecksumCalculation and responseChecksumValidation to "WHEN_REQUIRED"',
      }
    }
    context.probe = { key, body }
    return { status: 'ok', message: `${key} written and read back (deleted at the end)` }
  },
}

export const listPermissionCheck: Check = {
  id: 's3.list-permission',
  title: 'a missing object is 404, not 403',
  async run(context) {
    if (!context.bucketReachable) return notReachable(context)
    let found
    try {
      found = await unlessMissing(context.objects!.head(context.missingKey))
    } catch (error) {
      if (statusOf(error) === 403) {
        return {
          status: 'warn',
          diagnosis: 'no-list-permission',
          message:
            'a missing object answers 403 AccessDenied: without s3:ListBucket, S3 hides whether a key exists, so every missing file looks like a permission or signature problem',
          fix: "add s3:ListBucket on the bucket to the app's IAM policy (docs/aws-setup.md, the DjamazingListing statement)",
        }
      }
      return { status: 'error', message: `reading a missing object failed: ${reasonOf(error)}` }
    }
    if (!found) return { status: 'ok', message: 'a missing object answers 404' }
    return { status: 'error', message: `${context.missingKey} unexpectedly exists` }
  },
}

import { S3Client } from '@aws-sdk/client-s3'
import type { S3ConnectionOptions } from '../types.ts'

/**
 * The S3 client of a disk: the one given, or a new one built from the
 * connection settings. Without `credentials` the AWS SDK's default
 * provider chain applies (environment, shared config, instance roles).
 *
 * An `endpoint` means an S3-compatible server (MinIO, s3rver, R2, ...),
 * so that one setting switches a development app from AWS to one: it
 * then defaults to path-style URLs (such servers rarely have a DNS name
 * per bucket), checksums only where required (s3rver, R2 and older MinIO
 * store the aws-chunked framing of streamed uploads instead of the
 * bytes) and region `us-east-1` (the SDK needs one; they ignore it).
 */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  if (options.client) return options.client
  const compatible = Boolean(options.endpoint)
  const required = compatible ? ('WHEN_REQUIRED' as const) : undefined
  return new S3Client({
    region: options.region || (compatible ? 'us-east-1' : undefined),
    endpoint: options.endpoint || undefined,
    forcePathStyle: options.forcePathStyle ?? (compatible ? true : undefined),
    credentials: options.credentials,
    requestChecksumCalculation: options.requestChecksumCalculation ?? required,
    responseChecksumValidation: options.responseChecksumValidation ?? required,
    maxAttempts: options.maxAttempts,
    requestHandler: options.requestHandler,
  })
}

import { S3Client } from '@aws-sdk/client-s3'
import type { S3ConnectionOptions } from '../types.ts'

/**
 * The S3 client of a disk: the one given, or a new one built from the
 * connection settings. Without `credentials` the AWS SDK's default
 * provider chain applies (environment, shared config, instance roles).
 */
export function createS3Client(options: S3ConnectionOptions): S3Client {
  if (options.client) return options.client
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    requestChecksumCalculation: options.requestChecksumCalculation,
    responseChecksumValidation: options.responseChecksumValidation,
    maxAttempts: options.maxAttempts,
    requestHandler: options.requestHandler,
  })
}

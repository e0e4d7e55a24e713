import { S3Client } from '@aws-sdk/client-s3'
import type { CdnBase } from '../cdn_url.ts'
import type { S3ConnectionOptions } from '../types.ts'
import { LocalStore } from './local_store.ts'
import { uploadSigningKey } from './local_upload_url.ts'
import type { MultipartSettings } from './multipart.ts'
import { S3Store } from './s3_store.ts'
import type { ObjectStore } from './types.ts'

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

export type CreateStoreOptions = {
  bucket: string
  /**
   * Multipart settings of the S3 store (`putStream`).
   */
  multipart?: Partial<MultipartSettings>
  /**
   * Copies of larger objects use UploadPartCopy (default 5 GiB).
   */
  copyThreshold?: number
} & (
  | { s3: S3ConnectionOptions; local?: undefined }
  | {
      s3?: undefined
      local: {
        /**
         * The absolute folder the buckets are kept in.
         */
        root: string
        /**
         * Upload URLs point at the local edge under `cdn`, signed with a
         * key derived from `uploadSecret`; `uploadSecretSetting` names it
         * in errors.
         */
        cdn: CdnBase
        uploadSecret?: string
        uploadSecretSetting: string
      }
    }
)

/**
 * A disk's object store: one per disk, built once, with one S3 client.
 */
export function createStore(options: CreateStoreOptions): ObjectStore {
  if (options.local) {
    const { root, cdn, uploadSecret, uploadSecretSetting } = options.local
    return new LocalStore({
      root,
      bucket: options.bucket,
      uploadSecretSetting,
      uploadUrls: uploadSecret
        ? { cdn, key: uploadSigningKey(uploadSecret, uploadSecretSetting) }
        : undefined,
    })
  }
  return new S3Store({
    client: createS3Client(options.s3),
    bucket: options.bucket,
    copyThreshold: options.copyThreshold,
    ...options.multipart,
  })
}

import type { Stats } from 'node:fs'
import { join } from 'node:path'
import { E_DJAMAZING_INVALID_CONFIG, E_DJAMAZING_INVALID_KEY } from '../errors.ts'
import { contentTypeFor } from '../s3/content_type.ts'

/**
 * S3's bucket naming rules: 3 to 63 lower-case letters, digits, `.` and
 * `-`, starting and ending with a letter or digit. In the local store a
 * bucket is a folder name, so the rules also keep it one plain folder.
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function assertLocalBucketName(bucket: string, setting: string) {
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `"${bucket}" is not a bucket name: 3 to 63 lower-case letters, digits, "." and "-", e.g. "my-app-dev" (in the local store it is a folder name)`,
    ])
  }
}

/**
 * The folder of a bucket in the local store.
 */
export function bucketFolder(root: string, bucket: string): string {
  return join(root, bucket)
}

/**
 * The file of an object. The key was checked with `assertValidObjectKey`
 * (no `.` or `..` segment, no leading `/`, no `\`), so the file is always
 * inside the bucket's folder. A key ending with `/` is a valid S3 key but
 * cannot be a file name.
 */
export function objectFile(bucketDir: string, objectKey: string): string {
  if (objectKey.endsWith('/')) {
    throw new E_DJAMAZING_INVALID_KEY([
      objectKey,
      'the local store keeps objects as files, so a key cannot end with "/"',
    ])
  }
  return join(bucketDir, ...objectKey.split('/'))
}

/**
 * The metadata of a stored file, the same for the driver and the local
 * edge: the content type guessed from the key's extension (the file
 * system keeps no headers), and a strong ETag from size and modification time.
 */
export function fileMetadata(objectKey: string, stats: Stats) {
  return {
    contentType: contentTypeFor(objectKey) ?? 'application/octet-stream',
    contentLength: stats.size,
    etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
    lastModified: stats.mtime,
  }
}

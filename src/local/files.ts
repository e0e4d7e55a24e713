import type { Stats } from 'node:fs'
import { readdir } from 'node:fs/promises'
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

/**
 * How a case-insensitive, normalising file system sees a name.
 */
const folded = (name: string) => name.normalize('NFC').toLowerCase()

/**
 * Refuses a key the file system might merge with another: on macOS and
 * Windows (by default) names differing only by case or Unicode
 * normalisation are one file, so such a key would overwrite another
 * object that S3 keeps apart. Checked on every machine, whatever its file
 * system, so that the local store behaves the same everywhere: keys must
 * be NFC, and no segment may differ from a stored sibling only by case.
 * Run before a file is written.
 */
export async function assertKeptApart(bucketDir: string, objectKey: string): Promise<void> {
  if (objectKey !== objectKey.normalize('NFC')) {
    throw new E_DJAMAZING_INVALID_KEY([
      objectKey,
      'the local store keeps keys in Unicode NFC (a file system may merge other forms with it): normalize the key with key.normalize("NFC")',
    ])
  }
  let folder = bucketDir
  let path = ''
  for (const segment of objectKey.split('/')) {
    let names: string[]
    try {
      names = await readdir(folder)
    } catch {
      return
    }
    // A stored name in another normalisation is the same key on a
    // normalising file system (it may list NFD names): not a twin.
    const twin = names.find(
      (name) => name.normalize('NFC') !== segment && folded(name) === folded(segment)
    )
    if (twin !== undefined) {
      throw new E_DJAMAZING_INVALID_KEY([
        objectKey,
        `it differs from the stored "${path}${twin}" only by case: the local store keeps objects as files, and case-insensitive file systems (macOS, Windows) would make them one`,
      ])
    }
    path += `${segment}/`
    folder = join(folder, segment)
  }
}

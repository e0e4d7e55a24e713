import debug from '../debug.ts'
import { parseDuration } from '../duration.ts'
import { E_DJAMAZING_INVALID_ARGUMENT } from '../errors.ts'
import { s3ErrorOf } from '../store/s3_errors.ts'
import type { ObjectStore } from '../store/types.ts'
import type { PruneUploadsOptions } from './types.ts'

/**
 * Aborts a multipart upload; one already gone (completed, aborted, or
 * expired by a lifecycle rule) is not an error.
 */
export async function abortQuietly(store: ObjectStore, key: string, uploadId: string) {
  await store.abortMultipart(key, uploadId).catch((error) => {
    if (s3ErrorOf(error)?.name !== 'NoSuchUpload') throw error
  })
}

/**
 * Deletes pending uploads (under `prefix`, the pending prefix in the
 * bucket) stored longer ago than `olderThan`, and aborts multipart uploads
 * started that long ago; confirmed files are never under the pending
 * prefix, so never touched. Returns the object keys deleted or aborted.
 */
export async function prunePending(
  store: ObjectStore,
  prefix: string,
  options: PruneUploadsOptions = {}
): Promise<string[]> {
  const olderThan = parseDuration(
    options.olderThan ?? '1d',
    'olderThan',
    E_DJAMAZING_INVALID_ARGUMENT
  )
  const cutoff = (options.now ?? new Date()).getTime() - olderThan * 1000
  const old: string[] = []
  let token: string | undefined
  do {
    const page = await store.list({ prefix, token })
    for (const object of page.objects) {
      if (object.lastModified.getTime() < cutoff) old.push(object.key)
    }
    token = page.token
  } while (token)
  if (old.length > 0) await store.deleteMany(old)
  // Multipart uploads started before the cutoff and never completed:
  // their parts are stored (and billed) though no object lists them.
  for (const upload of await store.listMultipartUploads(prefix)) {
    if (upload.initiated.getTime() >= cutoff) continue
    await abortQuietly(store, upload.key, upload.uploadId)
    old.push(upload.key)
  }
  debug('pruneUploads %s:%s deleted %d', store.bucket, prefix, old.length)
  return old
}

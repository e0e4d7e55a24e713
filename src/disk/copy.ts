import type { WriteOptions } from 'flydrive/types'
import debug from '../debug.ts'
import { objectWrite, replacesMetadata } from '../store/object_write.ts'
import { storeCall } from '../store/store_call.ts'
import type { ResolvedDisk } from './resolve_disk.ts'
import { visibilityOf } from './visibility.ts'

/**
 * Copies `source` to `destination` within the disk's bucket, keeping the
 * source's metadata unless `options` set some (then they replace all of
 * it, as S3 does). With ACLs the copy gets the source's visibility unless
 * `options` name one: S3 would otherwise give it the bucket's default.
 */
export async function copyObject(
  disk: ResolvedDisk,
  source: string,
  destination: string,
  options?: WriteOptions
): Promise<void> {
  const sourceKey = disk.objectKey(source)
  const destinationKey = disk.objectKey(destination)
  debug('copy %s %s:%s to %s', disk.name, disk.bucket, sourceKey, destinationKey)
  let visibility = options?.visibility
  if (disk.supportsACL && !visibility) visibility = await visibilityOf(disk, source)
  const write = replacesMetadata(options)
    ? objectWrite(destinationKey, { ...options, visibility }, disk)
    : undefined
  const acl = disk.supportsACL ? objectWrite(destinationKey, { visibility }, disk).acl : undefined
  await storeCall(disk, 'copy', sourceKey, () =>
    disk.objectStore.copy(sourceKey, destinationKey, { write, acl })
  )
}

import type { ObjectVisibility } from 'flydrive/types'
import { E_DJAMAZING_VISIBILITY_FIXED } from '../errors.ts'
import { storeCall } from '../store/store_call.ts'
import type { ResolvedDisk } from './resolve_disk.ts'

/**
 * The disk's mode when ACLs are off (no request is made: access is the
 * bucket policy's and CloudFront's, the same for every object); the
 * object's ACL otherwise.
 */
export async function visibilityOf(disk: ResolvedDisk, key: string): Promise<ObjectVisibility> {
  const objectKey = disk.objectKey(key)
  if (!disk.supportsACL) return disk.visibility
  const isPublic = await storeCall(disk, 'getVisibility', objectKey, () =>
    disk.objectStore.isPublic(objectKey)
  )
  return isPublic ? 'public' : 'private'
}

/**
 * Sets the object's ACL when the disk uses ACLs. Without ACLs, asking for
 * the disk's own visibility is a no-op and asking for the other one
 * fails: flydrive's S3 driver ignores it silently, which would leave a
 * file someone meant to hide publicly readable.
 */
export async function setVisibilityOf(
  disk: ResolvedDisk,
  key: string,
  visibility: ObjectVisibility
): Promise<void> {
  const objectKey = disk.objectKey(key)
  if (!disk.supportsACL) {
    if (visibility === disk.visibility) return
    throw new E_DJAMAZING_VISIBILITY_FIXED([key, visibility, disk.name, disk.visibility])
  }
  const acl = visibility === 'public' ? 'public-read' : 'private'
  await storeCall(disk, 'setVisibility', objectKey, () => disk.objectStore.setAcl(objectKey, acl))
}

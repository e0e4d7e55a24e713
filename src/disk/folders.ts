import { basename } from 'node:path/posix'
import { DriveDirectory, DriveFile } from 'flydrive'
import type { DriverContract, ObjectMetaData } from 'flydrive/types'
import { assertValidObjectKey } from '../object_key.ts'
import { storeCall } from '../store/store_call.ts'
import type { ObjectStore } from '../store/types.ts'
import type { ResolvedDisk } from './resolve_disk.ts'

/**
 * The key prefix of a folder of the disk, for a listing or deleteAll: ""
 * (or "/") is the whole disk, anything else is a folder. flydrive's S3
 * driver matches raw prefixes, so deleteAll("user1") would also delete
 * "user10/..."; here it only reaches "user1/...".
 */
export function folderKeyOf(disk: ResolvedDisk, prefix: string): string {
  if (prefix === '' || prefix === '/') return disk.prefix
  assertValidObjectKey(prefix)
  return disk.objectKey(prefix.endsWith('/') ? prefix : `${prefix}/`)
}

/**
 * Deletes every object under `folderKey`, 1,000 keys per request.
 */
export async function deleteFolder(store: ObjectStore, folderKey: string): Promise<void> {
  let token: string | undefined
  do {
    const page = await store.list({ prefix: folderKey, token, maxKeys: 1000 })
    await store.deleteMany(page.objects.map((object) => object.key))
    token = page.token
  } while (token)
}

/**
 * `listAll`'s options: flydrive's, and `maxResults` as its S3 driver takes it.
 */
export type ListAllOptions = { recursive?: boolean; paginationToken?: string; maxResults?: number }

/**
 * One page of a folder's listing (at most `maxResults`, default 1,000);
 * not recursive: the files and folders directly inside; recursive: every
 * file below.
 */
export async function listFolder(
  disk: ResolvedDisk,
  prefix: string,
  options: ListAllOptions | undefined,
  driver: DriverContract
) {
  const folderKey = folderKeyOf(disk, prefix)
  const page = await storeCall(disk, 'listAll', folderKey, () =>
    disk.objectStore.list({
      prefix: folderKey,
      delimiter: options?.recursive ? undefined : '/',
      token: options?.paginationToken,
      maxKeys: options?.maxResults,
    })
  )
  const diskKey = (objectKey: string) => objectKey.slice(disk.prefix.length)
  return {
    paginationToken: page.token,
    objects: [
      // A common prefix ("folder") without its trailing slash, as
      // flydrive's S3 driver yields it.
      ...page.prefixes.map((folder) => new DriveDirectory(diskKey(folder).replace(/\/$/, ''))),
      ...page.objects.map((object) =>
        driveFileFor(diskKey(object.key), driver, {
          contentLength: object.size,
          etag: object.etag,
          lastModified: object.lastModified,
        })
      ),
    ],
  }
}

/**
 * A listed object as flydrive's `DriveFile`, under its exact key.
 *
 * `DriveFile`'s constructor runs flydrive's key normalizer, which throws on
 * keys outside `[A-Za-z0-9-_!/.\s]` and silently rewrites others (`a  b`
 * becomes `a b`, another object). Listing a bucket must neither crash on a
 * `café.jpg` nor point at the wrong object, so the file is made with a
 * placeholder and then given the real key, which its methods read.
 */
function driveFileFor(key: string, driver: DriverContract, metaData: ObjectMetaData) {
  const file = new DriveFile('listed-object', driver, metaData)
  file.key = key
  file.name = basename(key)
  return file
}

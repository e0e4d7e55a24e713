import { basename } from 'node:path/posix'
import { DriveDirectory, DriveFile } from 'flydrive'
import type { DriverContract, ObjectMetaData } from 'flydrive/types'

/**
 * A listed object as flydrive's `DriveFile`, under its exact key.
 *
 * `DriveFile`'s constructor runs flydrive's key normalizer, which throws on
 * keys outside `[A-Za-z0-9-_!/.\s]` and silently rewrites others (`a  b`
 * becomes `a b`, another object). Listing a bucket must neither crash on a
 * `café.jpg` nor point at the wrong object, so the file is made with a
 * placeholder and then given the real key, which its methods read.
 */
export function driveFileFor(key: string, driver: DriverContract, metaData: ObjectMetaData) {
  const file = new DriveFile('listed-object', driver, metaData)
  file.key = key
  file.name = basename(key)
  return file
}

/**
 * A common prefix ("folder") of a non-recursive listing, without its
 * trailing slash, as flydrive's S3 driver yields it.
 */
export function driveDirectoryFor(prefix: string) {
  return new DriveDirectory(prefix.replace(/\/$/, ''))
}

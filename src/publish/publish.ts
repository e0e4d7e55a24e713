import { createReadStream } from 'node:fs'
import type { DriverContract } from 'flydrive/types'
import { E_DJAMAZING_INVALID_ARGUMENT } from '../errors.ts'
import { readFolder, type FolderFile } from './folder.ts'

/**
 * Where a publish records the checksum of every file it uploaded, under
 * the prefix: the next run uploads only what changed. A record of its
 * own, because stores disagree on ETags (an S3 multipart upload's is not
 * the file's MD5) and listing objects with their metadata costs a
 * request per object.
 */
export const PUBLISH_RECORD = '.djamazing-publish.json'

type PublishRecord = { files: Record<string, string> }

export type PublishOptions = {
  /**
   * Key prefix inside the disk, e.g. `assets/`; default none.
   */
  prefix?: string
  /**
   * Cache-Control of files without a content hash in their name.
   * Default `public, max-age=300`: a changed `robots.txt` reaches
   * everyone within five minutes.
   */
  shortCacheControl?: string
  /**
   * Delete objects under the prefix whose file is gone from the folder.
   */
  deleteRemoved?: boolean
  /**
   * Say what would be done, and do nothing.
   */
  dryRun?: boolean
  /**
   * Called as each upload or deletion ends (before it starts in a dry run).
   */
  onProgress?: (event: PublishEvent) => void
}

export type PublishEvent = {
  action: 'upload' | 'delete'
  key: string
  done: number
  total: number
}

export type PublishResult = {
  uploaded: string[]
  unchanged: string[]
  deleted: string[]
}

function normalizedPrefix(prefix: string | undefined): string {
  const value = (prefix ?? '').replace(/^\/+/, '')
  if (value === '') return ''
  if (value.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new E_DJAMAZING_INVALID_ARGUMENT([
      'prefix',
      `"${prefix}" has a "." or ".." segment, which is not a folder in a bucket`,
    ])
  }
  return value.endsWith('/') ? value : `${value}/`
}

async function readRecord(driver: DriverContract, key: string): Promise<PublishRecord> {
  if (!(await driver.exists(key))) return { files: {} }
  try {
    const record = JSON.parse(await driver.get(key)) as PublishRecord
    return typeof record?.files === 'object' && record.files ? record : { files: {} }
  } catch {
    // An unreadable record only costs a full upload.
    return { files: {} }
  }
}

async function existingKeys(driver: DriverContract, prefix: string): Promise<Set<string>> {
  const { objects } = await driver.listAll(prefix, { recursive: true })
  return new Set(Array.from(objects).flatMap((object) => (object.isFile ? [object.key] : [])))
}

/**
 * Publishes a folder (e.g. `public/`, or Vite's build output) to a disk:
 * each file as `<prefix><path>`, with its content type, long immutable
 * caching for names with a content hash and short caching for the rest.
 * Only files that are new or whose checksum changed since the last
 * publish (or whose object is missing) are uploaded; with
 * `deleteRemoved`, objects under the prefix whose file is gone are
 * deleted.
 */
export async function publishFolder(
  driver: DriverContract,
  folder: string,
  options: PublishOptions = {}
): Promise<PublishResult> {
  const prefix = normalizedPrefix(options.prefix)
  const recordKey = `${prefix}${PUBLISH_RECORD}`
  const files = await readFolder(folder, {
    shortCacheControl: options.shortCacheControl ?? 'public, max-age=300',
  })
  const [record, existing] = await Promise.all([
    readRecord(driver, recordKey),
    existingKeys(driver, prefix),
  ])

  const keyOf = (file: FolderFile) => `${prefix}${file.path}`
  const changed = files.filter(
    (file) => record.files[file.path] !== file.sha256 || !existing.has(keyOf(file))
  )
  const wanted = new Set(files.map(keyOf))
  const removed = options.deleteRemoved
    ? [...existing].filter((key) => key !== recordKey && !wanted.has(key)).sort()
    : []
  const total = changed.length + removed.length
  let done = 0
  const report = (action: PublishEvent['action'], key: string) =>
    options.onProgress?.({ action, key, done: ++done, total })

  if (options.dryRun) {
    for (const file of changed) report('upload', keyOf(file))
    for (const key of removed) report('delete', key)
  } else {
    // A few at a time: uploads wait on the network, not on this process.
    const queue = changed.values()
    const uploader = async () => {
      for (const file of queue) {
        await driver.putStream(keyOf(file), createReadStream(file.file), {
          contentType: file.contentType,
          cacheControl: file.cacheControl,
          contentLength: file.size,
        })
        report('upload', keyOf(file))
      }
    }
    await Promise.all(Array.from({ length: 4 }, uploader))
    for (const key of removed) {
      await driver.delete(key)
      report('delete', key)
    }
    // Written last: a run cut short leaves the old record, and the next
    // run uploads again what this one may not have finished.
    if (total > 0 || !existing.has(recordKey)) {
      // Every file of the folder: one gone from it but kept in the store
      // (no `deleteRemoved`) is uploaded again if it comes back.
      const checksums = Object.fromEntries(files.map((file) => [file.path, file.sha256]))
      await driver.put(recordKey, JSON.stringify({ files: checksums }, null, 2), {
        contentType: 'application/json',
        cacheControl: 'no-store',
      })
    }
  }

  const uploaded = new Set(changed)
  return {
    uploaded: changed.map(keyOf),
    unchanged: files.filter((file) => !uploaded.has(file)).map(keyOf),
    deleted: removed,
  }
}

import { constants, mkdirSync, type Stats } from 'node:fs'
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { FSDriver } from 'flydrive/drivers/fs'
import type { ObjectMetaData } from 'flydrive/types'
import { E_DJAMAZING_OBJECT_NOT_FOUND, E_DJAMAZING_S3_REQUEST_FAILED } from '../errors.ts'
import { assertKeptApart, bucketFolder, fileMetadata, objectFile } from './files.ts'

/**
 * One page of a listing: folders end with "/", keys are full object keys.
 */
export type LocalListing = {
  folders: string[]
  files: { key: string; metaData: ObjectMetaData }[]
  paginationToken?: string
}

function isMissing(error: unknown) {
  const code = (error as NodeJS.ErrnoException)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * The objects of one bucket of the local store, kept as files by
 * flydrive's own `FSDriver` under `<root>/<bucket>/`. The driver hands it
 * full object keys (prefix included, already validated); failures become
 * the same named errors as on S3.
 */
export class LocalStore {
  readonly folder: string
  #bucket: string
  #files: FSDriver

  constructor(root: string, bucket: string) {
    this.#bucket = bucket
    this.folder = bucketFolder(root, bucket)
    // The bucket exists from the start, as one created in S3 does: the
    // edge then tells a missing object from a missing bucket.
    mkdirSync(this.folder, { recursive: true })
    this.#files = new FSDriver({ location: this.folder, visibility: 'private' })
  }

  async #run<T>(operation: string, objectKey: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (isMissing(error)) {
        throw new E_DJAMAZING_OBJECT_NOT_FOUND([objectKey, this.#bucket], { cause: error })
      }
      throw new E_DJAMAZING_S3_REQUEST_FAILED(
        [operation, objectKey, `local store: ${(error as Error).message}`],
        { cause: error }
      )
    }
  }

  async #stat(operation: string, objectKey: string): Promise<Stats> {
    const stats = await this.#run(operation, objectKey, () =>
      stat(objectFile(this.folder, objectKey))
    )
    if (!stats.isFile()) throw new E_DJAMAZING_OBJECT_NOT_FOUND([objectKey, this.#bucket])
    return stats
  }

  async exists(objectKey: string): Promise<boolean> {
    objectFile(this.folder, objectKey)
    return this.#files.exists(objectKey)
  }

  get(objectKey: string): Promise<string> {
    objectFile(this.folder, objectKey)
    return this.#run('get', objectKey, () => this.#files.get(objectKey))
  }

  getBytes(objectKey: string): Promise<Uint8Array> {
    objectFile(this.folder, objectKey)
    return this.#run('getBytes', objectKey, () => this.#files.getBytes(objectKey))
  }

  /**
   * Fails now for a missing object, as on S3 (a file stream would only
   * fail once read).
   */
  async getStream(objectKey: string): Promise<Readable> {
    await this.#stat('getStream', objectKey)
    return this.#files.getStream(objectKey)
  }

  async getMetaData(objectKey: string): Promise<ObjectMetaData> {
    return fileMetadata(objectKey, await this.#stat('getMetaData', objectKey))
  }

  async put(objectKey: string, contents: string | Uint8Array): Promise<void> {
    objectFile(this.folder, objectKey)
    await assertKeptApart(this.folder, objectKey)
    return this.#run('put', objectKey, () => this.#files.put(objectKey, contents))
  }

  async putStream(objectKey: string, contents: Readable): Promise<void> {
    objectFile(this.folder, objectKey)
    await assertKeptApart(this.folder, objectKey)
    return this.#run('putStream', objectKey, () => this.#files.putStream(objectKey, contents))
  }

  async copy(sourceKey: string, destinationKey: string): Promise<void> {
    await this.#stat('copy', sourceKey)
    objectFile(this.folder, destinationKey)
    await assertKeptApart(this.folder, destinationKey)
    return this.#run('copy', sourceKey, () => this.#files.copy(sourceKey, destinationKey))
  }

  /**
   * Copies only if the destination is no file yet (the file system's
   * exclusive create: one of many concurrent copies wins): false if it is.
   */
  async copyIfAbsent(sourceKey: string, destinationKey: string): Promise<boolean> {
    await this.#stat('copy', sourceKey)
    const destination = objectFile(this.folder, destinationKey)
    await assertKeptApart(this.folder, destinationKey)
    return this.#run('copy', sourceKey, async () => {
      await mkdir(dirname(destination), { recursive: true })
      try {
        await copyFile(objectFile(this.folder, sourceKey), destination, constants.COPYFILE_EXCL)
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
        throw error
      }
    })
  }

  delete(objectKey: string): Promise<void> {
    objectFile(this.folder, objectKey)
    return this.#run('delete', objectKey, () => this.#files.delete(objectKey))
  }

  /**
   * Removes a folder ("" is the whole bucket, which stays, empty).
   */
  async deleteAll(folderKey: string): Promise<void> {
    await this.#run('deleteAll', folderKey, () => this.#files.deleteAll(folderKey))
    mkdirSync(this.folder, { recursive: true })
  }

  /**
   * A folder's entries in key order, as S3 lists them, one page of
   * `maxResults` at a time (the token is the last key of the page).
   */
  async listAll(
    folderKey: string,
    options: { recursive: boolean; paginationToken?: string; maxResults?: number }
  ): Promise<LocalListing> {
    // Read here rather than with FSDriver#listAll, whose DriveFile
    // objects run flydrive's key normalizer: it throws on "café.jpg".
    const folder = folderKey === '' ? this.folder : objectFile(this.folder, folderKey.slice(0, -1))
    const dirents = await this.#run('listAll', folderKey, async () => {
      try {
        return await readdir(folder, { recursive: options.recursive, withFileTypes: true })
      } catch (error) {
        if (isMissing(error)) return []
        throw error
      }
    })
    const after = options.paginationToken
      ? Buffer.from(options.paginationToken, 'base64url').toString()
      : undefined
    const entries = dirents
      .filter((entry) => entry.isFile() || (!options.recursive && entry.isDirectory()))
      .map((entry) => {
        const key = relative(this.folder, join(entry.parentPath, entry.name)).split(sep).join('/')
        return entry.isFile() ? { key, file: true } : { key: `${key}/`, file: false }
      })
      .filter((entry) => after === undefined || entry.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    const page = entries.slice(0, options.maxResults ?? 1000)
    const result: LocalListing = { folders: [], files: [] }
    for (const entry of page) {
      if (!entry.file) result.folders.push(entry.key)
      else result.files.push({ key: entry.key, metaData: await this.getMetaData(entry.key) })
    }
    if (page.length < entries.length) {
      result.paginationToken = Buffer.from(page[page.length - 1].key).toString('base64url')
    }
    return result
  }
}

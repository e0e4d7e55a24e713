import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, type Stats } from 'node:fs'
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
  type FileHandle,
} from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { E_DJAMAZING_INVALID_CONFIG, E_DJAMAZING_INVALID_KEY } from '../errors.ts'
import { assertValidObjectKey } from '../object_key.ts'
import { contentTypeFor } from './content_type.ts'
import { s3Error } from './s3_errors.ts'
import type { ObjectWrite, StoredObject } from './types.ts'

/*
 * How the local store keeps an object: its bytes in `<root>/<bucket>/<key>`
 * (a plain file, as it was written), and what S3 keeps with it in a
 * record under `<root>/.state/meta/<bucket>/`, named by the key's
 * SHA-256 (no key can collide with another's record or with a file).
 *
 * Atomic without locks between processes: bytes and record are written to
 * temporary files first; the record names the inode of its bytes, and
 * keeps the record of the bytes it replaces. The record is moved into
 * place, then the bytes. A reader opens the bytes and takes the record
 * entry of their inode: before the bytes move it still finds the old
 * entry, after it the new one, so it never pairs bytes with another
 * write's metadata. A failed write removes its temporary files; the
 * previous object stays whole.
 */

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
 * What the record keeps of one version of an object.
 */
export type ObjectRecord = Omit<StoredObject, 'key' | 'lastModified' | 'expires'> & {
  ino: number
  expires?: string
}

/**
 * What was received of a write: its length, MD5 and base64 SHA-256.
 */
export type Received = { size: number; md5: Buffer; sha256: string }

/**
 * Bytes per read and write when the store copies its own files (a copy, a
 * completed multipart upload): one buffer reused, so a 300 MB copy takes a
 * fraction of a second, where a stream's fresh chunks took seconds.
 */
const COPY_CHUNK = 8 * 1024 ** 2

/**
 * Writes stored files (open, or by path) one after the other into `file`,
 * as they are: their bytes were hashed when they were received, and their
 * records or parts keep those checksums. Gives the size written.
 */
async function copyFiles(file: string, sources: (FileHandle | string)[]): Promise<number> {
  const buffer = Buffer.allocUnsafe(COPY_CHUNK)
  const output = await open(file, 'w')
  let size = 0
  try {
    for (const source of sources) {
      const input = typeof source === 'string' ? await open(source, 'r') : source
      try {
        for (let position = 0; ;) {
          const { bytesRead } = await input.read(buffer, 0, buffer.length, position)
          if (bytesRead === 0) break
          for (let done = 0; done < bytesRead;) {
            const { bytesWritten } = await output.write(buffer, done, bytesRead - done)
            done += bytesWritten
          }
          position += bytesRead
          size += bytesRead
        }
      } finally {
        if (input !== source) await input.close()
      }
    }
  } finally {
    await output.close()
  }
  return size
}

/**
 * How a case-insensitive, normalising file system sees a name.
 */
const folded = (name: string) => name.normalize('NFC').toLowerCase()

/**
 * Undefined for a file system error saying there is no such file (a
 * `.catch` handler); any other error is thrown on.
 */
export function undefinedIfMissing(error: unknown): undefined {
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined
  throw error
}

/**
 * The folders of one bucket of the local store.
 */
export class BucketFiles {
  readonly folder: string
  readonly #meta: string
  readonly #incoming: string
  readonly uploads: string
  /**
   * Commits in this process, by key: one at a time per key, so two writes
   * of one key never interleave their two renames.
   */
  #commits = new Map<string, Promise<unknown>>()

  // A plain field, not a parameter property: Node's own type stripping
  // (the large-stream test's child process) refuses those.
  readonly createsBucket: boolean

  constructor(root: string, bucket: string, createsBucket = true) {
    this.createsBucket = createsBucket
    this.folder = join(root, bucket)
    const own = join(root, '.state')
    this.#meta = join(own, 'meta', bucket)
    this.#incoming = join(own, 'incoming')
    this.uploads = join(own, 'uploads', bucket)
  }

  /**
   * The file of an object. The key passes `assertValidObjectKey` (no `.`
   * or `..` segment, no leading `/`, no `\`), so the file is always inside
   * the bucket's folder. A key ending with `/` is a valid S3 key but
   * cannot be a file name.
   */
  file(key: string): string {
    // Again here, whoever calls: a key must never leave the bucket's folder.
    assertValidObjectKey(key)
    if (key.endsWith('/')) {
      throw new E_DJAMAZING_INVALID_KEY([
        key,
        'the local store keeps objects as files, so a key cannot end with "/"',
      ])
    }
    return join(this.folder, ...key.split('/'))
  }

  /**
   * Refuses a key the file system might merge with another: on macOS and
   * Windows (by default) names differing only by case or Unicode
   * normalisation are one file, so such a key would overwrite another
   * object that S3 keeps apart. Checked on every machine, whatever its file
   * system, so that the local store behaves the same everywhere: keys must
   * be NFC, and no segment may differ from a stored sibling only by case.
   * Run before a file is written.
   */
  async assertKeptApart(key: string): Promise<void> {
    this.file(key)
    if (key !== key.normalize('NFC')) {
      throw new E_DJAMAZING_INVALID_KEY([
        key,
        'the local store keeps keys in Unicode NFC (a file system may merge other forms with it): normalize the key with key.normalize("NFC")',
      ])
    }
    // Every folder of the key's path is read at once (one wait, not one
    // per segment); a missing one ends the check, as nothing below it is.
    const segments = key.split('/')
    const listings = await Promise.all(
      segments.map((_, depth) =>
        readdir(join(this.folder, ...segments.slice(0, depth))).catch(() => undefined)
      )
    )
    for (const [depth, segment] of segments.entries()) {
      const names = listings[depth]
      if (!names) return
      // A stored name in another normalisation is the same key on a
      // normalising file system (it may list NFD names): not a twin.
      const twin = names.find(
        (name) => name.normalize('NFC') !== segment && folded(name) === folded(segment)
      )
      if (twin !== undefined) {
        const path = [...segments.slice(0, depth), ''].join('/')
        throw new E_DJAMAZING_INVALID_KEY([
          key,
          `it differs from the stored "${path}${twin}" only by case: the local store keeps objects as files, and case-insensitive file systems (macOS, Windows) would make them one`,
        ])
      }
    }
  }

  #recordFile(key: string) {
    return join(this.#meta, `${createHash('sha256').update(key).digest('hex')}.json`)
  }

  async #records(key: string): Promise<ObjectRecord[]> {
    const text = await readFile(this.#recordFile(key), 'utf8').catch(() => undefined)
    if (text === undefined) return []
    try {
      return JSON.parse(text) as ObjectRecord[]
    } catch {
      return []
    }
  }

  /**
   * The object as stored: its record, or for a file the store did not
   * write (dropped into the folder by hand), the type guessed from its
   * name and an ETag from size and time.
   */
  async describe(key: string, stats: Stats): Promise<StoredObject> {
    const records = await this.#records(key)
    const record = records.find((entry) => entry.ino === stats.ino)
    if (record && record.size === stats.size) {
      const { ino, ...stored } = record
      return { ...stored, key, lastModified: stats.mtime }
    }
    return {
      key,
      size: stats.size,
      etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
      lastModified: stats.mtime,
      contentType: contentTypeFor(key) ?? 'application/octet-stream',
      metadata: {},
    }
  }

  /**
   * Stats of the object's file; undefined when there is none (or a folder).
   */
  async stat(key: string): Promise<Stats | undefined> {
    // A key ending with "/" is a valid S3 key that no file can hold: like
    // any key with no object, missing (S3 answers 404 for it too).
    if (key.endsWith('/')) return undefined
    const stats = await stat(this.file(key)).catch(undefinedIfMissing)
    return stats?.isFile() ? stats : undefined
  }

  /**
   * The object's file opened for reading, with what it is.
   */
  async open(key: string) {
    if (key.endsWith('/')) return undefined
    const handle = await open(this.file(key), 'r').catch(undefinedIfMissing)
    if (!handle) return undefined
    const stats = await handle.stat()
    if (!stats.isFile()) {
      await handle.close()
      return undefined
    }
    return { handle, object: await this.describe(key, stats) }
  }

  async bucketExists(): Promise<boolean> {
    const stats = await stat(this.folder).catch(() => undefined)
    return stats?.isDirectory() ?? false
  }

  /**
   * A new temporary file's path; whoever writes it removes it unless committed.
   */
  async temporary(): Promise<string> {
    await mkdir(this.#incoming, { recursive: true })
    return join(this.#incoming, randomBytes(12).toString('hex'))
  }

  /**
   * Writes a stream (or bytes) to a temporary file, hashing it on the way:
   * MD5 (the ETag) and SHA-256 (the checksum kept and checked).
   */
  async receive(
    file: string,
    source: Readable | Uint8Array,
    signal?: AbortSignal
  ): Promise<Received> {
    const md5 = createHash('md5')
    const sha256 = createHash('sha256')
    let size = 0
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length
        md5.update(chunk)
        sha256.update(chunk)
        callback(null, chunk)
      },
    })
    if (!(source instanceof Readable)) {
      // Bytes already in memory: hashed and written in one go.
      md5.update(source)
      sha256.update(source)
      await writeFile(file, source, { signal })
      return { size: source.length, md5: md5.digest(), sha256: sha256.digest('base64') }
    }
    await pipeline(source, hashing, createWriteStream(file), { signal })
    return { size, md5: md5.digest(), sha256: sha256.digest('base64') }
  }

  /**
   * Stores `body` as the object `key`, and gives its ETag: received into a
   * temporary file, then committed with the record `recordFor` makes of
   * what was received (it refuses the bytes by throwing). The temporary
   * file never stays.
   */
  write(
    key: string,
    body: Readable | Uint8Array,
    recordFor: (written: Received) => Omit<ObjectRecord, 'ino'>,
    options: { signal?: AbortSignal; exclusive?: boolean } = {}
  ): Promise<{ etag: string }> {
    return this.#store(key, (file) => this.receive(file, body, options.signal), recordFor, options)
  }

  /**
   * Stores stored files, joined in order, as the object `key` (a copy, a
   * completed multipart upload), like `write` but copied as they are: the
   * record `recordFor` makes of the size written takes its checksums from
   * theirs.
   */
  writeCopy(
    key: string,
    sources: (FileHandle | string)[],
    recordFor: (size: number) => Omit<ObjectRecord, 'ino'>,
    options: { exclusive?: boolean } = {}
  ): Promise<{ etag: string }> {
    return this.#store(key, (file) => copyFiles(file, sources), recordFor, options)
  }

  async #store<Written>(
    key: string,
    fill: (file: string) => Promise<Written>,
    recordFor: (written: Written) => Omit<ObjectRecord, 'ino'>,
    options: { exclusive?: boolean }
  ): Promise<{ etag: string }> {
    // A key no file can hold is refused before anything is created.
    this.file(key)
    const [, temporary] = await Promise.all([this.assertKeptApart(key), this.temporary()])
    try {
      const record = recordFor(await fill(temporary))
      await this.commit(key, temporary, record, options)
      // A commit renames the temporary file into place; an exclusive one links it.
      if (options.exclusive) await rm(temporary, { force: true })
      return { etag: record.etag }
    } catch (error) {
      await rm(temporary, { force: true })
      throw error
    }
  }

  /**
   * Moves a written temporary file into place as the object `key`, with
   * its record (see the top of this file).
   */
  commit(
    key: string,
    temporary: string,
    record: Omit<ObjectRecord, 'ino'>,
    options: { exclusive?: boolean } = {}
  ): Promise<void> {
    const previous = this.#commits.get(key) ?? Promise.resolve()
    const next = previous
      .catch(() => {})
      .then(() => this.#commit(key, temporary, record, options.exclusive === true))
    this.#commits.set(key, next)
    return next.finally(() => {
      if (this.#commits.get(key) === next) this.#commits.delete(key)
    })
  }

  async #commit(
    key: string,
    temporary: string,
    record: Omit<ObjectRecord, 'ino'>,
    exclusive: boolean
  ) {
    const file = this.file(key)
    // What the commit reads is independent: asked for at once.
    const [bucketExists, { ino }, current, records] = await Promise.all([
      this.bucketExists(),
      stat(temporary),
      this.stat(key),
      this.#records(key),
    ])
    if (!bucketExists) {
      if (!this.createsBucket) {
        throw s3Error('NoSuchBucket')
      }
      await mkdir(this.folder, { recursive: true })
    }
    if (exclusive && current) {
      throw s3Error('PreconditionFailed')
    }
    const kept = records.filter((entry) => entry.ino === current?.ino)
    const recordFile = this.#recordFile(key)
    const recordTemporary = `${temporary}.json`
    try {
      await Promise.all([
        mkdir(dirname(recordFile), { recursive: true }),
        writeFile(recordTemporary, JSON.stringify([{ ...record, ino }, ...kept.slice(0, 1)])),
      ])
      await rename(recordTemporary, recordFile)
    } catch (error) {
      await rm(recordTemporary, { force: true })
      throw error
    }
    await mkdir(dirname(file), { recursive: true })
    if (!exclusive) return rename(temporary, file)
    // A hard link is created only where nothing is, atomically, also
    // between processes: the file system's If-None-Match: *.
    try {
      await link(temporary, file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      throw s3Error('PreconditionFailed')
    }
  }

  /**
   * Removes the object and its record, then the folders it leaves empty
   * (S3 has no folders: an empty one must not list as a prefix).
   */
  async remove(key: string) {
    const file = this.file(key)
    await rm(file, { force: true })
    await rm(this.#recordFile(key), { force: true })
    let folder = dirname(file)
    while (folder.startsWith(`${this.folder}/`)) {
      // A folder that is not empty stays, and so do the ones above it.
      if ((await rmdir(folder).catch(() => false)) === false) break
      folder = dirname(folder)
    }
  }
}

/**
 * The record of a write.
 */
export function recordOf(
  write: (Omit<ObjectWrite, 'expires'> & { expires?: Date | string }) | undefined,
  written: { size: number; etag: string; sha256: string | undefined }
): Omit<ObjectRecord, 'ino'> {
  const metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(write?.metadata ?? {})) {
    metadata[name.toLowerCase()] = String(value)
  }
  return {
    size: written.size,
    etag: written.etag,
    // What S3 stores for a write without a type through the AWS SDK,
    // which sends this one.
    contentType: write?.contentType ?? 'application/octet-stream',
    cacheControl: write?.cacheControl,
    contentDisposition: write?.contentDisposition,
    contentEncoding: write?.contentEncoding,
    contentLanguage: write?.contentLanguage,
    expires: write?.expires && new Date(write.expires).toUTCString(),
    metadata,
    checksumSha256: written.sha256,
  }
}

import { createHash, randomBytes, type KeyObject } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { readdir, readFile, rm, stat, writeFile, mkdir, rename } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { Readable } from 'node:stream'
import type { CdnBase } from '../cdn_url.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { signUploadUrl, type UploadUrlPart } from './local_upload_url.ts'
import { BucketFiles, undefinedIfMissing, recordOf, type Received } from './local_files.ts'
import { MULTIPART_LIMITS } from './multipart.ts'
import { s3Error, storeRequest, wrapS3Error } from './s3_errors.ts'
import type {
  CopyOptions,
  GetOptions,
  ListOptions,
  ListPage,
  MultipartUpload,
  ObjectBody,
  ObjectStore,
  ObjectWrite,
  PartOptions,
  PresignedPart,
  PresignedPut,
  StoredObject,
  StreamWrite,
  UploadedPart,
} from './types.ts'

export type LocalStoreOptions = {
  /**
   * The folder the buckets are kept in.
   */
  root: string
  bucket: string
  /**
   * Where upload URLs point (the local edge) and the key they are signed
   * with. Without it, `presignPut` and `presignPart` fail naming `setting`.
   */
  uploadUrls?: { cdn: CdnBase; key: KeyObject }
  uploadSecretSetting?: string
  /**
   * Create the bucket's folder when missing (as a bucket created in S3
   * exists from the start). Default true; the edge only reads.
   */
  createBucket?: boolean
}

/**
 * The record of a multipart upload, in its folder.
 */
type UploadRecord = {
  key: string
  initiated: string
  write: Omit<ObjectWrite, 'expires'> & { expires?: string }
}

/**
 * Bytes per read of an object's file. Node's default for file streams,
 * 64 KiB, makes a 3.6 MB phone photo 57 trips through the thread pool: read
 * whole, it took 47 ms that way against 13 ms in 1 MiB reads on a busy
 * machine. A stream holds at most this much ahead of its reader.
 */
const READ_CHUNK = 1024 ** 2

/**
 * The objects of one bucket of the local store (`<root>/<bucket>/`),
 * keeping per object what S3 keeps and answering as S3 does, errors
 * included (`NoSuchKey`, `NoSuchBucket`, `PreconditionFailed`,
 * `BadDigest`, `EntityTooSmall`, `NoSuchUpload`, ... as the `cause`).
 */
export class LocalStore implements ObjectStore {
  readonly kind = 'local' as const
  readonly bucket: string
  readonly files: BucketFiles
  #options: LocalStoreOptions

  constructor(options: LocalStoreOptions) {
    this.#options = options
    this.bucket = options.bucket
    this.files = new BucketFiles(options.root, options.bucket, options.createBucket !== false)
    // The bucket exists from the start, as one created in S3 does: the
    // edge then tells a missing object from a missing bucket.
    if (options.createBucket !== false) mkdirSync(this.files.folder, { recursive: true })
  }

  async #missing(): Promise<never> {
    if (!(await this.files.bucketExists())) {
      throw s3Error('NoSuchBucket')
    }
    throw s3Error('NoSuchKey')
  }

  async headBucket(): Promise<void> {
    if (!(await this.files.bucketExists())) {
      await storeRequest(this, 'headBucket', '', () => this.#missing())
    }
  }

  head(key: string): Promise<StoredObject> {
    return storeRequest(this, 'head', key, async () => {
      const stats = (await this.files.stat(key)) ?? (await this.#missing())
      return this.files.describe(key, stats)
    })
  }

  /**
   * The object's file opened, with what it is, if its ETag is `ifMatch`.
   */
  async #open(key: string, ifMatch: string | undefined) {
    const opened = (await this.files.open(key)) ?? (await this.#missing())
    if (ifMatch !== undefined && ifMatch !== opened.object.etag) {
      await opened.handle.close()
      throw s3Error('PreconditionFailed')
    }
    return opened
  }

  get(key: string, options: GetOptions = {}): Promise<ObjectBody> {
    return storeRequest(this, 'get', key, async () => {
      const { handle, object } = await this.#open(key, options.ifMatch)
      const body = handle.createReadStream({
        start: options.range?.start,
        end: options.range?.end,
        signal: options.signal,
        highWaterMark: READ_CHUNK,
      })
      return { ...object, body }
    })
  }

  getBytes(key: string, maxBytes: number): Promise<Buffer | undefined> {
    return storeRequest(this, 'getBytes', key, async () => {
      const { handle, object } = (await this.files.open(key)) ?? (await this.#missing())
      try {
        // Read straight into one buffer of the file's size: a stream's
        // chunks, gathered and copied into one, cost three times the CPU
        // (most of it garbage collection) for a phone photo.
        return object.size > maxBytes ? undefined : await handle.readFile()
      } finally {
        await handle.close()
      }
    })
  }

  put(key: string, body: string | Uint8Array, write?: ObjectWrite) {
    return this.#write('put', key, typeof body === 'string' ? Buffer.from(body) : body, write)
  }

  putStream(key: string, body: Readable, write: StreamWrite = {}) {
    return this.#write('putStream', key, body, write)
  }

  /**
   * Stores the bytes once they passed S3's checks (length, checksums).
   */
  #write(operation: string, key: string, body: Readable | Uint8Array, write: StreamWrite = {}) {
    return storeRequest(this, operation, key, () =>
      this.files.write(
        key,
        body,
        (written) => {
          checkWritten(written, write)
          return recordOf(write, { ...written, etag: `"${written.md5.toString('hex')}"` })
        },
        { signal: write.signal }
      )
    )
  }

  copy(source: string, destination: string, options: CopyOptions = {}): Promise<void> {
    return storeRequest(this, 'copy', source, async () => {
      // Without its own write, a copy keeps the source's record. The bytes
      // are read from the file the record was read with: the very bytes the
      // record describes, even if the key is written meanwhile.
      const { handle, object } = await this.#open(source, options.ifMatch)
      const { key, lastModified, ...kept } = object
      try {
        await this.files.writeCopy(
          destination,
          [handle],
          (size) =>
            options.write
              ? recordOf(options.write, { size, etag: kept.etag, sha256: kept.checksumSha256 })
              : kept,
          { exclusive: options.ifNoneMatch === '*' }
        )
      } finally {
        await handle.close()
      }
    })
  }

  delete(key: string): Promise<void> {
    return storeRequest(this, 'delete', key, () => this.files.remove(key))
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (const key of keys) await this.delete(key)
  }

  /**
   * Keys in order, as S3 lists them, one page of `maxKeys` (default 1,000)
   * at a time; the token is the last entry of the page.
   */
  list(options: ListOptions): Promise<ListPage> {
    const prefix = options.prefix ?? ''
    return storeRequest(this, 'list', prefix, async () => {
      const slash = prefix.lastIndexOf('/')
      const folder = slash < 0 ? this.files.folder : this.files.file(prefix.slice(0, slash))
      const byFolder = options.delimiter === '/'
      const dirents =
        (await readdir(folder, { recursive: !byFolder, withFileTypes: true }).catch(
          undefinedIfMissing
        )) ?? []
      const after = options.token ? Buffer.from(options.token, 'base64url').toString() : undefined
      const entries = dirents
        .filter((entry) => entry.isFile() || (byFolder && entry.isDirectory()))
        .map((entry) => {
          const key = relative(this.files.folder, join(entry.parentPath, entry.name))
            .split(sep)
            .join('/')
          return entry.isFile() ? { key, file: true } : { key: `${key}/`, file: false }
        })
        .filter((entry) => entry.key.startsWith(prefix))
        .filter((entry) => after === undefined || entry.key > after)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      const page = entries.slice(0, options.maxKeys ?? 1000)
      const result: ListPage = { prefixes: [], objects: [] }
      for (const entry of page) {
        if (!entry.file) {
          result.prefixes.push(entry.key)
          continue
        }
        const stats = await this.files.stat(entry.key)
        if (!stats) continue
        const { key, size, etag, lastModified } = await this.files.describe(entry.key, stats)
        result.objects.push({ key, size, etag, lastModified })
      }
      if (page.length < entries.length) {
        result.token = Buffer.from(page[page.length - 1].key).toString('base64url')
      }
      return result
    })
  }

  #uploadUrls() {
    if (!this.#options.uploadUrls) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        this.#options.uploadSecretSetting ?? 'localStore.uploadSecret',
        'upload URLs of the local store are signed with a secret: set it (the AdonisJS provider uses the app key)',
      ])
    }
    return this.#options.uploadUrls
  }

  presignPart(key: string, uploadId: string, partNumber: number, put: PresignedPart) {
    return this.presignPut(key, put, { uploadId, partNumber })
  }

  async presignPut(key: string, put: PresignedPut, part?: UploadUrlPart): Promise<string> {
    const { cdn, key: signingKey } = this.#uploadUrls()
    return signUploadUrl(signingKey, {
      cdn,
      bucket: this.bucket,
      objectKey: key,
      part,
      expiresAt: (put.now ?? new Date()).getTime() / 1000 + put.expiresIn,
      headers: {
        'content-type': put.contentType,
        'content-length': put.contentLength === undefined ? undefined : String(put.contentLength),
        'x-amz-checksum-sha256': put.checksumSha256,
      },
    })
  }

  presignGet(key: string): Promise<string> {
    return this.#unsupported(
      'presignGet',
      key,
      'the local store has no presigned GET URLs: files are read through the edge'
    )
  }

  isPublic(key: string): Promise<boolean> {
    return this.#unsupported('getVisibility', key, 'the local store keeps no ACLs')
  }

  setAcl(key: string): Promise<void> {
    return this.#unsupported('setVisibility', key, 'the local store keeps no ACLs')
  }

  #unsupported(operation: string, key: string, message: string): Promise<never> {
    return Promise.reject(wrapS3Error(s3Error('NotImplemented', message), operation, key, this))
  }

  #uploadFolder(uploadId: string) {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) {
      throw s3Error('NoSuchUpload')
    }
    return join(this.files.uploads, uploadId)
  }

  async #readUpload(folder: string): Promise<UploadRecord | undefined> {
    const text = await readFile(join(folder, 'upload.json'), 'utf8').catch(() => undefined)
    return text === undefined ? undefined : (JSON.parse(text) as UploadRecord)
  }

  async #upload(key: string, uploadId: string): Promise<UploadRecord> {
    const upload = await this.#readUpload(this.#uploadFolder(uploadId))
    if (!upload || upload.key !== key) {
      throw s3Error('NoSuchUpload')
    }
    return upload
  }

  createMultipart(key: string, write?: ObjectWrite): Promise<string> {
    return storeRequest(this, 'createMultipart', key, async () => {
      await this.files.assertKeptApart(key)
      if (!(await this.files.bucketExists())) await this.#missing()
      const uploadId = randomBytes(16).toString('hex')
      const folder = this.#uploadFolder(uploadId)
      await mkdir(folder, { recursive: true })
      // JSON keeps the dates as ISO strings, as UploadRecord reads them.
      await writeFile(
        join(folder, 'upload.json'),
        JSON.stringify({ key, initiated: new Date(), write: write ?? {} })
      )
      return uploadId
    })
  }

  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array | Readable,
    options: PartOptions = {}
  ): Promise<UploadedPart> {
    return storeRequest(this, 'uploadPart', key, async () => {
      if (
        !Number.isInteger(partNumber) ||
        partNumber < 1 ||
        partNumber > MULTIPART_LIMITS.maxParts
      ) {
        throw s3Error('InvalidArgument')
      }
      await this.#upload(key, uploadId)
      const folder = this.#uploadFolder(uploadId)
      const temporary = await this.files.temporary()
      try {
        const written = await this.files.receive(temporary, body, options.signal)
        checkWritten(written, options)
        const part = {
          partNumber,
          etag: `"${written.md5.toString('hex')}"`,
          size: written.size,
          checksumSha256: written.sha256,
        }
        await rename(temporary, join(folder, `${partNumber}.part`))
        await writeFile(join(folder, `${partNumber}.json`), JSON.stringify(part))
        return part
      } catch (error) {
        await rm(temporary, { force: true })
        throw error
      }
    })
  }

  listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    return storeRequest(this, 'listParts', key, async () => {
      await this.#upload(key, uploadId)
      const folder = this.#uploadFolder(uploadId)
      const parts: UploadedPart[] = []
      for (const name of await readdir(folder)) {
        if (!/^\d+\.json$/.test(name)) continue
        const part = JSON.parse(await readFile(join(folder, name), 'utf8')) as UploadedPart
        const stats = await stat(join(folder, `${part.partNumber}.part`)).catch(() => undefined)
        if (stats?.size === part.size) parts.push(part)
      }
      return parts.sort((a, b) => a.partNumber - b.partNumber)
    })
  }

  /**
   * Joins the parts as S3 does: in ascending order, every part but the last
   * at least 5 MiB, each ETag (and SHA-256, when given) the one stored.
   * The ETag is the MD5 of the parts' MD5s with the number of parts, and
   * the checksum the SHA-256 of their SHA-256s, as S3 makes them.
   */
  completeMultipart(key: string, uploadId: string, parts: UploadedPart[]) {
    return storeRequest(this, 'completeMultipart', key, async () => {
      const upload = await this.#upload(key, uploadId)
      const listed = await this.listParts(key, uploadId)
      const stored = new Map(listed.map((part) => [part.partNumber, part]))
      if (parts.length === 0) {
        throw s3Error('MalformedXML')
      }
      if (
        parts.some((part, index) => index > 0 && part.partNumber <= parts[index - 1].partNumber)
      ) {
        throw s3Error('InvalidPartOrder')
      }
      const chosen = parts.map((part, index) => {
        const found = stored.get(part.partNumber)
        if (
          !found ||
          found.etag.replaceAll('"', '') !== part.etag.replaceAll('"', '') ||
          (part.checksumSha256 !== undefined && part.checksumSha256 !== found.checksumSha256)
        ) {
          throw s3Error(
            'InvalidPart',
            `Part ${part.partNumber} was not found or its ETag or checksum did not match.`
          )
        }
        if (index < parts.length - 1 && found.size! < MULTIPART_LIMITS.minPartSize) {
          throw s3Error('EntityTooSmall')
        }
        return found
      })
      const md5s = Buffer.concat(
        chosen.map((part) => Buffer.from(part.etag.replaceAll('"', ''), 'hex'))
      )
      const shas = Buffer.concat(chosen.map((part) => Buffer.from(part.checksumSha256!, 'base64')))
      const etag = `"${createHash('md5').update(md5s).digest('hex')}-${chosen.length}"`
      const sha256 = `${createHash('sha256').update(shas).digest('base64')}-${chosen.length}`
      const folder = this.#uploadFolder(uploadId)
      // Each part was hashed as it was received: the parts are joined as
      // they are, their checksums making the object's.
      const files = chosen.map((part) => join(folder, `${part.partNumber}.part`))
      await this.files.writeCopy(key, files, (size) =>
        recordOf(upload.write, { size, etag, sha256 })
      )
      await rm(folder, { recursive: true, force: true })
      return { etag }
    })
  }

  abortMultipart(key: string, uploadId: string): Promise<void> {
    return storeRequest(this, 'abortMultipart', key, async () => {
      await this.#upload(key, uploadId)
      await rm(this.#uploadFolder(uploadId), { recursive: true, force: true })
    })
  }

  listMultipartUploads(prefix = ''): Promise<MultipartUpload[]> {
    return storeRequest(this, 'listMultipartUploads', prefix, async () => {
      const uploads: MultipartUpload[] = []
      const ids = await readdir(this.files.uploads).catch(() => [])
      for (const uploadId of ids) {
        const upload = await this.#readUpload(join(this.files.uploads, uploadId))
        if (!upload?.key.startsWith(prefix)) continue
        uploads.push({ key: upload.key, uploadId, initiated: new Date(upload.initiated) })
      }
      return uploads.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    })
  }
}

/**
 * S3's checks of received bytes against what the request declared.
 */
function checkWritten(
  written: Received,
  declared: { size?: number; checksumSha256?: string; contentMd5?: string }
) {
  if (declared.size !== undefined && written.size !== declared.size) {
    throw s3Error('IncompleteBody')
  }
  if (
    (declared.checksumSha256 !== undefined && declared.checksumSha256 !== written.sha256) ||
    (declared.contentMd5 !== undefined && declared.contentMd5 !== written.md5.toString('base64'))
  ) {
    throw s3Error('BadDigest')
  }
}

import type { Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type HeadObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import debug from '../debug.ts'
import { E_DJAMAZING_S3_REQUEST_FAILED } from '../errors.ts'
import { encodeObjectKey } from '../object_key.ts'
import {
  DEFAULT_PART_SIZE,
  MULTIPART_LIMITS,
  putStreamInParts,
  type MultipartSettings,
} from './multipart.ts'
import { isNotFound, storeRequest, wrapS3Error } from './s3_errors.ts'
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
  PresignedGet,
  PresignedPart,
  PresignedPut,
  StoredObject,
  StreamWrite,
  UploadedPart,
} from './types.ts'

/**
 * S3's grantee for "everyone".
 */
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers'

/**
 * The largest object one CopyObject copies; larger ones are copied part
 * by part with UploadPartCopy.
 */
const MAX_COPY_SIZE = 5 * 1024 ** 3

const COPY_PART_SIZE = 512 * 1024 ** 2

export type S3StoreOptions = Partial<MultipartSettings> & {
  client: S3Client
  bucket: string
  /**
   * Copies of larger objects use UploadPartCopy. Default 5 GiB, S3's
   * limit for CopyObject (tests lower it).
   */
  copyThreshold?: number
}

/**
 * What S3 answers about an object (a HEAD or a GET), as the store reports it.
 */
function storedObject(
  key: string,
  head: HeadObjectCommandOutput,
  size = head.ContentLength ?? 0
): StoredObject {
  return {
    key,
    size,
    etag: head.ETag ?? '',
    lastModified: head.LastModified ?? new Date(0),
    contentType: head.ContentType,
    cacheControl: head.CacheControl,
    contentDisposition: head.ContentDisposition,
    contentEncoding: head.ContentEncoding,
    contentLanguage: head.ContentLanguage,
    expires: head.ExpiresString,
    metadata: head.Metadata ?? {},
    checksumSha256: head.ChecksumSHA256,
  }
}

/**
 * The S3 parameters of a write. Pass-through parameters never override
 * the bucket, the key, the body or the copy source.
 */
function writeParams(write: ObjectWrite | undefined) {
  const { Bucket, Key, Body, CopySource, ...s3Params } = write?.s3Params ?? {}
  return {
    ...s3Params,
    ContentType: write?.contentType,
    CacheControl: write?.cacheControl,
    ContentDisposition: write?.contentDisposition,
    ContentEncoding: write?.contentEncoding,
    ContentLanguage: write?.contentLanguage,
    Expires: write?.expires,
    Metadata: write?.metadata,
    ACL: write?.acl,
  }
}

/**
 * Sends the SHA-256 the store computed anyway as the SigV4 payload hash,
 * so the SDK does not hash the part a second time (it does over http://).
 */
function withPayloadHash<T extends { middlewareStack: any }>(command: T, sha256Base64?: string) {
  if (!sha256Base64) return command
  const hex = Buffer.from(sha256Base64, 'base64').toString('hex')
  command.middlewareStack.add(
    (next: any) => (args: any) => {
      args.request.headers['x-amz-content-sha256'] = hex
      return next(args)
    },
    { step: 'build', name: 'djamazingPayloadHash' }
  )
  return command
}

/**
 * One S3 bucket through one S3 client: every S3 request djamazing makes is
 * made here.
 */
export class S3Store implements ObjectStore {
  readonly kind = 's3' as const
  readonly bucket: string
  readonly client: S3Client
  #multipart: MultipartSettings
  #copyThreshold: number

  constructor(options: S3StoreOptions) {
    this.client = options.client
    this.bucket = options.bucket
    this.#multipart = {
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: options.queueSize ?? 2,
    }
    this.#copyThreshold = options.copyThreshold ?? MAX_COPY_SIZE
  }

  /**
   * `CopySource` is a URL path: the key is percent-encoded (sent raw, as
   * flydrive's S3 driver does, it breaks on non-ASCII keys and `%`).
   */
  #copySource(key: string) {
    return `${encodeURIComponent(this.bucket)}/${encodeObjectKey(key)}`
  }

  async headBucket(): Promise<void> {
    await storeRequest(this, 'headBucket', '', () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.bucket }))
    )
  }

  async head(key: string, options?: { signal?: AbortSignal }) {
    const head = await storeRequest(this, 'head', key, () =>
      this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
        { abortSignal: options?.signal }
      )
    )
    return storedObject(key, head)
  }

  async get(key: string, options: GetOptions = {}): Promise<ObjectBody> {
    const { range, ifMatch, signal } = options
    const output = await storeRequest(this, 'get', key, () =>
      this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range && `bytes=${range.start}-${range.end}`,
          IfMatch: ifMatch,
        }),
        { abortSignal: signal }
      )
    )
    const total = output.ContentRange?.split('/')[1]
    const size = total === undefined ? (output.ContentLength ?? 0) : Number(total)
    return { ...storedObject(key, output, size), body: output.Body as Readable }
  }

  async getBytes(key: string, maxBytes: number): Promise<Buffer | undefined> {
    const { body, size } = await this.get(key)
    if (size > maxBytes) {
      body.destroy()
      return undefined
    }
    // Counted as it arrives as well: the length S3 announced is not trusted
    // to bound memory.
    const chunks: Buffer[] = []
    let received = 0
    for await (const chunk of body) {
      received += chunk.length
      if (received > maxBytes) {
        body.destroy()
        return undefined
      }
      chunks.push(chunk)
    }
    return Buffer.concat(chunks, received)
  }

  async put(key: string, body: string | Uint8Array, write?: ObjectWrite) {
    const output = await storeRequest(this, 'put', key, () =>
      this.client.send(
        new PutObjectCommand({
          ...writeParams(write),
          ChecksumSHA256: write?.checksumSha256,
          ContentMD5: write?.contentMd5,
          Bucket: this.bucket,
          Key: key,
          Body: body,
        })
      )
    )
    return { etag: output.ETag ?? '' }
  }

  putStream(key: string, body: Readable, write: StreamWrite = {}) {
    return putStreamInParts(this, key, body, write, this.#multipart)
  }

  /**
   * CopyObject up to 5 GiB (`copyThreshold`), UploadPartCopy above.
   */
  async copy(source: string, destination: string, options: CopyOptions = {}): Promise<void> {
    const head = await this.head(source)
    if (head.size > this.#copyThreshold) {
      return this.#copyInParts(head, destination, options)
    }
    await storeRequest(this, 'copy', source, () =>
      this.client.send(
        new CopyObjectCommand({
          ...writeParams(options.write),
          Bucket: this.bucket,
          Key: destination,
          CopySource: this.#copySource(source),
          CopySourceIfMatch: options.ifMatch,
          IfNoneMatch: options.ifNoneMatch,
          // S3 computes and keeps the copy's SHA-256: a HEAD reports it.
          ChecksumAlgorithm: 'SHA256',
          ACL: options.acl ?? options.write?.acl,
          MetadataDirective: options.write ? 'REPLACE' : 'COPY',
        })
      )
    )
  }

  async #copyInParts(source: StoredObject, destination: string, options: CopyOptions) {
    debug('copy %s:%s in parts (%d bytes)', this.bucket, source.key, source.size)
    // A multipart upload copies no metadata: it is given the source's
    // headers and user metadata.
    const { key, size, etag, lastModified, checksumSha256, expires, ...stored } = source
    const write: ObjectWrite = {
      ...(options.write ?? { ...stored, expires: expires ? new Date(expires) : undefined }),
      acl: options.acl ?? options.write?.acl,
    }
    // Parts of up to 512 MiB are copied side by side (S3 copies each in
    // its own request); as many as it takes to stay within 10,000 parts.
    const partSize = Math.max(
      MULTIPART_LIMITS.minPartSize,
      Math.ceil(source.size / MULTIPART_LIMITS.maxParts),
      Math.min(this.#copyThreshold, COPY_PART_SIZE)
    )
    const uploadId = await this.createMultipart(destination, write)
    try {
      const parts: UploadedPart[] = []
      const count = Math.ceil(source.size / partSize)
      let next = 0
      const worker = async () => {
        while (next < count) {
          const index = next++
          const start = index * partSize
          const end = Math.min(source.size, start + partSize) - 1
          const output = await storeRequest(this, 'copy', source.key, () =>
            this.client.send(
              new UploadPartCopyCommand({
                Bucket: this.bucket,
                Key: destination,
                UploadId: uploadId,
                PartNumber: index + 1,
                CopySource: this.#copySource(source.key),
                CopySourceRange: `bytes=${start}-${end}`,
                // Every part from the same version of the source.
                CopySourceIfMatch: options.ifMatch ?? source.etag,
              })
            )
          )
          parts.push({ partNumber: index + 1, etag: output.CopyPartResult?.ETag ?? '' })
        }
      }
      await Promise.all(Array.from({ length: this.#multipart.queueSize }, worker))
      parts.sort((a, b) => a.partNumber - b.partNumber)
      await this.completeMultipart(destination, uploadId, parts)
    } catch (error) {
      await this.abortMultipart(destination, uploadId).catch(() => {})
      throw error
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))
    } catch (error) {
      if (isNotFound(error)) return
      throw wrapS3Error(error, 'delete', key, this)
    }
  }

  async deleteMany(keys: string[]): Promise<void> {
    // DeleteObjects takes at most 1,000 keys.
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000)
      const result = await storeRequest(this, 'deleteMany', batch[0], () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          })
        )
      )
      const failed = result.Errors?.[0]
      if (failed) {
        throw new E_DJAMAZING_S3_REQUEST_FAILED([
          'deleteMany',
          failed.Key ?? batch[0],
          `${failed.Code}: ${failed.Message} (${result.Errors!.length} keys not deleted)`,
        ])
      }
    }
  }

  async list(options: ListOptions): Promise<ListPage> {
    const page = await storeRequest(this, 'list', options.prefix ?? '', () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: options.prefix || undefined,
          Delimiter: options.delimiter,
          ContinuationToken: options.token,
          MaxKeys: options.maxKeys,
        })
      )
    )
    return {
      prefixes: (page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix!),
      objects: (page.Contents ?? []).map((object) => ({
        key: object.Key!,
        size: object.Size ?? 0,
        etag: object.ETag ?? '',
        lastModified: object.LastModified ?? new Date(0),
      })),
      token: page.IsTruncated ? page.NextContinuationToken : undefined,
    }
  }

  /**
   * An S3 presigned PUT bound to a content type, a length and a SHA-256.
   *
   * The presigner leaves `content-type` out of the signature on purpose (it
   * adds it to the unsignable headers), and `content-length` is only signed
   * when present. Listing them as signable headers puts them into
   * `X-Amz-SignedHeaders`: S3 then refuses an upload with another type or
   * size, so a browser cannot turn a 10 KB avatar slot into a 5 GB video.
   * `x-amz-checksum-sha256` is signed the same way, and kept a header (not
   * hoisted into the query): S3 refuses a body whose SHA-256 differs, so
   * other bytes of the same length are refused too.
   */
  presignPut(key: string, put: PresignedPut): Promise<string> {
    return this.#presign(
      key,
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ContentType: put.contentType,
        ContentLength: put.contentLength,
        ChecksumSHA256: put.checksumSha256,
      }),
      put
    )
  }

  presignPart(key: string, uploadId: string, partNumber: number, put: PresignedPart) {
    return this.#presign(
      key,
      new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        ContentLength: put.contentLength,
        ChecksumSHA256: put.checksumSha256,
      }),
      put
    )
  }

  #presign(key: string, command: PutObjectCommand | UploadPartCommand, put: PresignedPut) {
    const signableHeaders = new Set<string>()
    if (put.contentType !== undefined) signableHeaders.add('content-type')
    if (put.contentLength !== undefined) signableHeaders.add('content-length')
    if (put.checksumSha256 !== undefined) signableHeaders.add('x-amz-checksum-sha256')
    return storeRequest(this, 'presignPut', key, () =>
      getSignedUrl(this.client, command as PutObjectCommand, {
        expiresIn: put.expiresIn,
        signableHeaders,
        unhoistableHeaders: signableHeaders,
        signingDate: put.now,
      })
    )
  }

  /**
   * An S3 presigned GET. The response overrides are query parameters the
   * signature covers, so they cannot be changed without breaking it.
   */
  presignGet(key: string, options: PresignedGet): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentType: options.contentType,
      ResponseContentDisposition: options.contentDisposition,
    })
    return storeRequest(this, 'presignGet', key, () =>
      getSignedUrl(this.client, command as PutObjectCommand, { expiresIn: options.expiresIn })
    )
  }

  async isPublic(key: string): Promise<boolean> {
    const response = await storeRequest(this, 'getVisibility', key, () =>
      this.client.send(new GetObjectAclCommand({ Bucket: this.bucket, Key: key }))
    )
    return (response.Grants ?? []).some(
      (grant) =>
        grant.Grantee?.URI === ALL_USERS &&
        (grant.Permission === 'READ' || grant.Permission === 'FULL_CONTROL')
    )
  }

  async setAcl(key: string, acl: 'public-read' | 'private'): Promise<void> {
    await storeRequest(this, 'setVisibility', key, () =>
      this.client.send(new PutObjectAclCommand({ Bucket: this.bucket, Key: key, ACL: acl }))
    )
  }

  async createMultipart(key: string, write?: ObjectWrite): Promise<string> {
    const output = await storeRequest(this, 'createMultipart', key, () =>
      this.client.send(
        new CreateMultipartUploadCommand({
          ...writeParams(write),
          Bucket: this.bucket,
          Key: key,
          ChecksumAlgorithm: 'SHA256',
        })
      )
    )
    debug('multipart upload %s:%s started', this.bucket, key)
    return output.UploadId!
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array | Readable,
    options: PartOptions = {}
  ): Promise<UploadedPart> {
    const command = new UploadPartCommand({
      Bucket: this.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      Body: body,
      ContentLength: 'byteLength' in body ? body.byteLength : options.size,
      ChecksumSHA256: options.checksumSha256,
    })
    const output = await storeRequest(this, 'uploadPart', key, () =>
      this.client.send(withPayloadHash(command, options.checksumSha256), {
        abortSignal: options.signal,
      })
    )
    return {
      partNumber,
      etag: output.ETag ?? '',
      checksumSha256: output.ChecksumSHA256 ?? options.checksumSha256,
    }
  }

  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = []
    let marker: string | undefined
    do {
      const page = await storeRequest(this, 'listParts', key, () =>
        this.client.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          })
        )
      )
      for (const part of page.Parts ?? []) {
        parts.push({
          partNumber: part.PartNumber!,
          etag: part.ETag ?? '',
          size: part.Size,
          checksumSha256: part.ChecksumSHA256,
        })
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined
    } while (marker)
    return parts
  }

  async completeMultipart(key: string, uploadId: string, parts: UploadedPart[]) {
    const output = await storeRequest(this, 'completeMultipart', key, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: parts.map((part) => ({
              PartNumber: part.partNumber,
              ETag: part.etag,
              ChecksumSHA256: part.checksumSha256,
            })),
          },
        })
      )
    )
    debug('multipart upload %s:%s completed (%d parts)', this.bucket, key, parts.length)
    return { etag: output.ETag ?? '' }
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await storeRequest(this, 'abortMultipart', key, () =>
      this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })
      )
    )
    debug('multipart upload %s:%s aborted', this.bucket, key)
  }

  async listMultipartUploads(prefix?: string): Promise<MultipartUpload[]> {
    const uploads: MultipartUpload[] = []
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    do {
      const page = await storeRequest(this, 'listMultipartUploads', prefix ?? '', () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          })
        )
      )
      for (const upload of page.Uploads ?? []) {
        uploads.push({
          key: upload.Key!,
          uploadId: upload.UploadId!,
          initiated: upload.Initiated ?? new Date(0),
        })
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined
    } while (keyMarker)
    return uploads
  }
}

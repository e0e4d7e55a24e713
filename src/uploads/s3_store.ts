import type { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import { encodeObjectKey } from '../object_key.ts'
import { isNotFound, wrapS3Error, type S3ErrorLike } from '../s3/errors.ts'
import { presignPut } from '../s3/presign.ts'
import type { StoredObject, UploadStore } from './store.ts'

/**
 * Direct uploads on S3 (or an S3-compatible store).
 */
export class S3UploadStore implements UploadStore {
  #client: S3Client
  #bucket: string

  constructor(client: S3Client, bucket: string) {
    this.#client = client
    this.#bucket = bucket
  }

  presignPut(
    objectKey: string,
    put: { contentType: string; size: number; sha256: string; expiresIn: number; now: Date }
  ): Promise<string> {
    return this.#send('startUpload', objectKey, () =>
      presignPut(this.#client, {
        bucket: this.#bucket,
        key: objectKey,
        expiresIn: put.expiresIn,
        contentType: put.contentType,
        contentLength: put.size,
        checksumSha256: put.sha256,
        signingDate: put.now,
      })
    )
  }

  async head(objectKey: string): Promise<StoredObject | null> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: objectKey, ChecksumMode: 'ENABLED' })
      )
      return {
        size: head.ContentLength ?? 0,
        contentType: head.ContentType ?? '',
        lastModified: head.LastModified,
        // A multipart object's checksum is a checksum of checksums ("...-N").
        sha256: head.ChecksumSHA256?.includes('-') ? undefined : head.ChecksumSHA256,
      }
    } catch (error) {
      if (isNotFound(error)) return null
      throw wrapS3Error(error, 'confirmUpload', objectKey, this.#bucket)
    }
  }

  async read(objectKey: string): Promise<Readable> {
    const response = await this.#send('confirmUpload', objectKey, () =>
      this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: objectKey }))
    )
    return response.Body as Readable
  }

  async copyIfAbsent(sourceKey: string, destinationKey: string): Promise<boolean> {
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.#bucket,
          Key: destinationKey,
          CopySource: `${encodeURIComponent(this.#bucket)}/${encodeObjectKey(sourceKey)}`,
          MetadataDirective: 'COPY',
          IfNoneMatch: '*',
          // S3 computes and keeps the copy's SHA-256: confirm reads it
          // with HEAD instead of hashing the bytes.
          ChecksumAlgorithm: 'SHA256',
        })
      )
      return true
    } catch (error) {
      // 412: something is there; 409: a concurrent write to it won.
      const status = (error as S3ErrorLike)?.$metadata?.httpStatusCode
      if (status === 412 || status === 409) return false
      throw wrapS3Error(error, 'confirmUpload', destinationKey, this.#bucket)
    }
  }

  async delete(objectKey: string): Promise<void> {
    await this.#send('confirmUpload', objectKey, () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: objectKey }))
    )
  }

  async *list(prefix: string): AsyncIterable<{ key: string; lastModified: Date }> {
    let token: string | undefined
    do {
      const page = await this.#send('pruneUploads', prefix, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
          })
        )
      )
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, lastModified: object.LastModified ?? new Date(0) }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async deleteMany(objectKeys: string[]): Promise<void> {
    // DeleteObjects takes at most 1,000 keys.
    for (let start = 0; start < objectKeys.length; start += 1000) {
      const batch = objectKeys.slice(start, start + 1000)
      await this.#send('pruneUploads', batch[0], () =>
        this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.#bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          })
        )
      )
    }
  }

  async #send<T>(operation: string, objectKey: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request()
    } catch (error) {
      throw wrapS3Error(error, operation, objectKey, this.#bucket)
    }
  }
}

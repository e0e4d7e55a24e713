import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { bucketFolder, fileMetadata, objectFile } from '../local/files.ts'
import { edgeErrors } from './error_response.ts'
import { OriginFailure, type ObjectOrigin, type OriginObject } from './origin.ts'

/**
 * Reads objects from one bucket of the local store (`<root>/<bucket>/`),
 * answering as S3 would: a missing bucket folder is `NoSuchBucket`, a
 * missing file `NoSuchKey`. A request only ever chooses the key, which
 * the edge has validated, so it cannot leave the bucket's folder.
 */
export class FileOrigin implements ObjectOrigin {
  #folder: string

  constructor(root: string, bucket: string) {
    this.#folder = bucketFolder(root, bucket)
  }

  async head(key: string): Promise<OriginObject> {
    // A key ending with "/" is a valid S3 key that no file can hold: like
    // any key with no object, NoSuchKey (S3 answers 404 for it too).
    const stats = key.endsWith('/')
      ? undefined
      : await stat(objectFile(this.#folder, key)).catch(() => undefined)
    if (!stats?.isFile()) {
      const bucket = await stat(this.#folder).catch(() => undefined)
      throw new OriginFailure(
        bucket?.isDirectory() ? edgeErrors.notFound() : edgeErrors.noSuchBucket()
      )
    }
    const metadata = fileMetadata(key, stats)
    return {
      size: metadata.contentLength,
      etag: metadata.etag,
      lastModified: metadata.lastModified,
      headers: { 'Content-Type': metadata.contentType },
    }
  }

  async get(
    key: string,
    options: { range?: { start: number; end: number }; ifMatch?: string },
    abortSignal: AbortSignal
  ): Promise<OriginObject & { body: Readable }> {
    const object = await this.head(key)
    if (options.ifMatch !== undefined && options.ifMatch !== object.etag) {
      throw new OriginFailure(edgeErrors.preconditionFailed())
    }
    const body = createReadStream(objectFile(this.#folder, key), {
      start: options.range?.start,
      end: options.range?.end,
      signal: abortSignal,
    })
    return { ...object, body }
  }
}

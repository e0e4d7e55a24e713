import type { KeyObject } from 'node:crypto'
import type { Readable } from 'node:stream'
import type { CdnBase } from '../cdn_url.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import type { LocalStore } from '../local/store.ts'
import { signUploadUrl } from '../local/upload_url.ts'
import type { StoredObject, UploadStore } from './store.ts'

/**
 * Direct uploads on the local store of development: the PUT goes to the
 * app's own upload route, which checks the signed type, length, SHA-256
 * and expiry as S3 does.
 */
export class LocalUploadStore implements UploadStore {
  #store: LocalStore
  #target: { cdn: CdnBase; bucket: string; uploadKey?: KeyObject; setting: string }

  constructor(
    store: LocalStore,
    target: { cdn: CdnBase; bucket: string; uploadKey?: KeyObject; setting: string }
  ) {
    this.#store = store
    this.#target = target
  }

  async presignPut(
    objectKey: string,
    put: { contentType: string; size: number; sha256: string; expiresIn: number; now: Date }
  ): Promise<string> {
    const { cdn, bucket, uploadKey, setting } = this.#target
    if (!uploadKey) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        setting,
        'upload URLs of the local store are signed with a secret: set it (the AdonisJS provider uses the app key)',
      ])
    }
    return signUploadUrl(uploadKey, {
      cdn,
      bucket,
      objectKey,
      expiresAt: put.now.getTime() / 1000 + put.expiresIn,
      headers: {
        'content-type': put.contentType,
        'content-length': String(put.size),
        'x-amz-checksum-sha256': put.sha256,
      },
    })
  }

  async head(objectKey: string): Promise<StoredObject | null> {
    if (!(await this.#store.exists(objectKey))) return null
    const metaData = await this.#store.getMetaData(objectKey)
    // No type: the local store keeps none (it serves one guessed from the
    // key), and it refused a PUT of another type through the signature.
    return { size: metaData.contentLength, lastModified: metaData.lastModified }
  }

  read(objectKey: string): Promise<Readable> {
    return this.#store.getStream(objectKey)
  }

  copyIfAbsent(sourceKey: string, destinationKey: string): Promise<boolean> {
    return this.#store.copyIfAbsent(sourceKey, destinationKey)
  }

  delete(objectKey: string): Promise<void> {
    return this.#store.delete(objectKey)
  }

  async *list(prefix: string): AsyncIterable<{ key: string; lastModified: Date }> {
    let paginationToken: string | undefined
    do {
      const page = await this.#store.listAll(prefix, { recursive: true, paginationToken })
      for (const file of page.files) {
        yield { key: file.key, lastModified: file.metaData.lastModified }
      }
      paginationToken = page.paginationToken
    } while (paginationToken)
  }

  async deleteMany(objectKeys: string[]): Promise<void> {
    for (const key of objectKeys) await this.#store.delete(key)
  }
}

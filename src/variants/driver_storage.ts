import type { DriverContract } from 'flydrive/types'
import {
  E_DJAMAZING_OBJECT_NOT_FOUND,
  E_DJAMAZING_VARIANT_SOURCE_MISSING,
  E_DJAMAZING_VARIANT_TOO_LARGE,
} from '../errors.ts'
import type { VariantStorage } from './types.ts'

/**
 * The storage calls variants make, through a disk's own driver (keys
 * without the disk's prefix). The driver leaves keys inside the variants
 * folder to these calls alone, so they never recurse into variants.
 * `readBytes` is the driver's read of a whole file into one buffer
 * (`undefined` above `maxBytes`), which flydrive's contract has no call for.
 */
export function driverStorage(
  driver: Pick<DriverContract, 'put' | 'exists' | 'listAll' | 'move' | 'deleteAll'>,
  readBytes: (key: string, maxBytes: number) => Promise<Uint8Array | undefined>
): VariantStorage {
  return {
    async read(key, maxBytes) {
      let bytes: Uint8Array | undefined
      try {
        bytes = await readBytes(key, maxBytes)
      } catch (error) {
        if (error instanceof E_DJAMAZING_OBJECT_NOT_FOUND) {
          throw new E_DJAMAZING_VARIANT_SOURCE_MISSING([key], { cause: error })
        }
        throw error
      }
      // A file over the limit is never held whole: the store stops reading.
      if (!bytes) {
        throw new E_DJAMAZING_VARIANT_TOO_LARGE([
          key,
          `the file is over the limit of ${maxBytes} bytes (variants.maxInputBytes)`,
        ])
      }
      return bytes
    },
    write: (key, bytes, contentType) => driver.put(key, bytes, { contentType }),
    exists: (key) => driver.exists(key),
    async list(folder) {
      const keys: string[] = []
      let paginationToken: string | undefined
      do {
        const page = await driver.listAll(folder, { recursive: true, paginationToken })
        for (const entry of page.objects) if (entry.isFile) keys.push(entry.key)
        paginationToken = page.paginationToken
      } while (paginationToken)
      return keys
    },
    move: (from, to) => driver.move(from, to),
    deleteFolder: (folder) => driver.deleteAll(folder),
  }
}

import type { DriverContract } from 'flydrive/types'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import { E_DJAMAZING_INVALID_ARGUMENT, E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { logCall } from '../store/store_call.ts'
import { DiskVariants, type ReadBytes, type VariantDriver } from './disk_variants.ts'

/**
 * What the driver does about image variants: keeps a file's variants in
 * step with its writes, moves and deletes, and makes their URLs. A disk
 * without `variants` does nothing here, and refuses variant URLs.
 */
export class DriverVariants {
  #disk: ResolvedDisk
  readonly variants: DiskVariants | undefined
  #getUrl: (key: string) => Promise<string>

  /**
   * `driver` is the disk's own driver: the variants' writes go through it
   * (keys inside the variants folder are left alone here, so they never
   * recurse), and their URLs are its `getUrl`'s. `readBytes` reads an
   * original whole through the driver.
   */
  constructor(
    disk: ResolvedDisk,
    driver: VariantDriver & Pick<DriverContract, 'getUrl'>,
    readBytes: ReadBytes
  ) {
    this.#disk = disk
    this.#getUrl = (key) => driver.getUrl(key)
    if (disk.variants) {
      this.variants = new DiskVariants(disk.variants, driver, readBytes, {
        disk: disk.name,
        setting: disk.setting('variants'),
      })
    }
  }

  /**
   * The variants of a file outside the variants folder, when the disk has
   * any.
   */
  #of(key: string): DiskVariants | undefined {
    const variants = this.variants
    return variants && !key.startsWith(variants.settings.folder) ? variants : undefined
  }

  /**
   * After `key` was written: its old variants go, and with `eager` the new
   * ones are made (from `contents` when the caller had them).
   */
  async written(key: string, contents?: string | Uint8Array): Promise<void> {
    const variants = this.#of(key)
    if (!variants) return
    await variants.removeAll(key)
    if (variants.settings.eager) {
      await variants.makeAll(key, typeof contents === 'string' ? Buffer.from(contents) : contents)
    }
  }

  async moved(source: string, destination: string): Promise<void> {
    await this.#of(source)?.moveAll(source, destination)
  }

  async deleted(key: string): Promise<void> {
    await this.#of(key)?.removeAll(key)
  }

  /**
   * After `deleteAll(prefix)`: the folder's variants go too. The whole
   * disk ("" or "/") already held the variants folder.
   */
  async folderDeleted(prefix: string): Promise<void> {
    if (prefix === '' || prefix === '/') return
    await this.#of(prefix)?.removeAll(prefix.endsWith('/') ? prefix : `${prefix}/`)
  }

  /**
   * The URL of a variant: `getUrl` of its key, made first on a public disk
   * (a protected disk's redirect makes it when its link is followed).
   */
  async url(key: string, variant: string): Promise<string> {
    const variants = this.#declared()
    const variantKey = variants.keyOf(key, variant)
    logCall(this.#disk, 'getVariantUrl', this.#disk.objectKey(variantKey))
    if (this.#disk.mode === 'public') await variants.ensure(key, variant)
    return this.#getUrl(variantKey)
  }

  /**
   * `"<url> 320w, <url> 640w"`: every variant named must declare a width.
   */
  async srcset(key: string, names: string[]): Promise<string> {
    const declared = this.#declared().settings.variants
    if (!Array.isArray(names) || names.length === 0) {
      throw new E_DJAMAZING_INVALID_ARGUMENT(['variants', 'a list of variant names'])
    }
    const entries = await Promise.all(
      names.map(async (name) => {
        const url = await this.url(key, name)
        const width = declared.get(name)!.transform.width
        if (width === undefined) {
          throw new E_DJAMAZING_INVALID_ARGUMENT([
            'variants',
            `the variant "${name}" declares no width, which a srcset entry needs`,
          ])
        }
        return `${url} ${width}w`
      })
    )
    return entries.join(', ')
  }

  #declared(): DiskVariants {
    if (!this.variants) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        this.#disk.setting('variants'),
        'the disk declares no variants: set variants: { transforms: { thumb: { width: 320 } } }',
      ])
    }
    return this.variants
  }
}

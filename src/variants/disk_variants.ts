import type { DriverContract } from 'flydrive/types'
import debug from '../debug.ts'
import {
  E_DJAMAZING_INVALID_ARGUMENT,
  E_DJAMAZING_OBJECT_NOT_FOUND,
  E_DJAMAZING_UNKNOWN_VARIANT,
  E_DJAMAZING_VARIANT_CORRUPT_IMAGE,
  E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED,
  E_DJAMAZING_VARIANT_NOT_AN_IMAGE,
  E_DJAMAZING_VARIANT_SOURCE_MISSING,
  E_DJAMAZING_VARIANT_TIMEOUT,
  E_DJAMAZING_VARIANT_TOO_LARGE,
} from '../errors.ts'
import { Lru } from '../lru.ts'
import { Limiter } from './limiter.ts'
import type { ResolvedVariant, VariantSettings } from './options.ts'
import { loadSharp } from './sharp.ts'
import { makeVariant } from './transform.ts'

/**
 * How many variant keys a disk remembers as stored, so that following a
 * variant's link again costs no request to the store.
 */
const KNOWN_VARIANTS = 10_000

/**
 * How long a variant is taken as stored without asking the store again
 * (another server of the app may have deleted it with its original).
 */
const KNOWN_FOR_MS = 60_000

/**
 * The errors that say an original cannot have variants (it is no image,
 * or not one the disk takes): eager generation skips such a file.
 */
const NOT_FOR_VARIANTS = [
  E_DJAMAZING_VARIANT_NOT_AN_IMAGE,
  E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED,
  E_DJAMAZING_VARIANT_TOO_LARGE,
  E_DJAMAZING_VARIANT_CORRUPT_IMAGE,
]

/**
 * A variant key, taken apart: the original's key and the variant.
 */
export type VariantKey = { original: string; variant: ResolvedVariant }

/**
 * The calls variants make of the disk's own driver, by disk key. The
 * driver leaves keys inside the variants folder to these calls alone, so
 * they never recurse into variants.
 */
export type VariantDriver = Pick<
  DriverContract,
  'put' | 'exists' | 'listAll' | 'move' | 'deleteAll'
>

/**
 * The driver's read of a whole file into one buffer (`undefined` above
 * `maxBytes`), which flydrive's contract has no call for.
 */
export type ReadBytes = (key: string, maxBytes: number) => Promise<Uint8Array | undefined>

/**
 * The variants of one disk: where each one lives, making it once however
 * many ask at the same time, and keeping them in step with their original.
 *
 * A variant of `photos/a.jpg` lives in the disk at
 * `<folder>photos/a.jpg/<name>-<digest>.<ext>`: same bucket, same prefix,
 * so the same CloudFront behavior and the same protection as its
 * original, and every variant of a file (or of a whole folder) is one
 * folder to move or delete.
 */
export class DiskVariants {
  readonly settings: VariantSettings
  #driver: VariantDriver
  #readBytes: ReadBytes
  #disk: string
  #setting: string
  #limiter: Limiter
  #inFlight = new Map<string, Promise<void>>()
  #known = new Lru<number>(KNOWN_VARIANTS)
  #now: () => number

  constructor(
    settings: VariantSettings,
    driver: VariantDriver,
    readBytes: ReadBytes,
    names: { disk: string; setting: string },
    now: () => number = Date.now
  ) {
    this.settings = settings
    this.#driver = driver
    this.#readBytes = readBytes
    this.#disk = names.disk
    this.#setting = names.setting
    this.#limiter = new Limiter(settings.concurrency)
    this.#now = now
  }

  /**
   * The disk key of the variant `name` of `key`.
   */
  keyOf(key: string, name: string): string {
    const variant = typeof name === 'string' ? this.settings.variants.get(name) : undefined
    if (!variant) throw new E_DJAMAZING_UNKNOWN_VARIANT([String(name), this.#disk])
    if (key.startsWith(this.settings.folder)) {
      throw new E_DJAMAZING_INVALID_ARGUMENT([
        'key',
        `"${key}" is inside the variants folder "${this.settings.folder}": variants have no variants`,
      ])
    }
    return `${this.folderOf(key)}${variant.fileName}`
  }

  /**
   * The folder that holds every variant of `key`, or of every file under
   * `key` when it is a folder.
   */
  folderOf(key: string): string {
    return `${this.settings.folder}${key.endsWith('/') ? key : `${key}/`}`
  }

  /**
   * The original and variant of a key this disk would make, or `undefined`
   * for any other key (an original, or a variant of a transform the disk
   * no longer declares).
   */
  parse(key: string): VariantKey | undefined {
    const folder = this.settings.folder
    if (!key.startsWith(folder)) return undefined
    const slash = key.lastIndexOf('/')
    if (slash <= folder.length) return undefined
    const fileName = key.slice(slash + 1)
    const name = fileName.slice(0, fileName.lastIndexOf('-'))
    const variant = this.settings.variants.get(name)
    if (!variant || variant.fileName !== fileName) return undefined
    return { original: key.slice(folder.length, slash), variant }
  }

  /**
   * Before a link to `key` is followed: when it is a variant key that is
   * not known to be stored, a promise that settles once it is (made now
   * if need be); `undefined` when there is nothing to wait for, so the
   * common case costs no promise.
   */
  ready(key: string): Promise<void> | undefined {
    if (!key.startsWith(this.settings.folder)) return undefined
    const checked = this.#known.get(key)
    if (checked !== undefined && this.#now() - checked < KNOWN_FOR_MS) return undefined
    const parsed = this.parse(key)
    if (!parsed) return undefined
    return this.#singleFlight(key, async () => {
      if (await this.#driver.exists(key)) return
      await this.#make(key, parsed)
    })
  }

  /**
   * Makes sure the variant `name` of `key` is stored, and returns its key.
   */
  async ensure(key: string, name: string): Promise<string> {
    const variantKey = this.keyOf(key, name)
    await this.ready(variantKey)
    return variantKey
  }

  /**
   * Makes every variant of `key` now (eager generation), from `bytes` when
   * the caller has them. A file that cannot have variants (not an image,
   * a format not taken, too large, damaged) is skipped: a disk holds other
   * files too, and asking for its variant later says why.
   */
  async makeAll(key: string, bytes?: Uint8Array): Promise<void> {
    if (key.startsWith(this.settings.folder)) return
    let input = bytes
    try {
      input ??= await this.#read(key)
      if (input.length > this.settings.maxInputBytes) return
      await Promise.all(
        [...this.settings.variants.values()].map((variant) =>
          this.#singleFlight(`${this.folderOf(key)}${variant.fileName}`, (variantKey) =>
            this.#make(variantKey, { original: key, variant }, input)
          )
        )
      )
    } catch (error) {
      if (NOT_FOR_VARIANTS.some((refusal) => error instanceof refusal)) {
        debug('variants %s: no variants of %s (%s)', this.#disk, key, (error as Error).message)
        return
      }
      throw error
    }
  }

  /**
   * Deletes every variant of `key` (its original was deleted or
   * overwritten), or of every file under the folder `key`.
   */
  async removeAll(key: string): Promise<void> {
    const folder = this.folderOf(key)
    // A variant being made from the old file would land after the delete.
    const making = [...this.#inFlight].filter(([variantKey]) => variantKey.startsWith(folder))
    await Promise.allSettled(making.map(([, run]) => run))
    this.#forget(key)
    await this.#driver.deleteAll(folder)
  }

  /**
   * Moves the variants of `from` to `to` (its original was moved). The
   * variants of `to`'s previous file are deleted first.
   */
  async moveAll(from: string, to: string): Promise<void> {
    await this.removeAll(to)
    const source = this.folderOf(from)
    const target = this.folderOf(to)
    this.#forget(from)
    const keys: string[] = []
    let paginationToken: string | undefined
    do {
      const page = await this.#driver.listAll(source, { recursive: true, paginationToken })
      for (const entry of page.objects) if (entry.isFile) keys.push(entry.key)
      paginationToken = page.paginationToken
    } while (paginationToken)
    for (const key of keys) await this.#driver.move(key, `${target}${key.slice(source.length)}`)
  }

  /**
   * The bytes of an original: `E_DJAMAZING_VARIANT_SOURCE_MISSING` when it
   * does not exist, `E_DJAMAZING_VARIANT_TOO_LARGE` over `maxInputBytes`.
   */
  async #read(key: string): Promise<Uint8Array> {
    const maxBytes = this.settings.maxInputBytes
    const bytes = await this.#readBytes(key, maxBytes).catch((error) => {
      throw error instanceof E_DJAMAZING_OBJECT_NOT_FOUND
        ? new E_DJAMAZING_VARIANT_SOURCE_MISSING([key], { cause: error })
        : error
    })
    // A file over the limit is never held whole: the store stops reading.
    if (!bytes) {
      throw new E_DJAMAZING_VARIANT_TOO_LARGE([
        key,
        `the file is over the limit of ${maxBytes} bytes (variants.maxInputBytes)`,
      ])
    }
    return bytes
  }

  /**
   * Stops taking the variants of `key` as stored: those of its declared
   * variants for a file, every one for a folder (a rare, bulk operation).
   */
  #forget(key: string): void {
    if (key.endsWith('/')) {
      this.#known = new Lru<number>(KNOWN_VARIANTS)
      return
    }
    const folder = this.folderOf(key)
    for (const variant of this.settings.variants.values()) {
      const variantKey = `${folder}${variant.fileName}`
      const checked = this.#known.get(variantKey)
      if (checked !== undefined) this.#known.deleteIf(variantKey, checked)
    }
  }

  /**
   * One run of `work` per variant key at a time: whoever asks while it
   * runs waits for the same run. Once it succeeds the key is known.
   */
  #singleFlight(variantKey: string, work: (variantKey: string) => Promise<void>): Promise<void> {
    const running = this.#inFlight.get(variantKey)
    if (running) return running
    const run = work(variantKey).then(
      () => {
        this.#known.set(variantKey, this.#now())
        this.#inFlight.delete(variantKey)
      },
      (error) => {
        this.#inFlight.delete(variantKey)
        throw error
      }
    )
    this.#inFlight.set(variantKey, run)
    return run
  }

  /**
   * Reads the original (unless given), makes the variant within the
   * disk's concurrency, and stores it with the type sharp wrote.
   *
   * The time limit runs from when the variant's turn comes. sharp stops
   * the work in libvips when it is over; the timer here is a second fence
   * for work libvips cannot interrupt (an encoder's single long call): the
   * caller is answered on time, and the turn is held until the work has
   * really ended, so stuck work can never take more threads than the
   * disk's `concurrency`.
   */
  async #make(variantKey: string, parsed: VariantKey, bytes?: Uint8Array): Promise<void> {
    const sharp = await loadSharp(this.#setting)
    const { timeout } = this.settings
    return new Promise<void>((resolve, reject) => {
      this.#limiter
        .run(async () => {
          const timer = setTimeout(
            () => reject(new E_DJAMAZING_VARIANT_TIMEOUT([parsed.original, timeout])),
            timeout * 1000
          )
          try {
            const input = bytes ?? (await this.#read(parsed.original))
            const started = this.#now()
            const made = await makeVariant(
              sharp,
              parsed.original,
              input,
              parsed.variant.transform,
              this.settings
            )
            if (made.format !== parsed.variant.transform.format) {
              // Never expected: the key's extension would name another type.
              throw new E_DJAMAZING_VARIANT_CORRUPT_IMAGE([
                parsed.original,
                `the encoder wrote ${made.format} for a ${parsed.variant.transform.format} variant`,
              ])
            }
            await this.#driver.put(variantKey, made.bytes, { contentType: made.contentType })
            debug(
              'variants %s: made %s of %s, %dx%d %s, %d bytes in %d ms',
              this.#disk,
              parsed.variant.name,
              parsed.original,
              made.width,
              made.height,
              made.format,
              made.bytes.length,
              this.#now() - started
            )
            resolve()
          } finally {
            clearTimeout(timer)
          }
        })
        .catch(reject)
    })
  }
}

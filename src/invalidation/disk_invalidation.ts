import type { CdnBase } from '../cdn_url.ts'
import type { DiskVariants } from '../variants/disk_variants.ts'
import { cloudFrontSender } from './client.ts'
import { invalidationPath } from './paths.ts'
import { Invalidator, SYSTEM_CLOCK } from './invalidator.ts'
import type { ResolvedInvalidation } from '../disk/settings.ts'

/**
 * A disk's invalidation: object keys that changed, as CloudFront paths
 * under the disk's CDN URL, handed to its invalidator.
 */
export class DiskInvalidation {
  readonly invalidator: Invalidator
  readonly #basePath: string
  readonly #prefix: string

  constructor(disk: string, cdn: CdnBase, prefix: string, settings: ResolvedInvalidation) {
    this.#basePath = new URL(cdn.base).pathname
    this.#prefix = prefix
    this.invalidator = new Invalidator({
      ...settings,
      disk,
      send: cloudFrontSender(settings.setting, settings.client, {
        endpoint: settings.endpoint,
        credentials: settings.credentials,
      }),
      clock: settings.clock ?? SYSTEM_CLOCK,
    })
  }

  get distributionId(): string {
    return this.invalidator.distributionId
  }

  /**
   * The CloudFront path of an object key; a folder (ending with "/") is
   * a wildcard over it.
   */
  pathOf(objectKey: string): string {
    const path = invalidationPath(this.#basePath, objectKey)
    return (objectKey === '' || objectKey.endsWith('/')) && !path.endsWith('*') ? `${path}*` : path
  }

  /**
   * Invalidates files and folders (ending with "/"; "" is the whole disk)
   * of the disk, by disk key, with the variants of each: a file's declared
   * variants by path, a folder's variants folder by wildcard. Keys inside
   * the variants folder are the variants' own writes and deletions,
   * already covered by their original's.
   */
  changed(keys: readonly string[], variants: DiskVariants | undefined): Promise<void> {
    const objectKeys: string[] = []
    for (const key of keys) {
      if (variants && key.startsWith(variants.settings.folder)) continue
      objectKeys.push(`${this.#prefix}${key}`)
      if (!variants || key === '') continue
      if (key.endsWith('/')) objectKeys.push(`${this.#prefix}${variants.folderOf(key)}`)
      else {
        for (const name of variants.settings.variants.keys()) {
          objectKeys.push(`${this.#prefix}${variants.keyOf(key, name)}`)
        }
      }
    }
    return this.invalidator.invalidate(objectKeys.map((key) => this.pathOf(key)))
  }
}

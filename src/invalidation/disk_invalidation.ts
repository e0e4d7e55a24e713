import type { CdnBase } from '../cdn_url.ts'
import type { DiskVariants } from '../variants/disk_variants.ts'
import { cloudFrontCalls } from './client.ts'
import { encodeObjectKey } from '../object_key.ts'
import { invalidationPath } from './paths.ts'
import { Invalidator, SYSTEM_CLOCK } from './invalidator.ts'
import type { ResolvedInvalidation } from '../disk/settings.ts'

export type DiskInvalidation = ReturnType<typeof diskInvalidation>

/**
 * A disk's invalidation: object keys that changed, as CloudFront paths
 * under the disk's CDN URL, handed to its invalidator.
 */
export function diskInvalidation(
  disk: string,
  cdn: CdnBase,
  prefix: string,
  settings: ResolvedInvalidation
) {
  const basePath = new URL(cdn.base).pathname
  const calls = cloudFrontCalls(settings)
  const invalidator = new Invalidator({
    ...settings,
    disk,
    send: calls.create,
    clock: settings.clock ?? SYSTEM_CLOCK,
  })

  /**
   * The CloudFront paths of an object key; a folder (ending with "/", or
   * "" for the whole bucket) is a wildcard over it. A file gets the path
   * its URL has (what viewers request, which CloudFront caches) and, when
   * it differs, the path as AWS asks invalidation paths to be encoded
   * (see `invalidationPath`): which of the two spellings CloudFront
   * compares for characters such as `!`, `~` or `@` is not documented.
   */
  const pathsOf = (objectKey: string): string[] => {
    if (objectKey === '' || objectKey.endsWith('/')) {
      const path = invalidationPath(basePath, objectKey)
      return [path.endsWith('*') ? path : `${path}*`]
    }
    const asRequested = `${basePath}${encodeObjectKey(objectKey)}`
    const asDocumented = invalidationPath(basePath, objectKey)
    return asRequested === asDocumented ? [asRequested] : [asRequested, asDocumented]
  }

  return {
    invalidator,
    distributionId: settings.distributionId,
    /**
     * `ListInvalidations` of the distribution, one item: it needs
     * `cloudfront:ListInvalidations` on the distribution and creates nothing
     * (`djamazing:doctor`). Rejects with CloudFront's refusal.
     */
    listOne: calls.list,
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
        objectKeys.push(`${prefix}${key}`)
        if (!variants || key === '') continue
        if (key.endsWith('/')) objectKeys.push(`${prefix}${variants.folderOf(key)}`)
        else {
          for (const name of variants.settings.variants.keys()) {
            objectKeys.push(`${prefix}${variants.keyOf(key, name)}`)
          }
        }
      }
      return invalidator.invalidate(objectKeys.flatMap(pathsOf), objectKeys.length)
    },
  }
}

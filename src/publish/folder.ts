import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { contentTypeFor } from '../store/content_type.ts'

/**
 * A file of the folder being published, with what its object gets.
 */
export type FolderFile = {
  /**
   * The key under the publish prefix: the path in the folder, `/`-separated.
   */
  path: string
  file: string
  size: number
  sha256: string
  contentType: string
  cacheControl: string
}

/**
 * A year, as long as caches keep anything, for names that change with
 * their content: a new build writes new names, so an old copy is never
 * wrong. `immutable` spares browsers the revalidation on reload.
 */
export const IMMUTABLE = 'public, max-age=31536000, immutable'

/**
 * Names that carry a hash of their content, as bundlers write them: Vite
 * and Rollup `app-W1erjkBN.js` (8 characters of base64url), esbuild
 * `app-5HKJ3JQL.js`, webpack `app.3f2a9c1d.css` (hex). The hash must
 * have letters and a digit, or both cases, so that a plain word or a date
 * of that length (`my-document.pdf`, `photo-20240101.jpg`) is not taken
 * for one: a file wrongly marked immutable stays stale in browsers for a
 * year, one wrongly not is only revalidated.
 */
export function hasContentHash(name: string): boolean {
  const hash =
    /-([A-Za-z0-9_-]{8})\.[A-Za-z0-9]+$/.exec(name)?.[1] ??
    /\.([a-f0-9]{8,})\.[A-Za-z0-9]+$/.exec(name)?.[1]
  if (!hash) return false
  const letters = /[A-Za-z]/.test(hash)
  return letters && (/[0-9]/.test(hash) || (/[a-z]/.test(hash) && /[A-Z]/.test(hash)))
}

async function sha256Of(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), size }
}

/**
 * Every file under `folder` (symbolic links are not followed), sorted by
 * path, with its checksum, content type and caching.
 */
export async function readFolder(
  folder: string,
  options: { shortCacheControl: string }
): Promise<FolderFile[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  const files: FolderFile[] = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const file = join(entry.parentPath, entry.name)
    const path = relative(folder, file).split(sep).join('/')
    const { sha256, size } = await sha256Of(file)
    files.push({
      path,
      file,
      size,
      sha256,
      contentType: contentTypeFor(path) ?? 'application/octet-stream',
      cacheControl: hasContentHash(entry.name) ? IMMUTABLE : options.shortCacheControl,
    })
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

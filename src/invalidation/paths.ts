/*
 * CloudFront invalidation paths of object keys, and the plan of one
 * request: coalesced, collapsed to folder wildcards where many files of a
 * folder changed or a limit demands it.
 */

import type { ResolvedInvalidation } from '../disk/settings.ts'

/**
 * Characters AWS asks to URL-encode in an invalidation path: non-ASCII
 * and the "unsafe" characters of RFC 1738 (space, `"`, `#`, `%`, `<`, `>`,
 * `{`, `}`, `|`, `\`, `^`, `~`, `[`, `]`, `` ` ``, controls). "Do not
 * URL-encode any other characters in the path, or CloudFront will not
 * invalidate the old version" (CloudFront Developer Guide, Invalidation).
 * `?` is encoded as well: raw, it would start a query string, and the
 * viewer's URL of such a key has `%3F`.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0020"#%<>{}|\\^~[\]`?\u007f-\u{10ffff}]/gu

/**
 * The invalidation path of a key under the CDN base path (`/media/` for
 * `https://cdn.example.com/media`). A key holding `*` ends at it, as a
 * wildcard: CloudFront takes `*` only as the last character of a path.
 */
export function invalidationPath(basePath: string, objectKey: string): string {
  const [head, ...wildcard] = objectKey.split('*')
  // encodeURIComponent leaves only `~` of these as it is.
  const path = head.replace(UNSAFE, (char) => (char === '~' ? '%7E' : encodeURIComponent(char)))
  return `${basePath}${path}${wildcard.length > 0 ? '*' : ''}`
}

export function isWildcard(path: string): boolean {
  return path.endsWith('*')
}

/**
 * Whether `path` is covered by the wildcard `wildcard`.
 */
function covers(wildcard: string, path: string): boolean {
  return path !== wildcard && path.startsWith(wildcard.slice(0, -1))
}

export type PlanLimits = Pick<ResolvedInvalidation, 'maxPaths' | 'maxWildcards' | 'wildcardAbove'>

/**
 * The folder of a path, ending with "/" (`/static/a/` for `/static/a/b.png`
 * and for `/static/a/*`), or undefined at the root.
 */
function folderOf(path: string): string | undefined {
  const end = path.endsWith('/*') ? path.length - 2 : path.length
  const slash = path.lastIndexOf('/', end - 1)
  return slash <= 0 && end <= 1 ? undefined : path.slice(0, slash + 1)
}

/**
 * The paths of one request for a set of changed paths: duplicates and
 * paths under a wildcard dropped; a folder with more than `wildcardAbove`
 * changed files becomes `folder/*`; then, while over `maxPaths` files or
 * `maxWildcards` wildcards, the deepest folder holding two or more paths
 * becomes a wildcard (ending, at worst, with `/*`). Wildcards invalidate
 * more than changed, never less.
 */
export function planPaths(changed: Iterable<string>, limits: PlanLimits): string[] {
  const paths = new Set(changed)
  const dropCovered = () => {
    const wildcards = [...paths].filter(isWildcard)
    if (wildcards.length === 0) return
    for (const path of paths) {
      if (wildcards.some((wildcard) => covers(wildcard, path))) paths.delete(path)
    }
  }
  const collapse = (folder: string) => {
    paths.add(`${folder}*`)
    dropCovered()
  }
  dropCovered()

  // Many files of one folder: one wildcard.
  const filesByFolder = Map.groupBy(
    [...paths].filter((path) => !isWildcard(path)),
    folderOf
  )
  for (const [folder, files] of filesByFolder) {
    if (folder && files.length > limits.wildcardAbove) collapse(folder)
  }

  // Over the limits: the deepest folder holding two or more paths.
  const over = () => {
    const files = [...paths].filter((path) => !isWildcard(path)).length
    return files > limits.maxPaths || paths.size - files > limits.maxWildcards
  }
  while (over()) {
    const counts = new Map<string, number>()
    for (const path of paths) {
      for (let folder = folderOf(path); folder; folder = folderOf(folder.slice(0, -1))) {
        counts.set(folder, (counts.get(folder) ?? 0) + 1)
        if (folder === '/') break
      }
    }
    let best: string | undefined
    for (const [folder, count] of counts) {
      if (count < 2 || paths.has(`${folder}*`)) continue
      if (!best || folder.length > best.length) best = folder
    }
    collapse(best ?? '/')
    if (!best) break
  }
  return [...paths].sort()
}

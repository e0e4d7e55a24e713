import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CHUNK = 8 * 1024 * 1024

/**
 * Files of random bytes in a temp folder, made on first use for a run
 * (never committed): `file(size)` gives its path and SHA-256 (hex),
 * `remove()` deletes them all.
 */
export function randomFiles() {
  const made = new Map<number, Promise<{ path: string; sha256: string }>>()
  let folder: Promise<string> | undefined
  return {
    file(size: number) {
      if (!made.has(size)) {
        made.set(
          size,
          (async () => {
            folder ??= mkdtemp(join(tmpdir(), 'djamazing-big-'))
            const path = join(await folder, `${size}.bin`)
            const hash = createHash('sha256')
            const handle = await open(path, 'w')
            for (let written = 0; written < size; written += CHUNK) {
              const chunk = randomBytes(Math.min(CHUNK, size - written))
              hash.update(chunk)
              await handle.write(chunk)
            }
            await handle.close()
            return { path, sha256: hash.digest('hex') }
          })()
        )
      }
      return made.get(size)!
    },
    async remove() {
      if (folder) await rm(await folder, { recursive: true, force: true })
    },
  }
}

import { execFile } from 'node:child_process'
import { mkdir, readdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * The repository's root folder.
 */
export const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url))

let packing: Promise<string> | undefined

/**
 * The package as `npm publish` would ship it: `npm run build`, then
 * `npm pack` into `tmp/pack/`. Built once per test process (or taken from
 * `DJAMAZING_PACKED_TARBALL` when CI packed it already); resolves to the
 * tarball's path.
 */
export function packedTarball(): Promise<string> {
  // CI packs the package before the tests (.ci/run) and says where.
  const packed = process.env.DJAMAZING_PACKED_TARBALL
  if (packed) return Promise.resolve(packed)
  packing ??= (async () => {
    const destination = join(REPOSITORY, 'tmp', 'pack')
    await mkdir(destination, { recursive: true })
    await run('npm', ['run', 'build'], { cwd: REPOSITORY })
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: REPOSITORY,
      maxBuffer: 16 * 1024 * 1024,
    })
    const [{ filename }] = JSON.parse(stdout) as { filename: string }[]
    return join(destination, filename)
  })()
  return packing
}

/**
 * Installs a packed tarball into an app without the network, as
 * `npm install <tarball>` lays it out: the tarball unpacked as
 * `node_modules/<name>`, every other package linked from this
 * repository's `node_modules` (the versions of package-lock.json, which
 * satisfy the package's dependencies and peer dependencies).
 */
export async function installPacked(appRoot: string, tarball: string, name = 'djamazing') {
  const modules = join(appRoot, 'node_modules')
  await mkdir(join(modules, name), { recursive: true })
  await run('tar', ['-xzf', tarball, '-C', join(modules, name), '--strip-components=1'])
  const source = join(REPOSITORY, 'node_modules')
  for (const entry of await readdir(source)) {
    if (entry === name || entry === '.package-lock.json') continue
    await symlink(join(source, entry), join(modules, entry))
  }
}

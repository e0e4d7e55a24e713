import { cp, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { FileSystem } from '@japa/file-system'
import { IgnitorFactory } from '@adonisjs/core/factories'
import Configure from '@adonisjs/core/commands/configure'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PACKAGE_ENTRY = new URL('../../index.ts', import.meta.url).href

/**
 * The official AdonisJS 7 starter kits, as fixtures in
 * tests/fixtures/starter_kits/<kit>.
 */
export const STARTER_KITS = ['web', 'api', 'slim', 'inertia'] as const
export type StarterKit = (typeof STARTER_KITS)[number]

/**
 * Packages the starter kits import (their providers, commands and hooks)
 * that this project does not install. `tsc` of a kit app sees them as
 * ambient modules of type `any`: what djamazing writes is type-checked
 * for real, these imports only resolve.
 */
const ABSENT_KIT_PACKAGES = [
  '@adonisjs/lucid/commands',
  '@adonisjs/lucid/database_provider',
  '@adonisjs/vite/vite_provider',
  '@adonisjs/vite/build_hook',
  '@adonisjs/shield/shield_provider',
  '@adonisjs/static/static_provider',
  '@adonisjs/cors/cors_provider',
  '@adonisjs/inertia/inertia_provider',
]

async function newAppFolder(fs: FileSystem) {
  const basePath = await mkdtemp(join(tmpdir(), 'djamazing-configure-'))
  fs.basePath = basePath
  fs.baseUrl = pathToFileURL(`${basePath}/`)
  return basePath
}

/**
 * An `ace` kernel booted on the app folder of `fs`, and a way to run
 * `node ace configure djamazing` there.
 */
async function aceOn(fs: FileSystem) {
  const ignitor = new IgnitorFactory()
    .withCoreProviders()
    .withCoreConfig()
    .create(fs.baseUrl, {
      importer: (filePath) => import(filePath === 'djamazing' ? PACKAGE_ENTRY : filePath),
    })
  const app = ignitor.createApp('console')
  await app.init()
  await app.boot()
  const ace = await app.container.make('ace')

  return {
    ace,

    /**
     * Runs `node ace configure djamazing` with the given flags.
     */
    async configure(flags: string[] = []) {
      const command = await ace.create(Configure, ['djamazing', ...flags])
      command.ui.switchMode('raw')
      await command.exec()
      return command
    },
  }
}

/**
 * A fresh AdonisJS 7 app folder, the files `node ace configure` edits as
 * a new app has them, and an `ace` kernel booted on it.
 */
export async function createConfigureApp(fs: FileSystem) {
  await newAppFolder(fs)
  await fs.create('.env', 'APP_KEY=Wm3Tq8Zk1Xv6Np4Lb9Rc2Yh7Jf5Gd0sA\n')
  await fs.createJson('tsconfig.json', {})
  await fs.createJson('package.json', { name: 'app', type: 'module' })
  await fs.create(
    'start/env.ts',
    `import { Env } from '@adonisjs/core/env'\n\nexport default await Env.create(new URL('../', import.meta.url), {\n  APP_KEY: Env.schema.string(),\n})\n`
  )
  await fs.create(
    'adonisrc.ts',
    `import { defineConfig } from '@adonisjs/core/app'\n\nexport default defineConfig({\n  providers: [() => import('@adonisjs/core/providers/app_provider')],\n})\n`
  )
  await fs.create(
    'config/app.ts',
    [
      `import env from '#start/env'`,
      `import { defineConfig } from '@adonisjs/core/http'`,
      ``,
      `export const appKey = env.get('APP_KEY')`,
      ``,
      `export const http = defineConfig({`,
      `  generateRequestId: true,`,
      `  allowMethodSpoofing: false,`,
      `  useAsyncLocalStorage: false,`,
      `  cookie: {},`,
      `})`,
      ``,
    ].join('\n')
  )
  return aceOn(fs)
}

/**
 * A copy of a starter-kit fixture whose dependencies resolve to this
 * project's node_modules (one symlink per package, nothing installed),
 * `djamazing` among them pointing at this project's sources, so that
 * `tsc --noEmit` can check the app as its owner would.
 */
export async function createStarterKitApp(fs: FileSystem, kit: StarterKit) {
  const basePath = await newAppFolder(fs)
  await cp(join(ROOT, 'tests/fixtures/starter_kits', kit), basePath, { recursive: true })

  const modules = join(basePath, 'node_modules')
  await mkdir(modules)
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name.startsWith('.')) continue
    await symlink(join(ROOT, 'node_modules', name), join(modules, name))
  }
  const self = join(modules, 'djamazing')
  await mkdir(self)
  for (const entry of ['index.ts', 'configure.ts', 'src', 'providers', 'commands', 'stubs']) {
    await symlink(join(ROOT, entry), join(self, entry))
  }
  await writeFile(
    join(self, 'package.json'),
    JSON.stringify({
      name: 'djamazing',
      type: 'module',
      exports: {
        '.': './index.ts',
        './djamazing_provider': './providers/djamazing_provider.ts',
        './commands': './commands/main.ts',
      },
    })
  )
  await fs.create(
    'types/absent_kit_packages.d.ts',
    ABSENT_KIT_PACKAGES.map((name) => `declare module '${name}'\n`).join('')
  )
  return aceOn(fs)
}

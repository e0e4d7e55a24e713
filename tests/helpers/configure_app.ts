import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { FileSystem } from '@japa/file-system'
import { IgnitorFactory } from '@adonisjs/core/factories'
import Configure from '@adonisjs/core/commands/configure'

const PACKAGE_ENTRY = new URL('../../index.ts', import.meta.url).href

/**
 * A fresh AdonisJS 7 app folder, the files `node ace configure` edits as
 * a new app has them, and an `ace` kernel booted on it.
 */
export async function createConfigureApp(fs: FileSystem) {
  const basePath = await mkdtemp(join(tmpdir(), 'djamazing-configure-'))
  fs.basePath = basePath
  fs.baseUrl = pathToFileURL(`${basePath}/`)

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

import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import type { FileSystem } from '@japa/file-system'
import * as prettier from 'prettier'
import { createStarterKitApp, STARTER_KITS } from '../helpers/configure_app.ts'

const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))

/**
 * Every file of the app but its dependencies, path → bytes.
 */
async function tree(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name)
    if (!entry.isFile() || relative(root, path).startsWith('node_modules')) continue
    files[relative(root, path)] = await readFile(path, 'base64')
  }
  return files
}

/**
 * `tsc --noEmit` of the whole app, as `npm run typecheck` and
 * `node ace build` run it. Resolves to its output; fails with it.
 */
async function typecheck(root: string) {
  try {
    await promisify(execFile)(process.execPath, [TSC, '--noEmit', '-p', root])
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string }
    throw new Error(`tsc --noEmit failed in ${root}:\n${stdout}${stderr}`)
  }
}

test.group('node ace configure djamazing | official starter kits', (group) => {
  group.each.timeout(180_000)

  for (const kit of STARTER_KITS) {
    test(`${kit} kit: correct and type-checked after each of two runs, the second changing nothing`, async ({
      fs,
      assert,
    }) => {
      const app = await createStarterKitApp(fs, kit)
      const appConfigBefore = await fs.contents('config/app.ts')

      const first = await app.configure()
      assert.equal(first.exitCode, 0)
      await typecheck(fs.basePath)

      // Only the value changed: the comment above it stays, no second property.
      const appConfig = await fs.contents('config/app.ts')
      assert.equal(
        appConfig,
        appConfigBefore.replace('useAsyncLocalStorage: false', 'useAsyncLocalStorage: true')
      )

      // The owner fills in values; a second run must keep them.
      const written = await fs.contents('.env')
      const env = written
        .replace(/^S3_BUCKET=.*$/m, 'S3_BUCKET=my-bucket')
        .replace(/^AWS_REGION=$/m, 'AWS_REGION=eu-west-3')
      assert.include(env, 'S3_BUCKET=my-bucket')
      await fs.create('.env', env)
      const before = await tree(fs.basePath)

      const second = await app.configure()
      assert.equal(second.exitCode, 0)
      assert.deepEqual(await tree(fs.basePath), before)
      await typecheck(fs.basePath)
    })
  }

  test('what configure itself writes is formatted like the kit (prettier with its config)', async ({
    fs,
    assert,
  }) => {
    const app = await createStarterKitApp(fs, 'web')
    await app.configure()
    const options = await prettier.resolveConfig(join(fs.basePath, 'config/app.ts'))
    assert.equal(options?.semi, false, 'the kit formats with @adonisjs/prettier-config')
    // adonisrc.ts and start/env.ts are written by AdonisJS's own codemods.
    for (const file of ['config/app.ts', 'config/drive.ts']) {
      await assertFormatted(fs.basePath, file, options)
    }
  })

  test('adds its disks to the config/drive.ts of "node ace add @adonisjs/drive", twice the same', async ({
    fs,
    assert,
  }) => {
    const app = await createStarterKitApp(fs, 'web')
    await installDriveWithFsDisk(fs)
    const existing = await fs.contents('config/drive.ts')

    await app.configure()
    const config = await fs.contents('config/drive.ts')
    for (const line of existing.split('\n').filter((l) => l.trim() !== '')) {
      assert.include(config, line)
    }
    assert.match(config, /static: djamazing\(\{\n {6}\.\.\.shared,\n {6}mode: 'public',/)
    assert.match(config, /uploads: djamazing\(\{\n {6}\.\.\.shared,\n {6}mode: 'protected',/)
    await assertFormatted(
      fs.basePath,
      'config/drive.ts',
      await prettier.resolveConfig(join(fs.basePath, 'config/drive.ts'))
    )
    await typecheck(fs.basePath)

    const before = await tree(fs.basePath)
    await app.configure()
    assert.deepEqual(await tree(fs.basePath), before)
  })

  test('writes in the style of a config/drive.ts with semicolons, four spaces and double quotes', async ({
    fs,
  }) => {
    const app = await createStarterKitApp(fs, 'slim')
    const style = { semi: true, tabWidth: 4, singleQuote: false, printWidth: 100 }
    await fs.create(
      'config/drive.ts',
      await prettier.format(await driveConfigWithFsDisk(), { ...style, parser: 'typescript' })
    )
    await app.configure()
    await assertFormatted(fs.basePath, 'config/drive.ts', style)
  })
})

/**
 * Fails, with the lines that differ, unless prettier leaves the file as it is.
 */
async function assertFormatted(root: string, file: string, options: prettier.Options | null) {
  const text = await readFile(join(root, file), 'utf8')
  const formatted = await prettier.format(text, { ...options, filepath: file })
  if (text !== formatted) {
    const [a, b] = [text.split('\n'), formatted.split('\n')]
    const at = Array.from({ length: Math.max(a.length, b.length) }).findIndex(
      (_, index) => a[index] !== b[index]
    )
    throw new Error(
      `${file} is not formatted like the app, line ${at + 1}:\n  written:   ${JSON.stringify(a[at])}\n  formatted: ${JSON.stringify(b[at])}`
    )
  }
}

/**
 * config/drive.ts as "node ace add @adonisjs/drive" writes it with the
 * local fs service (from @adonisjs/drive's own stub), after the app's
 * formatter ran on it.
 */
async function driveConfigWithFsDisk() {
  const stub = await readFile(
    fileURLToPath(
      new URL('../../node_modules/@adonisjs/drive/build/config/drive.stub', import.meta.url)
    ),
    'utf8'
  )
  return stub
    .replace(/^\{\{\{[\s\S]*?\}\}\}\n/, '')
    .replace(/\{\{#if services\.includes\('fs'\)\}\}([\s\S]*?)\{\{\/if\}\}/g, '$1')
    .replace(/\{\{#if [^}]*\}\}[\s\S]*?\{\{\/if\}\}/g, '')
    .replace('services: { \n', 'services: {\n')
    .replace(/\n*$/, '\n')
}

/**
 * What "node ace add @adonisjs/drive" (fs service) leaves in an app.
 */
async function installDriveWithFsDisk(fs: FileSystem) {
  await fs.create('config/drive.ts', await driveConfigWithFsDisk())
  const env = await fs.contents('start/env.ts')
  await fs.create(
    'start/env.ts',
    env.replace(
      /\n\}\)\n$/,
      `\n\n  /*\n  |----------------------------------------------------------\n  | Variables for configuring the drive package\n  |----------------------------------------------------------\n  */\n  DRIVE_DISK: Env.schema.enum(['fs'] as const),\n})\n`
    )
  )
  await fs.create('.env', `${await fs.contents('.env')}DRIVE_DISK=fs\n`)
}

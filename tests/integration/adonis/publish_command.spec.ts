import { randomUUID } from 'node:crypto'
import { cp, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import DjamazingPublish from '../../../commands/djamazing_publish.ts'
import { runNode } from '../../helpers/app_process.ts'
import { REPOSITORY } from '../../helpers/packed_package.ts'
import { runAceCommand, startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

/*
 * `node ace djamazing:publish` (docs/publish.md): a front end built by the
 * real Vite into `public/assets`, published with `public/robots.txt` to
 * the public `static` disk (s3rver), its files then fetched from the CDN
 * path as a browser would.
 */

/**
 * A copy of the Vite fixture, built: `public/` holds robots.txt and
 * Vite's hashed output.
 */
async function viteBuiltPublic(): Promise<string> {
  const root = join(REPOSITORY, 'tmp', `vite-app-${randomUUID()}`)
  await cp(join(REPOSITORY, 'tests/fixtures/vite_app'), root, { recursive: true })
  const vite = join(REPOSITORY, 'node_modules/vite/bin/vite.js')
  const build = await runNode(root, [vite, 'build'])
  if (build.code !== 0) throw new Error(`vite build failed:\n${build.output}`)
  return root
}

function publish(app: AdonisTestApp, folder: string, ...flags: string[]) {
  return runAceCommand(app, DjamazingPublish, [folder, '--disk=static', ...flags])
}

/**
 * The keys each `[n/total] upload <key>` line of the output names.
 */
function uploadedIn(output: string, verb = 'upload'): string[] {
  return [...output.matchAll(new RegExp(`^\\[\\d+/\\d+\\] ${verb} (.+)$`, 'gm'))]
    .map((match) => match[1])
    .sort()
}

async function fetchFromCdn(app: AdonisTestApp, key: string) {
  const url = await app.drive.use('static').getUrl(key)
  return fetch(url)
}

/**
 * Whether the disk holds `key`. Not asked of the CDN: there, as on
 * CloudFront, a deleted robots.txt stays served until its max-age, and a
 * 404 stays for 10 s after the file is published.
 */
async function onDisk(app: AdonisTestApp, key: string): Promise<boolean> {
  return app.drive.use('static').exists(key)
}

test.group('djamazing:publish | a Vite-built public/ to the static disk', (group) => {
  let app: AdonisTestApp
  let root: string
  let assets: string[]

  group.setup(async () => {
    ;[app, root] = await Promise.all([startAdonisApp(), viteBuiltPublic()])
    const built = await readdir(join(root, 'public/assets'))
    assets = built.filter((name) => name !== '.vite')
    return async () => {
      await app.stop()
      await rm(root, { recursive: true, force: true })
    }
  })

  test('uploads every file, then nothing, then exactly the file that changed', async ({
    assert,
  }) => {
    const publicFolder = join(root, 'public')
    // Vite wrote hashed names: the script, the style sheet, the image it links.
    assert.lengthOf(assets, 3)
    for (const name of assets) assert.match(name, /^[a-z]+-[A-Za-z0-9_-]{8}\.(js|css|svg)$/)

    const first = await publish(app, publicFolder)
    assert.equal(first.exitCode, 0, first.output)
    const everything = [
      'assets/.vite/manifest.json',
      ...assets.map((name) => `assets/${name}`),
      'robots.txt',
    ].sort()
    assert.deepEqual(uploadedIn(first.output), everything)
    assert.include(first.output, 'static: upload 5, 0 unchanged')

    const second = await publish(app, publicFolder)
    assert.equal(second.exitCode, 0, second.output)
    assert.deepEqual(uploadedIn(second.output), [])
    assert.include(second.output, 'static: upload 0, 5 unchanged')

    await writeFile(join(publicFolder, 'robots.txt'), 'User-agent: *\nDisallow: /admin\n')
    const third = await publish(app, publicFolder)
    assert.deepEqual(uploadedIn(third.output), ['robots.txt'])
    const robots = await fetchFromCdn(app, 'robots.txt')
    assert.equal(await robots.text(), 'User-agent: *\nDisallow: /admin\n')
  }).timeout(60_000)

  test('hashed names are immutable on the CDN, the rest cached briefly, each with its type', async ({
    assert,
  }) => {
    await publish(app, join(root, 'public'))
    const types: Record<string, string> = {
      js: 'text/javascript',
      css: 'text/css',
      svg: 'image/svg+xml',
    }
    for (const name of assets) {
      const response = await fetchFromCdn(app, `assets/${name}`)
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable')
      assert.equal(response.headers.get('content-type'), types[name.split('.').pop()!])
    }
    const robots = await fetchFromCdn(app, 'robots.txt')
    assert.equal(robots.headers.get('cache-control'), 'public, max-age=300')
    assert.equal(robots.headers.get('content-type'), 'text/plain')
    const manifest = await fetchFromCdn(app, 'assets/.vite/manifest.json')
    assert.equal(manifest.headers.get('content-type'), 'application/json')
    assert.notInclude(manifest.headers.get('cache-control') ?? '', 'immutable')
  }).timeout(60_000)

  test('a dry run changes nothing; --delete removes the files gone from the folder', async ({
    assert,
  }) => {
    const folder = join(root, 'public')
    await publish(app, folder)
    await writeFile(join(folder, 'humans.txt'), 'alice and bob\n')
    await rm(join(folder, 'robots.txt'))

    const dry = await publish(app, folder, '--delete', '--dry-run')
    assert.equal(dry.exitCode, 0, dry.output)
    assert.deepEqual(uploadedIn(dry.output, 'would upload'), ['humans.txt'])
    assert.deepEqual(uploadedIn(dry.output, 'would delete'), ['robots.txt'])
    assert.include(dry.output, 'dry run: nothing was changed')
    assert.isFalse(await onDisk(app, 'humans.txt'))
    assert.isTrue(await onDisk(app, 'robots.txt'))

    // Without --delete a file gone from the folder stays published.
    const kept = await publish(app, folder)
    assert.deepEqual(uploadedIn(kept.output), ['humans.txt'])
    assert.isTrue(await onDisk(app, 'robots.txt'))

    const removed = await publish(app, folder, '--delete')
    assert.deepEqual(uploadedIn(removed.output), [])
    assert.deepEqual(uploadedIn(removed.output, 'delete'), ['robots.txt'])
    assert.isFalse(await onDisk(app, 'robots.txt'))
    assert.isTrue(await onDisk(app, 'humans.txt'))
  }).timeout(60_000)

  test('a folder that is not there, a disk that is not public, a bad --max-age: named errors', async ({
    assert,
  }) => {
    const missing = await publish(app, join(root, 'no-such-folder'))
    assert.equal(missing.exitCode, 1)
    assert.match(missing.output, /no-such-folder is not a folder/)
    const protectedDisk = await runAceCommand(app, DjamazingPublish, [
      join(root, 'public'),
      '--disk=uploads',
    ])
    assert.equal(protectedDisk.exitCode, 1)
    assert.include(protectedDisk.output, '"uploads" is not a public djamazing disk')
    const maxAge = await publish(app, join(root, 'public'), '--max-age=soon')
    assert.equal(maxAge.exitCode, 1)
    assert.include(maxAge.output, '--max-age must be a number of seconds')
  })
})

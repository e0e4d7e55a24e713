import { randomUUID } from 'node:crypto'
import { cp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { freePort, runNode, startNodeServer } from '../helpers/app_process.ts'
import { CookieClient } from '../helpers/cookie_client.ts'
import { putStatus, sha256Of } from '../helpers/direct_upload.ts'
import { installPacked, packedTarball, REPOSITORY } from '../helpers/packed_package.ts'
import type { PutUploadTarget } from '../../src/uploads/types.ts'

/*
 * The package as `npm pack` ships it, in the demo: demo/ is an app as one
 * is installed (package.json, ace.js, tsconfig.json, djamazing imported by
 * name), so a copy of it gets the tarball in node_modules, its .env from
 * its .env.example (the local store), the app key, a CloudFront key pair
 * (`node ace djamazing:keys`) and its users (`node ace demo:seed`), then
 * is driven over HTTP from source (`node ace serve`) and from `build/`.
 * The seeded sample stream's `.ts` segments sit in the app's folder
 * throughout: they must not reach the app's `tsc`, and the built app must
 * serve them, and the files `node ace serve` stored, after a rebuild.
 */

/**
 * What `npm install` leaves out of the copy: the repository's run-time
 * folders of the demo.
 */
const NOT_COPIED = new Set(['tmp', 'build', 'node_modules', '.adonisjs', '.env'])

/**
 * The `href` of the download links of a gallery page, unescaped.
 */
function downloadLinks(html: string): string[] {
  return [...html.matchAll(/<a href="([^"]+)" class="download"/g)].map((match) =>
    match[1].replaceAll('&amp;', '&')
  )
}

/**
 * The HTML of alice's (or bob's) gallery.
 */
async function gallery(client: CookieClient): Promise<string> {
  const response = await client.get('/files')
  return response.text()
}

async function login(url: string, username: string, password: string) {
  const client = new CookieClient(url)
  const response = await client.postForm('/login', { username, password })
  if (response.status !== 302 || response.headers.get('location') !== '/files') {
    throw new Error(`login ${username}: ${response.status} ${response.headers.get('location')}`)
  }
  return client
}

/**
 * The flow every run must pass: a direct upload by alice, opened through
 * its link on her gallery (302, then the bytes from the app's CDN path),
 * refused to bob (403) and to a guest (401).
 */
async function exerciseApp(
  assert: Assert,
  url: string,
  passwords: Record<string, string>
): Promise<string> {
  const alice = await login(url, 'alice', passwords.alice)
  const bob = await login(url, 'bob', passwords.bob)
  const guest = new CookieClient(url)

  const bytes = Buffer.from(`packed ${randomUUID()}\n`.repeat(100))
  const name = `report-${randomUUID()}.txt`
  const start = await alice.postJson('/uploads', {
    name,
    type: 'text/plain',
    size: bytes.length,
    checksum: sha256Of(bytes),
  })
  assert.equal(start.status, 200)
  const target = (await start.json()) as PutUploadTarget
  assert.isTrue(target.url.startsWith(`${url}/cdn/`), target.url)
  assert.equal(await putStatus(target, Buffer.concat([bytes, Buffer.from('more')])), 403)
  assert.equal(await putStatus(target, bytes), 200)
  const confirm = await alice.postJson('/uploads/confirm', { token: target.token, name })
  assert.equal(confirm.status, 200)

  const page = await gallery(alice)
  assert.include(page, name)
  const link = downloadLinks(page).find((href) => href.includes(encodeURIComponent(name)))
  assert.exists(link, `no download link for ${name}:\n${page}`)
  const redirect = await alice.get(link!)
  assert.equal(redirect.status, 302)
  const location = redirect.headers.get('location')!
  assert.isTrue(location.startsWith(`${url}/cdn/uploads/`), location)
  const file = await fetch(location)
  assert.equal(file.status, 200)
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes)

  const asBob = await bob.get(link!)
  assert.equal(asBob.status, 403)
  const asGuest = await guest.get(link!)
  assert.equal(asGuest.status, 401)
  return name
}

/**
 * alice's sample stream through its folder link: the redirect sets the
 * folder's signed cookies, and the edge serves the playlist and a segment
 * with their media types.
 */
async function exerciseStream(assert: Assert, url: string, passwords: Record<string, string>) {
  const alice = await login(url, 'alice', passwords.alice)
  const page = await gallery(alice)
  const folderLink = /data-src="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&')
  assert.exists(folderLink, page)
  const redirect = await alice.get(folderLink!)
  assert.equal(redirect.status, 302)
  const playlistUrl = redirect.headers.get('location')!
  const playlist = await alice.get(playlistUrl)
  assert.equal(playlist.status, 200)
  assert.equal(playlist.headers.get('content-type'), 'application/vnd.apple.mpegurl')
  const lines = await playlist.text()
  const segment = lines.split('\n').find((line) => line.endsWith('.ts'))!
  const bytes = await alice.get(new URL(segment, playlistUrl).href)
  assert.equal(bytes.status, 200)
  assert.equal(bytes.headers.get('content-type'), 'video/mp2t')
}

/**
 * How long each step took, printed at the end (a record for the
 * documentation, never asserted).
 */
const steps: [string, number][] = []
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    return await work()
  } finally {
    steps.push([name, performance.now() - started])
  }
}

/**
 * Starts the app, runs `work` on it, stops it; a failure shows what the
 * app printed.
 */
async function withServer(
  command: string,
  run: { cwd: string; args: string[]; port: number },
  work: (url: string) => Promise<void>
) {
  const app = await step(`${command}, until it listens`, () =>
    startNodeServer(run.cwd, run.args, run.port)
  )
  try {
    // The origin of .env's APP_URL and CLOUDFRONT_URL.
    await step(`the flow, ${command}`, () => work(`http://127.0.0.1:${run.port}`))
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- app output ---\n${app.output()}`, {
      cause: error,
    })
  } finally {
    await app.stop()
  }
}

test.group(
  'Packed package | installed in a copy of the demo, from npm pack to a build',
  (group) => {
    let appRoot: string
    let port: number

    group.setup(async () => {
      appRoot = join(REPOSITORY, 'tmp', `packed-app-${randomUUID()}`)
      await cp(join(REPOSITORY, 'demo'), appRoot, {
        recursive: true,
        filter: (source) => !NOT_COPIED.has(basename(source)),
      })
      // Its .env as the copy's .env.example gives it, on a port of its own
      // (tests run side by side), with its data where the build finds it too.
      port = await freePort()
      const env = await readFile(join(appRoot, '.env.example'), 'utf8')
      await writeFile(
        join(appRoot, '.env'),
        env
          .replace(/^PORT=.*$/m, `PORT=${port}`)
          .replace(/^DEMO_DATA_DIR=.*$/m, `DEMO_DATA_DIR=${join(appRoot, 'tmp')}`)
      )
      const tarball = await step('npm run build && npm pack', () => packedTarball())
      await step('install the tarball (unpacked, dependencies linked)', () =>
        installPacked(appRoot, tarball)
      )
      return async () => {
        console.log(steps.map(([name, ms]) => `  ${(ms / 1000).toFixed(1)} s  ${name}`).join('\n'))
        await rm(appRoot, { recursive: true, force: true })
      }
    })

    test('generate:key, djamazing:keys, demo:seed, serve, build: the whole flow', async ({
      assert,
    }) => {
      for (const command of [
        ['ace', 'generate:key'],
        ['ace', 'djamazing:keys'],
      ]) {
        const result = await step(`node ${command.join(' ')}`, () => runNode(appRoot, command))
        assert.equal(result.code, 0, `node ${command.join(' ')}:\n${result.output}`)
      }
      const seed = await step('node ace demo:seed', () => runNode(appRoot, ['ace', 'demo:seed']))
      assert.equal(seed.code, 0, seed.output)
      const password = (user: string) => new RegExp(`${user} / (\\S+)`).exec(seed.output)![1]
      const passwords = { alice: password('alice'), bob: password('bob') }

      let stored = ''
      await withServer(
        'node ace serve',
        { cwd: appRoot, args: ['ace', 'serve'], port },
        async (url) => {
          stored = await exerciseApp(assert, url, passwords)
          await exerciseStream(assert, url, passwords)
        }
      )

      const tsc = await step('tsc --noEmit', () =>
        runNode(appRoot, ['node_modules/typescript/bin/tsc', '--noEmit'])
      )
      assert.equal(tsc.code, 0, tsc.output)
      const buildRoot = join(appRoot, 'build')
      // Built twice: the second build empties build/ again.
      for (const round of ['node ace build', 'node ace build, again']) {
        const build = await step(round, () => runNode(appRoot, ['ace', 'build']))
        assert.equal(build.code, 0, build.output)
      }
      // In place of `npm ci --omit=dev`: the same packages, linked.
      await symlink(join(appRoot, 'node_modules'), join(buildRoot, 'node_modules'))
      await writeFile(
        join(buildRoot, '.env'),
        // The key pair's path, relative to the app root, is build/'s copy.
        await readFile(join(appRoot, '.env'), 'utf8')
      )
      await withServer(
        'node bin/server.js in build/',
        { cwd: buildRoot, args: ['bin/server.js'], port },
        async (url) => {
          await exerciseApp(assert, url, passwords)
          await exerciseStream(assert, url, passwords)
          // What `node ace serve` stored, in alice's gallery of the built app.
          const alice = await login(url, 'alice', passwords.alice)
          assert.include(await gallery(alice), stored)
        }
      )
      assert.isFalse(
        await stat(join(buildRoot, 'tmp')).then(
          () => true,
          () => false
        ),
        'the built app kept no data of its own'
      )
    }).timeout(600_000)
  }
)

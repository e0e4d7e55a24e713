import { randomUUID } from 'node:crypto'
import { copyFile, cp, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { freePort, runNode, startNodeServer } from '../helpers/app_process.ts'
import { CookieClient } from '../helpers/cookie_client.ts'
import { fileOf, writeFileBlock } from '../helpers/doc_blocks.ts'
import { installPacked, packedTarball, REPOSITORY } from '../helpers/packed_package.ts'
import { makePng } from '../helpers/png.ts'
import { makeHlsFolder } from '../helpers/hls.ts'

/*
 * The package as `npm pack` ships it, on the web-starter-kit-shaped app of
 * tests/fixtures/newcomer_app (shield's CSRF check included) with what an
 * app adds to use djamazing (tests/fixtures/packed_app: routes like those
 * of the README.md Quickstart, a JSON PhotosController and a photos page):
 * `node ace configure djamazing` (which writes the key pair too), then the
 * app driven over HTTP from source (`node ace serve`) and from `build/`.
 * An HLS rendition sits in the local store throughout: its `.ts` segments
 * must not reach the app's `tsc`, and the built app must serve the files
 * `node ace serve` stored, after a rebuild.
 */

/**
 * What tests/fixtures/packed_app adds to the app: whole files copied, and
 * the routes added at the end of start/routes.ts, as its first line says.
 */
async function addDjamazingPages(appRoot: string) {
  const overlay = join(REPOSITORY, 'tests/fixtures/packed_app')
  for (const file of [
    'start/routes.ts',
    'app/controllers/photos_controller.ts',
    'resources/views/pages/photos.edge',
  ]) {
    const text = await readFile(join(overlay, file), 'utf8')
    const named = fileOf(text)
    if (named?.kind === 'at-the-end') {
      const code = text.slice(text.indexOf('\n') + 1)
      await writeFileBlock(appRoot, { page: file, line: 1, ...named, code })
    } else {
      await mkdir(dirname(join(appRoot, file)), { recursive: true })
      await copyFile(join(overlay, file), join(appRoot, file))
    }
  }
}

/**
 * A POST with shield's CSRF token, as a page's script sends it: the
 * `XSRF-TOKEN` cookie back as the `X-XSRF-TOKEN` header.
 */
function post(client: CookieClient, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  headers.set('x-xsrf-token', client.cookie('XSRF-TOKEN') ?? '')
  return client.request(path, { ...init, method: 'POST', headers })
}

/**
 * alice's and bob's sessions on a running app.
 */
async function login(url: string, name: string) {
  const client = new CookieClient(url)
  // The login page: a session and a CSRF token.
  const page = await client.get('/login')
  if (page.status !== 200) throw new Error(`GET /login: ${page.status}`)
  const response = await post(client, '/login', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  if (response.status !== 302 || response.headers.get('location') !== '/photos') {
    throw new Error(`login ${name}: ${response.status} ${response.headers.get('location')}`)
  }
  return client
}

/**
 * The `src` of the photo with `key` on alice's /photos page.
 */
async function linkOnPage(alice: CookieClient, key: string): Promise<string> {
  const page = await alice.get('/photos')
  const html = await page.text()
  const src = new RegExp(`<img src="([^"]+)" alt="${key}"`).exec(html)?.[1]
  if (!src) throw new Error(`no image for ${key} on /photos:\n${html}`)
  return src.replaceAll('&amp;', '&')
}

/**
 * The flow every app must pass: a form upload and a direct upload by
 * alice, each opened through its link (302, then the bytes from the
 * app's CDN path), refused to bob (403) and to a guest (401).
 */
async function exerciseApp(assert: Assert, url: string) {
  const alice = await login(url, 'alice')
  const bob = await login(url, 'bob')
  const guest = new CookieClient(url)

  const photo = makePng(3, 2, Math.floor(Math.random() * 1000))
  const form = new FormData()
  form.append('photo', new Blob([photo], { type: 'image/png' }), 'holiday.png')
  const stored = await post(alice, '/photos', { body: form })
  assert.equal(stored.status, 200)
  const { key } = (await stored.json()) as { key: string }
  assert.match(key, /^1\/[0-9a-f-]{36}\.png$/)

  const link = await linkOnPage(alice, key)
  assert.isTrue(link.startsWith(`/djamazing/uploads/${key}?`))
  const redirect = await alice.get(link)
  assert.equal(redirect.status, 302)
  const location = redirect.headers.get('location')!
  assert.isTrue(location.startsWith(`${url}/cdn/uploads/${key}?`), location)
  const file = await fetch(location)
  assert.equal(file.status, 200)
  assert.equal(file.headers.get('content-type'), 'image/png')
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), photo)

  const asBob = await bob.get(link)
  assert.equal(asBob.status, 403)
  const asGuest = await guest.get(link)
  assert.equal(asGuest.status, 401)

  const direct = makePng(4, 4, 7)
  const slot = await post(alice, '/photos/upload-url', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'image/png', size: direct.length }),
  })
  assert.equal(slot.status, 200)
  const upload = (await slot.json()) as { key: string; url: string }
  assert.isTrue(upload.url.startsWith(`${url}/cdn/uploads/${upload.key}?`))
  const refused = await fetch(upload.url, {
    method: 'PUT',
    body: Buffer.concat([direct, Buffer.from('more')]),
    headers: { 'content-type': 'image/png' },
  })
  assert.equal(refused.status, 403)
  const put = await fetch(upload.url, {
    method: 'PUT',
    body: direct,
    headers: { 'content-type': 'image/png' },
  })
  assert.equal(put.status, 200)
  const directLink = await linkOnPage(alice, upload.key)
  const directRedirect = await alice.get(directLink)
  assert.equal(directRedirect.status, 302)
  const served = await fetch(directRedirect.headers.get('location')!)
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), direct)
}

/**
 * How long each step of the newcomer's path took, printed at the end (a
 * record for the documentation, never asserted).
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
 * Starts the app, runs the flow on it, stops it; a failure shows what
 * the app printed.
 */
async function exerciseServer(
  assert: Assert,
  name: string,
  command: string,
  run: { cwd: string; args: string[]; port: number; more?: (url: string) => Promise<void> }
) {
  const { cwd, args, port, more } = run
  const app = await step(`${command}, until it answers`, () => startNodeServer(cwd, args, port))
  try {
    await step(`the flow, ${name}`, () => exerciseApp(assert, app.url))
    if (more) await more(app.url)
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- app output ---\n${app.output()}`, {
      cause: error,
    })
  } finally {
    await app.stop()
  }
}

test.group('Packed package | on a web-starter-kit app, from npm pack to a build', (group) => {
  let appRoot: string
  let port: number

  group.setup(async () => {
    appRoot = join(REPOSITORY, 'tmp', `packed-app-${randomUUID()}`)
    await cp(join(REPOSITORY, 'tests/fixtures/newcomer_app'), appRoot, { recursive: true })
    await addDjamazingPages(appRoot)
    // What `npm init adonisjs` does for a new app, on a port of its own:
    // tests run side by side.
    port = await freePort()
    const env = await readFile(join(appRoot, '.env.example'), 'utf8')
    await writeFile(join(appRoot, '.env'), env.replace(/^PORT=.*$/m, `PORT=${port}`))
    const tarball = await step('npm run build && npm pack', () => packedTarball())
    await step('install the tarball (unpacked, dependencies linked)', () =>
      installPacked(appRoot, tarball)
    )
    return async () => {
      console.log(steps.map(([name, ms]) => `  ${(ms / 1000).toFixed(1)} s  ${name}`).join('\n'))
      await rm(appRoot, { recursive: true, force: true })
    }
  })

  test('configure, serve, build: the whole flow', async ({ assert }) => {
    // configure writes the key pair itself (djamazing:keys would refuse to replace it).
    for (const command of [['ace', 'configure', 'djamazing']]) {
      const result = await step(`node ${command.join(' ')}`, () => runNode(appRoot, command))
      assert.equal(result.code, 0, `node ${command.join(' ')}:\n${result.output}`)
    }

    // alice's HLS rendition, as a packager writes it into the store.
    const hlsFolder = join(appRoot, 'storage/.djamazing/local-files/uploads/1')
    await mkdir(hlsFolder, { recursive: true })
    for (const [name, bytes] of makeHlsFolder(2)) await writeFile(join(hlsFolder, name), bytes)

    await exerciseServer(assert, 'from source', 'node ace serve', {
      cwd: appRoot,
      args: ['ace', 'serve'],
      port,
    })

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
    await copyFile(join(appRoot, '.env'), join(buildRoot, '.env'))
    await exerciseServer(assert, 'from build/', 'node bin/server.js in build/', {
      cwd: buildRoot,
      args: ['bin/server.js'],
      port,
      // What `node ace serve` stored, served by the built app with its media types.
      more: async (url) => {
        const alice = await login(url, 'alice')
        for (const [name, type] of [
          ['index.m3u8', 'application/vnd.apple.mpegurl'],
          ['segment-001.ts', 'video/mp2t'],
        ]) {
          const link = await alice.get(`/photos/${name}`)
          const { url: protectedLink } = (await link.json()) as { url: string }
          const redirect = await alice.get(protectedLink)
          assert.equal(redirect.status, 302)
          const file = await fetch(redirect.headers.get('location')!)
          assert.equal(file.status, 200)
          assert.equal(file.headers.get('content-type'), type)
          assert.deepEqual(
            Buffer.from(await file.arrayBuffer()),
            await readFile(join(hlsFolder, name))
          )
        }
      },
    })
    assert.isFalse(
      await stat(join(buildRoot, 'storage')).then(
        () => true,
        () => false
      ),
      'the built app kept no store of its own'
    )
  }).timeout(600_000)
})

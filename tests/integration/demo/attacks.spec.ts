import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from '@japa/runner'
import { CookieClient } from '../../helpers/cookie_client.ts'
import { startDemoApp, type DemoApp } from '../../helpers/demo_app.ts'
import { putStatus, sha256Of } from '../../helpers/direct_upload.ts'
import { makePng } from '../../helpers/png.ts'
import type { PutUploadTarget } from '../../../src/uploads/types.ts'

// The demo's download names, as docs/security.md shows them, are tested here.
const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url))

async function loggedIn(demo: DemoApp, user: 'alice' | 'bob') {
  const client = new CookieClient(demo.url)
  const login = await client.postForm('/login', { username: user, password: demo.passwords[user] })
  if (login.headers.get('location') !== '/files') throw new Error(`${user} could not log in`)
  return client
}

/**
 * A direct upload through the demo's own routes, as its page does it.
 */
async function upload(client: CookieClient, name: string, bytes: Buffer, type: string) {
  const start = await client.postJson('/uploads', {
    name,
    type,
    size: bytes.length,
    checksum: sha256Of(bytes),
  })
  const target = (await start.json()) as PutUploadTarget
  if ((await putStatus(target, bytes)) !== 200) throw new Error('the PUT failed')
  const confirm = await client.postJson('/uploads/confirm', { token: target.token, name })
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${await confirm.text()}`)
}

test.group('npm run demo | attacks', (group) => {
  let demo: DemoApp
  group.setup(async () => {
    demo = await startDemoApp()
    return () => demo.stop().then(() => {})
  })

  test('a file named with 150 "é" does not break its owner\'s gallery', async ({ assert }) => {
    const alice = await loggedIn(demo, 'alice')
    const name = `${'é'.repeat(150)}.png`
    await upload(alice, name, makePng(2, 2), 'image/png')

    const page = await alice.get('/files')
    assert.equal(page.status, 200, 'the gallery renders')
    const html = await page.text()
    const download = html.match(/<a [^>]*class="download"[^>]*href="([^"]*)"/)
    const link = (
      download?.[1] ?? html.match(/href="(\/djamazing\/uploads\/[^"]*)" class="download"/)![1]
    ).replaceAll('&amp;', '&')
    const redirect = await alice.get(link)
    assert.equal(redirect.status, 302)
    const file = await fetch(redirect.headers.get('location')!)
    assert.equal(file.status, 200, 'the download link can be served')
    assert.match(file.headers.get('content-disposition')!, /^attachment; filename\*?=/)
    assert.include(file.headers.get('content-disposition')!, '%C3%A9')
  })

  test('50 concurrent confirms of one upload: one succeeds, 49 get a 4xx saying why, the file is listed once', async ({
    assert,
  }) => {
    const alice = await loggedIn(demo, 'alice')
    const bytes = makePng(3, 3)
    const name = 'raced.png'
    const start = await alice.postJson('/uploads', {
      name,
      type: 'image/png',
      size: bytes.length,
      checksum: sha256Of(bytes),
    })
    const target = (await start.json()) as PutUploadTarget
    assert.equal(await putStatus(target, bytes), 200)
    // Alice from 50 sessions (50 tabs, devices or scripts): the demo's
    // file session store cannot take 50 requests of one session at once,
    // and the race under test is the confirm's, not the session's.
    const sessions = await Promise.all(Array.from({ length: 50 }, () => loggedIn(demo, 'alice')))
    const answers = await Promise.all(
      sessions.map((session) => session.postJson('/uploads/confirm', { token: target.token, name }))
    )
    const statuses = answers.map((answer) => answer.status)
    assert.lengthOf(
      statuses.filter((status) => status === 200),
      1,
      statuses.join(' ')
    )
    for (const answer of answers.filter(({ status }) => status !== 200)) {
      const body = await answer.text()
      assert.equal(answer.status, 409, `${body}\n${demo.output().slice(-2000)}`)
      const { message } = JSON.parse(body) as { message: string }
      assert.match(message, /being confirmed by another request|already confirmed/)
    }
    const index = JSON.parse(await readFile(join(demo.dataDirectory, 'files.json'), 'utf8'))
    assert.lengthOf(
      index.filter((file: { key: string }) => file.key === target.key),
      1,
      'listed once'
    )
  })

  test('error pages show no stack, no path, no cookie', async ({ assert }) => {
    const bob = await loggedIn(demo, 'bob')
    const cookie = bob.cookieHeader()
    const cookieValues = cookie.split('; ').map((pair) => pair.slice(pair.indexOf('=') + 1))
    const answers = [
      await bob.get('/no-such-page'),
      await bob.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"username": ',
      }),
      await bob.request('/uploads/confirm', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept': 'text/html' },
        body: JSON.stringify({ token: 'x'.repeat(5000), name: 1 }),
      }),
    ]
    for (const answer of answers) {
      const body = await answer.text()
      const label = `${answer.status} ${answer.url}`
      assert.isAtLeast(answer.status, 400, label)
      assert.notInclude(body, REPOSITORY, label)
      assert.notInclude(body, 'node_modules', label)
      assert.notMatch(body, /\n\s+at [\w.<>]+ \(/, label)
      for (const value of cookieValues) assert.notInclude(body, value, label)
    }
  })

  test('a cookie copied before logout opens nothing after it', async ({ assert }) => {
    const alice = await loggedIn(demo, 'alice')
    const page = await alice.get('/files')
    const html = await page.text()
    const link = html.match(/(\/djamazing\/uploads\/[^"]*)"/)?.[1]?.replaceAll('&amp;', '&')
    const copied = alice.cookieHeader()
    await alice.postForm('/logout', {})

    const replay = await fetch(`${demo.url}/files`, {
      headers: { cookie: copied },
      redirect: 'manual',
    })
    assert.equal(replay.status, 302, 'the gallery is refused')
    assert.equal(replay.headers.get('location'), '/login')
    assert.exists(link, 'the gallery of alice has a link (the upload of the first test)')
    const opened = await fetch(`${demo.url}${link}`, {
      headers: { cookie: copied },
      redirect: 'manual',
    })
    assert.equal(opened.status, 401, 'the pre-logout link is refused')
  })
})

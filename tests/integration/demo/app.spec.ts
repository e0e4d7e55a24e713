import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { CookieClient } from '../../helpers/cookie_client.ts'
import { isAlive, startDemoApp, type DemoApp } from '../../helpers/demo_app.ts'
import { putStatus, sha256Of } from '../../helpers/direct_upload.ts'
import type { PutUploadTarget } from '../../../src/uploads/types.ts'

/**
 * The "check a signed URL yourself" commands of docs/development.md, for a
 * given URL and public key file.
 */
async function documentedVerifyCommands(url: string, publicKeyFile: string): Promise<string> {
  const page = await readFile(new URL('../../../docs/development.md', import.meta.url), 'utf8')
  const section = page.slice(page.indexOf('### Check a signed URL yourself'))
  const script = section.match(/```sh\n([\s\S]*?)```/)![1]
  return script
    .replace(/^url='[^']*'$/m, () => `url='${url}'`)
    .replace('demo/tmp/cloudfront-public-key.pem', () => publicKeyFile)
}

/**
 * Runs those commands in a temp folder; resolves with what they print.
 */
async function verifyLikeTheDocs(url: string, publicKeyFile: string): Promise<string> {
  const script = await documentedVerifyCommands(url, publicKeyFile)
  const work = await mkdtemp(join(tmpdir(), 'djamazing-verify-'))
  try {
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: work })
    return stdout
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string }
    return `${failed.stdout ?? ''}${failed.stderr ?? ''}`
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * Undoes the HTML escaping of an attribute value (what a browser does).
 */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
    if (entity[0] !== '#') return named[entity.toLowerCase()]
    return String.fromCodePoint(
      entity[1].toLowerCase() === 'x'
        ? Number.parseInt(entity.slice(2), 16)
        : Number(entity.slice(1))
    )
  })
}

/**
 * The image sources and download links of the gallery page.
 */
function gallery(html: string) {
  const attribute = (tag: string, name: string) =>
    decodeEntities(tag.match(new RegExp(`${name}="([^"]*)"`))![1])
  return {
    images: [...html.matchAll(/<img [^>]*>/g)].map((match) => attribute(match[0], 'src')),
    downloads: [...html.matchAll(/<a [^>]*class="download"[^>]*>/g)].map((match) =>
      attribute(match[0], 'href')!
    ),
  }
}

test.group('npm run demo', (group) => {
  let demo: DemoApp | undefined
  group.each.teardown(async () => {
    await demo?.stop()
    demo = undefined
  })

  test('alice logs in, uploads, and her protected link leads to the same bytes; SIGINT leaves no process', async ({
    assert,
  }) => {
    demo = await startDemoApp()
    const children = await demo.childPids()
    assert.lengthOf(children, 1, 'the S3 server runs in one child process')

    const browser = new CookieClient(demo.url)
    const guest = await browser.get('/files')
    assert.equal(guest.status, 302)
    assert.equal(guest.headers.get('location'), '/login')

    const wrong = await browser.postForm('/login', { username: 'alice', password: 'nope' })
    assert.equal(wrong.headers.get('location'), '/login')

    const login = await browser.postForm('/login', {
      username: 'alice',
      password: demo.passwords.alice,
    })
    assert.equal(login.status, 302)
    assert.equal(login.headers.get('location'), '/files')

    const bytes = Buffer.from(`report ${Date.now()}\n`.repeat(1000))
    // A direct upload, as the browser module does it (docs/uploads.md):
    // start, PUT to the bucket, confirm.
    const name = 'quarterly report.txt'
    const start = await browser.postJson('/uploads', {
      name,
      type: 'text/plain',
      size: bytes.length,
      checksum: sha256Of(bytes),
    })
    assert.equal(start.status, 200)
    const target = (await start.json()) as PutUploadTarget
    assert.isFalse(target.url.startsWith(demo.url), 'the bytes go to the bucket, not the app')
    assert.equal(await putStatus(target, bytes), 200)
    // Bob cannot confirm alice's upload, even holding her token.
    const bob = new CookieClient(demo.url)
    await bob.postForm('/login', { username: 'bob', password: demo.passwords.bob })
    const asBob = await bob.postJson('/uploads/confirm', { token: target.token, name })
    assert.equal(asBob.status, 403)
    const confirm = await browser.postJson('/uploads/confirm', { token: target.token, name })
    assert.equal(confirm.status, 200)

    const page = await browser.get('/files')
    assert.equal(page.status, 200)
    const html = await page.text()
    assert.include(html, 'quarterly report.txt')
    const { images, downloads } = gallery(html)
    assert.deepEqual(images, [`${demo.url}/cdn/static/logo.svg`], 'a text file is not inline')
    assert.lengthOf(downloads, 1)

    // The link is the app's, the redirect goes to the edge, the edge serves the bytes.
    const link = downloads[0]
    assert.match(link, /^\/djamazing\/uploads\//)
    const redirect = await browser.get(link)
    assert.equal(redirect.status, 302)
    const location = redirect.headers.get('location')!
    assert.isTrue(location.startsWith(`${demo.url}/cdn/uploads/`), location)
    const file = await fetch(location)
    assert.equal(file.status, 200)
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes)
    assert.equal(
      file.headers.get('content-disposition'),
      `attachment; filename="quarterly report.txt"; filename*=UTF-8''quarterly%20report.txt`
    )

    // The public logo needs no signature.
    const logo = await fetch(images[0])
    assert.equal(logo.status, 200)
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml')

    // The openssl commands of docs/development.md verify the signed URL with the public
    // key, and refuse it changed by one character.
    const publicKey = join(demo.dataDirectory, 'cloudfront-public-key.pem')
    assert.include(await verifyLikeTheDocs(location, publicKey), 'Verified OK')
    const tampered = location.replace('/cdn/uploads/', '/cdn/uploadz/')
    assert.include(await verifyLikeTheDocs(tampered, publicKey), 'Verification failure')

    // Logging out ends the link.
    await browser.postForm('/logout', {})
    const afterLogout = await browser.get(link)
    assert.equal(afterLogout.status, 401)

    const exitCode = await demo.stop()
    demo = undefined
    assert.equal(exitCode, 0)
    for (const pid of children) assert.isFalse(isAlive(pid), `process ${pid} is still running`)
  }).timeout(90_000)
})

import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { restoreNodeEnv } from '../../helpers/node_env.ts'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

// The settings of docs/local-store.md: startAdonisApp's disks with
// store: 'local', a localStore root, and cdnUrl on the app itself.
test.group('Local store | the whole flow on the app itself, no S3', (group) => {
  let app: AdonisTestApp
  let root: string

  group.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-local-'))
    app = await startAdonisApp({ localStore: { root } })
    return async () => {
      await app.stop()
      await rm(root, { recursive: true, force: true })
    }
  })

  test('files are kept under <root>/<bucket>/<prefix><key> through flydrive', async ({
    assert,
  }) => {
    await app.drive.use('uploads').put('alice/notes.txt', 'kept on disk')
    assert.equal(
      await readFile(join(root, 'local-test', 'uploads', 'alice', 'notes.txt'), 'utf8'),
      'kept on disk'
    )
    assert.equal(await app.drive.use('uploads').get('alice/notes.txt'), 'kept on disk')
    const meta = await app.drive.use('uploads').getMetaData('alice/notes.txt')
    assert.equal(meta.contentType, 'text/plain')
    assert.equal(meta.contentLength, 12)
    await assert.rejects(() => app.drive.use('uploads').get('alice/missing.txt'))
  })

  test("alice's link -> 302 -> signed URL checked by the local edge -> bytes; bob 403, guest 401", async ({
    assert,
  }) => {
    await app.drive.use('uploads').put('alice/photo.png', PNG)
    const alice = await app.login('alice')
    const link = new URL(await app.urlFor(alice, 'alice/photo.png'), app.baseUrl).href
    assert.isTrue(link.startsWith(`${app.baseUrl}/djamazing/uploads/alice/photo.png?`))

    const redirect = await fetch(link, { headers: { cookie: alice }, redirect: 'manual' })
    assert.equal(redirect.status, 302)
    const location = redirect.headers.get('location')!
    assert.isTrue(location.startsWith(`${app.baseUrl}/cdn/uploads/alice/photo.png?`))
    const file = await fetch(location)
    assert.equal(file.status, 200)
    assert.equal(file.headers.get('content-type'), 'image/png')
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), PNG)

    // The edge still checks the signature: without it, 403.
    const unsigned = await fetch(location.slice(0, location.indexOf('?')))
    assert.equal(unsigned.status, 403)

    const bob = await app.login('bob')
    const asBob = await fetch(link, { headers: { cookie: bob }, redirect: 'manual' })
    assert.equal(asBob.status, 403)
    const asGuest = await fetch(link, { redirect: 'manual' })
    assert.equal(asGuest.status, 401)
  })

  test('public URLs and getSignedUrl are served by the local edge', async ({ assert }) => {
    await app.drive.use('static').put('logo.txt', 'public bytes')
    const url = await app.drive.use('static').getUrl('logo.txt')
    assert.equal(url, `${app.baseUrl}/cdn/static/logo.txt`)
    assert.equal(await fetch(url).then((response) => response.text()), 'public bytes')

    await app.drive.use('uploads').put('alice/report.txt', 'signed bytes')
    const signed = await app.drive.use('uploads').getSignedUrl('alice/report.txt', {
      expiresIn: '5m',
      contentDisposition: 'attachment; filename="report.txt"',
    })
    const response = await fetch(signed)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="report.txt"')
    assert.equal(await response.text(), 'signed bytes')
  })

  test('getSignedUploadUrl: a PUT with the signed type and length is stored and served', async ({
    assert,
  }) => {
    const body = Buffer.from('{"uploaded":"straight to the store"}')
    const url = await app.drive.use('uploads').getSignedUploadUrl('alice/data.json', {
      expiresIn: '5m',
      contentType: 'application/json',
      contentSize: body.length,
    })
    assert.isTrue(url.startsWith(`${app.baseUrl}/cdn/uploads/alice/data.json?`))

    // A JSON body: the app's body parser must not have consumed it.
    const put = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(put.status, 200)
    // S3's ETag of a single PUT: the MD5 of the bytes.
    assert.match(put.headers.get('etag')!, /^"[0-9a-f]{32}"$/)
    assert.deepEqual(Buffer.from(await app.drive.use('uploads').getBytes('alice/data.json')), body)

    const served = await fetch(await app.drive.use('uploads').getSignedUrl('alice/data.json'))
    assert.equal(served.headers.get('content-type'), 'application/json')
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), body)
  })

  test('an upload URL refuses another type, another length, another key, a changed signature', async ({
    assert,
  }) => {
    const body = Buffer.from('exactly these bytes')
    const url = await app.drive.use('uploads').getSignedUploadUrl('alice/slot.txt', {
      contentType: 'text/plain',
      contentSize: body.length,
    })
    const put = (target: string, init: { type?: string; data?: Buffer } = {}) =>
      fetch(target, {
        method: 'PUT',
        body: init.data ?? body,
        headers: { 'content-type': init.type ?? 'text/plain' },
      })

    const otherType = await put(url, { type: 'text/html' })
    assert.equal(otherType.status, 403)
    assert.include(await otherType.text(), '<Code>SignatureDoesNotMatch</Code>')
    const tampered = url.replace(/Signature=(.)/, (_, c) => `Signature=${c === 'a' ? 'b' : 'a'}`)
    for (const response of [
      await put(url, { data: Buffer.alloc(5_000_000) }),
      await put(url.replace('alice/slot.txt', 'bob/slot.txt')),
      await put(tampered),
    ]) {
      assert.equal(response.status, 403)
    }
    assert.isFalse(await app.drive.use('uploads').exists('alice/slot.txt'))
    assert.isFalse(await app.drive.use('uploads').exists('bob/slot.txt'))

    const stored = await put(url)
    assert.equal(stored.status, 200)
    assert.equal(await app.drive.use('uploads').get('alice/slot.txt'), body.toString())
  })

  test('a checksum header is checked against the body', async ({ assert }) => {
    const body = Buffer.from('checked bytes')
    const url = await app.drive.use('uploads').getSignedUploadUrl('alice/checked.txt', {
      contentType: 'text/plain',
    })
    const md5 = (data: Buffer) => createHash('md5').update(data).digest('base64')
    const wrong = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/plain', 'content-md5': md5(Buffer.from('other')) },
    })
    assert.equal(wrong.status, 400)
    assert.include(await wrong.text(), '<Code>BadDigest</Code>')
    assert.isFalse(await app.drive.use('uploads').exists('alice/checked.txt'))

    const right = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/plain', 'content-md5': md5(body) },
    })
    assert.equal(right.status, 200)
  })

  test('a path ending with "/" answers 404 NoSuchKey, as S3 does, never a 500', async ({
    assert,
  }) => {
    await app.drive.use('static').put('sub/file.txt', 'inside a folder')
    for (const path of ['static/', 'static/sub/', 'static/sub//', 'static/nowhere/']) {
      for (const method of ['GET', 'HEAD']) {
        const response = await fetch(`${app.baseUrl}/cdn/${path}`, { method })
        assert.equal(response.status, 404, `${method} ${path}`)
        if (method === 'GET') assert.include(await response.text(), '<Code>NoSuchKey</Code>')
      }
    }
  })

  test('a missing bucket answers 404 NoSuchBucket, a missing key 404 NoSuchKey', async ({
    assert,
  }) => {
    const missingKey = await fetch(`${app.baseUrl}/cdn/static/nothing-here.txt`)
    assert.equal(missingKey.status, 404)
    assert.include(await missingKey.text(), '<Code>NoSuchKey</Code>')

    await rm(join(root, 'local-test'), { recursive: true })
    // Another key: the edge, as CloudFront, keeps the first 404 for 10 s.
    const missingBucket = await fetch(`${app.baseUrl}/cdn/static/nothing-here-either.txt`)
    assert.equal(missingBucket.status, 404)
    assert.include(await missingBucket.text(), '<Code>NoSuchBucket</Code>')
    await app.drive.use('static').put('again.txt', 'recreated on write')
  })
})

test.group('Local store | production', (group) => {
  let root: string
  let nodeEnv: string | undefined

  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-local-'))
    nodeEnv = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    return async () => {
      restoreNodeEnv(nodeEnv)
      await rm(root, { recursive: true, force: true })
    }
  })

  test('refused at boot with a named error naming the setting', async ({ assert }) => {
    try {
      const app = await startAdonisApp({ localStore: { root } })
      await app.stop()
      assert.fail('the app booted')
    } catch (error: any) {
      assert.equal(error.code, 'E_DJAMAZING_LOCAL_STORE_IN_PRODUCTION')
      assert.include(error.message, '"services.static.store" is "local"')
      assert.include(error.message, 'services.static.localStore.allowInProduction: true')
    }
  })

  test('runs when allowed explicitly', async ({ assert }) => {
    const app = await startAdonisApp({
      localStore: { root, allowInProduction: true },
      cdnUrl: 'https://cdn.example.com/media',
    })
    try {
      await app.drive.use('static').put('a.txt', 'in production on purpose')
      assert.equal(
        await app.drive.use('static').getUrl('a.txt'),
        'https://cdn.example.com/media/static/a.txt'
      )
      assert.equal(
        await readFile(join(root, 'local-test', 'static', 'a.txt'), 'utf8'),
        'in production on purpose'
      )
    } finally {
      await app.stop()
    }
  })
})

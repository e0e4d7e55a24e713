import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { parseCdnUrl } from '../../../src/cdn_url.ts'
import { signUploadUrl, uploadSigningKey } from '../../../src/store/local_upload_url.ts'
import { startUploadRoute } from '../../helpers/upload_route.ts'

const NOW = new Date('2026-03-01T12:00:00Z')
const SECRET = 'the app key of the test app, 32 chars'

/**
 * The upload route of bucket-a, its clock frozen at `clock.now`.
 */
async function startUploads() {
  const root = await mkdtemp(join(tmpdir(), 'djamazing-uploads-'))
  await mkdir(join(root, 'bucket-a'))
  const clock = { now: NOW }
  const route = await startUploadRoute({ root, bucket: 'bucket-a', secret: SECRET, clock })
  const cdn = parseCdnUrl(route.base, 'cdnUrl')
  return {
    root,
    clock,
    sign(objectKey: string, headers: Record<string, string>, expiresIn = 60, secret = SECRET) {
      return signUploadUrl(uploadSigningKey(secret, 'localStore.uploadSecret'), {
        cdn,
        bucket: 'bucket-a',
        objectKey,
        expiresAt: NOW.getTime() / 1000 + expiresIn,
        headers,
      })
    },
    async stop() {
      route.stop()
      await rm(root, { recursive: true, force: true })
    },
  }
}

/**
 * A PUT with exactly these headers (no Content-Length unless given: the
 * body is then sent chunked); the answer's status and body.
 */
function rawPut(url: string, headers: Record<string, string>, body = 'x') {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => {
        resolve({ status: res.statusCode!, text })
        req.destroy()
      })
    })
    req.on('error', reject)
    // A declared length far above the body is refused before the body is read.
    if (headers['content-length'] === undefined) req.write(body)
    req.end()
  })
}

test.group('Local store | upload URLs', (group) => {
  let uploads: Awaited<ReturnType<typeof startUploads>>

  group.each.setup(async () => {
    uploads = await startUploads()
    return () => uploads.stop()
  })

  test('valid until its expiry, refused from then on (clock frozen)', async ({ assert }) => {
    const url = uploads.sign('a/b.txt', { 'content-type': 'text/plain' }, 60)
    const put = () =>
      fetch(url, { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } })

    uploads.clock.now = new Date(NOW.getTime() + 60_000)
    const expired = await put()
    assert.equal(expired.status, 403)
    assert.include(await expired.text(), '<Message>Request has expired</Message>')

    uploads.clock.now = new Date(NOW.getTime() + 59_000)
    const stored = await put()
    assert.equal(stored.status, 200)
    assert.equal(await readFile(join(uploads.root, 'bucket-a', 'a', 'b.txt'), 'utf8'), 'hello')
  })

  test('a URL signed with another secret, or without its signature, is refused', async ({
    assert,
  }) => {
    const other = uploads.sign('a/b.txt', {}, 60, 'another secret, as long as the first')
    const stripped = uploads.sign('a/b.txt', {}).replace(/&X-Djamazing-Signature=[^&]*/, '')
    for (const url of [other, stripped]) {
      const response = await fetch(url, { method: 'PUT', body: 'x' })
      assert.equal(response.status, 403)
    }
  })

  test('the list of signed headers cannot be shortened, nor a parameter given twice', async ({
    assert,
  }) => {
    const url = uploads.sign('typed.txt', { 'content-length': '2', 'content-type': 'text/plain' })
    const unbound = url.replace(/SignedHeaders=[^&]*/, 'SignedHeaders=content-length')
    const twice = `${url}&X-Djamazing-Expires=99999999999`
    for (const attempt of [unbound, twice]) {
      const response = await fetch(attempt, {
        method: 'PUT',
        body: 'hi',
        headers: { 'content-type': 'text/html' },
      })
      assert.equal(response.status, 403)
    }
    assert.isFalse(
      await readFile(join(uploads.root, 'bucket-a', 'typed.txt')).then(
        () => true,
        () => false
      )
    )
  })

  test('the signed length is exact, and the body must match the declared length', async ({
    assert,
  }) => {
    const url = uploads.sign('len.bin', { 'content-length': '4' })
    const shorter = await fetch(url, { method: 'PUT', body: 'abc' })
    assert.equal(shorter.status, 403)
    const longer = await fetch(url, { method: 'PUT', body: 'abcde' })
    assert.equal(longer.status, 403)
    const exact = await fetch(url, { method: 'PUT', body: 'abcd' })
    assert.equal(exact.status, 200)
  })

  test('x-amz-checksum-sha256, when signed, binds the body', async ({ assert }) => {
    const { createHash } = await import('node:crypto')
    const sha = (text: string) => createHash('sha256').update(text).digest('base64')
    const url = uploads.sign('sum.txt', { 'x-amz-checksum-sha256': sha('right') })
    const swapped = await fetch(url, {
      method: 'PUT',
      body: 'wrong',
      headers: { 'x-amz-checksum-sha256': sha('wrong') },
    })
    assert.equal(swapped.status, 403)
    const lying = await fetch(url, {
      method: 'PUT',
      body: 'wrong',
      headers: { 'x-amz-checksum-sha256': sha('right') },
    })
    assert.equal(lying.status, 400)
    assert.include(await lying.text(), '<Code>BadDigest</Code>')
    const right = await fetch(url, {
      method: 'PUT',
      body: 'right',
      headers: { 'x-amz-checksum-sha256': sha('right') },
    })
    assert.equal(right.status, 200)
  })

  test('keys that leave the bucket and other methods never write', async ({ assert }) => {
    const url = new URL(uploads.sign('x.txt', {}))
    for (const path of ['/cdn/../x.txt', '/cdn/%2e%2e/x.txt', '/cdn/a/%2E%2E/%2E%2E/x.txt']) {
      const response = await fetch(`${url.origin}${path}${url.search}`, {
        method: 'PUT',
        body: 'x',
      })
      assert.oneOf(response.status, [400, 403])
    }
    const get = await fetch(url, { method: 'POST', body: 'x' })
    assert.equal(get.status, 405)
    assert.isFalse(
      await readFile(join(uploads.root, 'x.txt')).then(
        () => true,
        () => false
      )
    )
  })

  test('requests S3 refuses are refused with its status and code', async ({ assert }) => {
    const chunked = await rawPut(uploads.sign('chunked.txt', {}), {})
    assert.equal(chunked.status, 411)
    assert.include(chunked.text, '<Code>MissingContentLength</Code>')
    const huge = await rawPut(uploads.sign('huge.bin', {}), {
      'content-length': String(6 * 1024 ** 3),
    })
    assert.equal(huge.status, 400)
    assert.include(huge.text, '<Code>EntityTooLarge</Code>')
    const md5 = await rawPut(uploads.sign('md5.txt', {}), {
      'content-length': '1',
      'content-md5': 'nope',
    })
    assert.equal(md5.status, 400)
    assert.include(md5.text, '<Code>InvalidDigest</Code>')
    const sha = await rawPut(uploads.sign('sha.txt', {}), {
      'content-length': '1',
      'x-amz-checksum-sha256': 'nope',
    })
    assert.equal(sha.status, 400)
    assert.include(sha.text, '<Code>InvalidRequest</Code>')
    const first = await fetch(uploads.sign('Case.txt', {}), { method: 'PUT', body: 'a' })
    assert.equal(first.status, 200)
    const twin = await fetch(uploads.sign('case.txt', {}), { method: 'PUT', body: 'b' })
    assert.equal(twin.status, 400)
    assert.include(await twin.text(), '<Code>InvalidObjectName</Code>')
    assert.equal(await readFile(join(uploads.root, 'bucket-a', 'Case.txt'), 'utf8'), 'a')
    for (const name of ['chunked.txt', 'huge.bin', 'md5.txt', 'sha.txt']) {
      const stored = await readFile(join(uploads.root, 'bucket-a', name)).catch(() => undefined)
      assert.isUndefined(stored, name)
    }
  })
})

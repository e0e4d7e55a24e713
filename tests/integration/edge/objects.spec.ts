import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import { cdnUrlFor, parseCdnUrl } from '../../../src/cdn_url.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { parseErrorXml, startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

test.group('Edge | objects from the S3 origin (public behavior)', (group) => {
  let fixture: EdgeFixture
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    return () => fixture.stop()
  })

  test('serves the exact bytes of every awkward key s3rver can store', async ({ assert }) => {
    const cdn = parseCdnUrl(fixture.edge.url, 'edge')
    const storable = AWKWARD_KEYS.filter((entry) => entry.s3rver !== false)
    const bodies = new Map<string, Buffer>()
    for (const { key } of storable) {
      const body = Buffer.concat([Buffer.from(key), randomBytes(64)])
      bodies.set(key, body)
      await fixture.put(key, body)
    }
    for (const { key } of storable) {
      const response = await fetch(cdnUrlFor(cdn, key))
      assert.equal(response.status, 200, key)
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), bodies.get(key), key)
    }
    assert.isAbove(storable.length, 40)
  })

  test('sends the stored headers: type, length, ETag, Last-Modified, Accept-Ranges', async ({
    assert,
  }) => {
    await fixture.put('report.pdf', 'pdf bytes', {
      ContentType: 'application/pdf',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="report.pdf"',
    })
    const response = await fetch(`${fixture.edge.url}/report.pdf`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/pdf')
    assert.equal(response.headers.get('content-length'), '9')
    assert.equal(response.headers.get('cache-control'), 'max-age=60')
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="report.pdf"')
    assert.equal(response.headers.get('accept-ranges'), 'bytes')
    assert.match(response.headers.get('etag')!, /^"[0-9a-f]{32}"$/)
    assert.isFalse(Number.isNaN(Date.parse(response.headers.get('last-modified')!)))
    assert.equal(await response.text(), 'pdf bytes')
  })

  test('HEAD sends the same headers and no body', async ({ assert }) => {
    await fixture.put('head.txt', 'twelve bytes', { ContentType: 'text/plain' })
    const get = await fetch(`${fixture.edge.url}/head.txt`)
    await get.arrayBuffer()
    const head = await fetch(`${fixture.edge.url}/head.txt`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    for (const name of [
      'content-type',
      'content-length',
      'etag',
      'last-modified',
      'accept-ranges',
    ]) {
      assert.equal(head.headers.get(name), get.headers.get(name), name)
    }
    assert.equal(head.headers.get('content-length'), '12')
    const headBody = await head.arrayBuffer()
    assert.equal(headBody.byteLength, 0)
  })

  test('a missing object is 404 with an XML error body, for GET and HEAD', async ({ assert }) => {
    const response = await fetch(`${fixture.edge.url}/no/such/key.txt`)
    assert.equal(response.status, 404)
    assert.equal(response.headers.get('content-type'), 'text/xml')
    assert.deepEqual(parseErrorXml(await response.text()), {
      code: 'NoSuchKey',
      message: 'The specified key does not exist.',
    })
    const head = await fetch(`${fixture.edge.url}/no/such/key.txt`, { method: 'HEAD' })
    assert.equal(head.status, 404)
    const headBody = await head.arrayBuffer()
    assert.equal(headBody.byteLength, 0)
  })

  test('streams a 12 MiB object intact', async ({ assert }) => {
    const body = randomBytes(12 * 1024 * 1024)
    await fixture.put('big.bin', body)
    const response = await fetch(`${fixture.edge.url}/big.bin`)
    assert.equal(response.headers.get('content-length'), String(body.length))
    assert.isTrue(Buffer.from(await response.arrayBuffer()).equals(body))
  })

  test('an empty object is 200 with Content-Length 0', async ({ assert }) => {
    await fixture.put('empty.txt', new Uint8Array(0))
    const response = await fetch(`${fixture.edge.url}/empty.txt`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-length'), '0')
    assert.equal(await response.text(), '')
  })
})

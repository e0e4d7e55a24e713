import { test } from '@japa/runner'
import { parseErrorXml, startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

/**
 * 100 bytes, each one its own offset, so any slice tells where it came from.
 */
const BODY = Buffer.from(Array.from({ length: 100 }, (_, index) => index))

test.group('Edge | Range requests', (group) => {
  let fixture: EdgeFixture
  let url: string
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    await fixture.put('bytes.bin', BODY, { ContentType: 'application/octet-stream' })
    await fixture.put('empty.bin', new Uint8Array(0))
    url = `${fixture.edge.url}/bytes.bin`
    return () => fixture.stop()
  })

  async function range(value: string, method = 'GET') {
    const response = await fetch(url, { method, headers: { Range: value } })
    return {
      status: response.status,
      contentRange: response.headers.get('content-range'),
      contentLength: response.headers.get('content-length'),
      body: Buffer.from(await response.arrayBuffer()),
    }
  }

  const satisfiable = [
    { name: 'first bytes', header: 'bytes=0-9', start: 0, end: 9 },
    { name: 'a middle slice', header: 'bytes=40-59', start: 40, end: 59 },
    { name: 'one byte', header: 'bytes=50-50', start: 50, end: 50 },
    { name: 'the last byte', header: 'bytes=99-99', start: 99, end: 99 },
    { name: 'a suffix', header: 'bytes=-10', start: 90, end: 99 },
    { name: 'a suffix longer than the object', header: 'bytes=-500', start: 0, end: 99 },
    { name: 'open-ended', header: 'bytes=95-', start: 95, end: 99 },
    { name: 'an end past the object, clipped', header: 'bytes=90-1000', start: 90, end: 99 },
    { name: 'spaces and an upper-case unit', header: 'BYTES = 10-19', start: 10, end: 19 },
  ]
  for (const { name, header, start, end } of satisfiable) {
    test(`206 for ${name} (${header})`, async ({ assert }) => {
      const response = await range(header)
      assert.equal(response.status, 206)
      assert.equal(response.contentRange, `bytes ${start}-${end}/100`)
      assert.equal(response.contentLength, String(end - start + 1))
      assert.deepEqual(response.body, BODY.subarray(start, end + 1))
    })
  }

  const unsatisfiable = [
    { name: 'a start at the end', header: 'bytes=100-' },
    { name: 'a start past the end', header: 'bytes=150-200' },
    { name: 'an empty suffix', header: 'bytes=-0' },
  ]
  for (const { name, header } of unsatisfiable) {
    test(`416 with Content-Range bytes */size for ${name} (${header})`, async ({ assert }) => {
      const response = await fetch(url, { headers: { Range: header } })
      assert.equal(response.status, 416)
      assert.equal(response.headers.get('content-range'), 'bytes */100')
      assert.equal(parseErrorXml(await response.text()).code, 'InvalidRange')
    })
  }

  test('416 for any range of an empty object', async ({ assert }) => {
    const response = await fetch(`${fixture.edge.url}/empty.bin`, {
      headers: { Range: 'bytes=0-' },
    })
    assert.equal(response.status, 416)
    assert.equal(response.headers.get('content-range'), 'bytes */0')
  })

  test('row 34: several ranges, sorted, unsorted or overlapping, get the whole object (200), as S3 answers them to a cold cache', async ({
    assert,
  }) => {
    for (const header of ['bytes=0-9,20-29', 'bytes=20-29,0-9', 'bytes=0-15,10-29']) {
      const response = await range(header)
      assert.equal(response.status, 200, header)
      assert.isNull(response.contentRange, header)
      assert.deepEqual(response.body, BODY, header)
    }
  })

  const wholeObject = [
    { name: 'a reversed range', header: 'bytes=20-10' },
    { name: 'another unit', header: 'items=0-9' },
    { name: 'garbage', header: 'bytes=abc' },
    { name: 'a negative start', header: 'bytes=--5' },
  ]
  for (const { name, header } of wholeObject) {
    test(`the whole object (200) for ${name} (${header})`, async ({ assert }) => {
      const response = await range(header)
      assert.equal(response.status, 200)
      assert.isNull(response.contentRange)
      assert.deepEqual(response.body, BODY)
    })
  }

  test('HEAD with a range answers 206 with the range headers and no body', async ({ assert }) => {
    const response = await range('bytes=-10', 'HEAD')
    assert.equal(response.status, 206)
    assert.equal(response.contentRange, 'bytes 90-99/100')
    assert.equal(response.contentLength, '10')
    assert.equal(response.body.length, 0)
  })

  test('If-Range with the current ETag serves the range, with another the whole object', async ({
    assert,
  }) => {
    const head = await fetch(url, { method: 'HEAD' })
    const etag = head.headers.get('etag')!
    const same = await fetch(url, { headers: { 'Range': 'bytes=0-4', 'If-Range': etag } })
    assert.equal(same.status, 206)
    assert.deepEqual(Buffer.from(await same.arrayBuffer()), BODY.subarray(0, 5))
    const other = await fetch(url, {
      headers: { 'Range': 'bytes=0-4', 'If-Range': '"0123456789abcdef0123456789abcdef"' },
    })
    assert.equal(other.status, 200)
    assert.deepEqual(Buffer.from(await other.arrayBuffer()), BODY)
  })

  test('the origin is asked for exactly the resolved bytes', async ({ assert }) => {
    fixture.originRequests.length = 0
    await range('bytes=-10')
    assert.deepEqual(
      fixture.originRequests.map((request) => [request.method, request.headers.range]),
      [
        ['HEAD', undefined],
        ['GET', 'bytes=90-99'],
      ]
    )
  })
})

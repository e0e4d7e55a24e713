import { connect } from 'node:net'
import { once } from 'node:events'
import { brotliDecompressSync } from 'node:zlib'
import { test } from '@japa/runner'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

// docs/local-edge.md, row 36: CloudFront's compression on a behavior that
// enables it (ServingCompressedFiles.md).
const json = (bytes: number) => Buffer.from(`"${'x'.repeat(bytes - 2)}"`)

/**
 * An HTTP/1.0 GET over a plain socket (fetch only speaks HTTP/1.1): the
 * raw answer's head.
 */
async function http10Head(url: string, headers: Record<string, string>): Promise<string> {
  const { hostname, port, pathname } = new URL(url)
  const socket = connect(Number(port), hostname)
  await once(socket, 'connect')
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`)
  socket.write(`GET ${pathname} HTTP/1.0\r\nHost: ${hostname}\r\n${lines.join('')}\r\n`)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks).toString('latin1')
  return raw.slice(0, raw.indexOf('\r\n\r\n')).toLowerCase()
}

test.group('Edge | row 36: compression', (group) => {
  let fixture: EdgeFixture
  let plain: EdgeFixture
  let uncached: EdgeFixture
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false, compress: true } })
    plain = await startEdgeFixture({ defaultBehavior: { signed: false } })
    uncached = await startEdgeFixture({
      cache: false,
      defaultBehavior: { signed: false, compress: true },
    })
    return async () => {
      await fixture.stop()
      await plain.stop()
      await uncached.stop()
    }
  })

  test('row 36: Brotli when the viewer accepts it, else Gzip: no Content-Length, a weak ETag', async ({
    assert,
  }) => {
    const body = json(5000)
    await fixture.put('data.json', body, { ContentType: 'application/json' })
    const url = `${fixture.edge.url}/data.json`
    const stored = await fetch(url, { headers: { 'accept-encoding': 'identity' } })
    const strong = stored.headers.get('etag')!
    assert.match(strong, /^"/)
    assert.equal(stored.headers.get('content-length'), '5000')

    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip, br;q=0', 'gzip'],
    ] as const) {
      // Node's fetch would decode the body: read the bytes as sent.
      const response = await fetch(url, { headers: { 'accept-encoding': accept } })
      assert.equal(response.headers.get('content-encoding'), encoding, accept)
      assert.isNull(response.headers.get('content-length'))
      assert.equal(response.headers.get('etag'), `W/${strong}`)
      assert.equal(response.headers.get('content-type'), 'application/json')
      // From the edge's cache: it keeps the object as stored and compresses each answer.
      assert.equal(response.headers.get('x-cache'), 'Hit from cloudfront')
    }
    const { request } = await import('node:http')
    const raw = await new Promise<Buffer>((resolve, reject) => {
      request(url, { headers: { 'accept-encoding': 'br' } }, async (res) => {
        const chunks: Buffer[] = []
        for await (const chunk of res) chunks.push(chunk as Buffer)
        resolve(Buffer.concat(chunks))
      })
        .on('error', reject)
        .end()
    })
    assert.isBelow(raw.length, 100)
    assert.deepEqual(brotliDecompressSync(raw), body)
  })

  test('row 36: the weak ETag revalidates (304), and an If-Match with it is 412', async ({
    assert,
  }) => {
    await fixture.put('page.html', 'h'.repeat(2000), { ContentType: 'text/html; charset=utf-8' })
    const url = `${fixture.edge.url}/page.html`
    const first = await fetch(url, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(first.headers.get('x-cache'), 'Miss from cloudfront')
    assert.equal(first.headers.get('content-encoding'), 'gzip')
    assert.equal(await first.text(), 'h'.repeat(2000))
    const weak = first.headers.get('etag')!
    assert.match(weak, /^W\/"/)
    const again = await fetch(url, {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': weak },
    })
    assert.equal(again.status, 304)
    assert.equal(again.headers.get('etag'), weak)
    // A download resumed with the weak validator cannot be resumed.
    const resumed = await fetch(url, {
      headers: { 'accept-encoding': 'gzip', 'if-match': weak, 'range': 'bytes=100-' },
    })
    assert.equal(resumed.status, 412)
  })

  test('row 36: sizes from 1,000 to 10,000,000 bytes are compressed, others not', async ({
    assert,
  }) => {
    for (const [size, compressed] of [
      [999, false],
      [1000, true],
      [10_000_000, true],
      [10_000_001, false],
    ] as const) {
      await fixture.put(`size-${size}.txt`, Buffer.alloc(size, 'a'), { ContentType: 'text/plain' })
      const response = await fetch(`${fixture.edge.url}/size-${size}.txt`, {
        method: 'HEAD',
        headers: { 'accept-encoding': 'gzip' },
      })
      // HEAD answers as stored; a GET shows the encoding.
      assert.equal(response.headers.get('content-length'), String(size))
      const get = await fetch(`${fixture.edge.url}/size-${size}.txt`, {
        headers: { 'accept-encoding': 'gzip' },
      })
      assert.equal(get.headers.get('content-encoding'), compressed ? 'gzip' : null, `${size}`)
      const bytes = await get.arrayBuffer()
      assert.equal(bytes.byteLength, size)
    }
  })

  test('row 36: not compressed: other types, stored encodings, ranges, no Accept-Encoding, HTTP/1.0, behaviors without it', async ({
    assert,
  }) => {
    const body = 'c'.repeat(4000)
    await fixture.put('photo.png', body, { ContentType: 'image/png' })
    await fixture.put('pre.js', body, {
      ContentType: 'text/javascript',
      ContentEncoding: 'identity',
    })
    await fixture.put('app.js', body, { ContentType: 'text/javascript' })
    await plain.put('app.js', body, { ContentType: 'text/javascript' })
    const encodingOf = async (url: string, headers: Record<string, string> = {}) => {
      const response = await fetch(url, { headers: { 'accept-encoding': 'gzip, br', ...headers } })
      await response.arrayBuffer()
      return response.headers.get('content-encoding')
    }
    assert.isNull(await encodingOf(`${fixture.edge.url}/photo.png`))
    assert.equal(await encodingOf(`${fixture.edge.url}/pre.js`), 'identity')
    assert.equal(await encodingOf(`${fixture.edge.url}/app.js`), 'br')
    assert.isNull(await encodingOf(`${fixture.edge.url}/app.js`, { range: 'bytes=0-99' }))
    assert.isNull(await encodingOf(`${fixture.edge.url}/app.js`, { 'accept-encoding': 'identity' }))
    assert.isNull(await encodingOf(`${plain.edge.url}/app.js`))
    // Without the edge's cache, the same.
    await uncached.put('app.js', body, { ContentType: 'text/javascript' })
    assert.equal(await encodingOf(`${uncached.edge.url}/app.js`), 'br')
    assert.equal(
      await encodingOf(`${uncached.edge.url}/app.js`, { 'accept-encoding': 'gzip' }),
      'gzip'
    )
    const head = await http10Head(`${fixture.edge.url}/app.js`, { 'accept-encoding': 'gzip' })
    assert.notInclude(head, 'content-encoding')
    assert.include(head, 'content-length: 4000')
  })
})

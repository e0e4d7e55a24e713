import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, get as httpGet, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { S3Client } from '@aws-sdk/client-s3'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import {
  createEdgeHandler,
  startEdgeServer,
  type EdgeHandler,
  type EdgeRequestEvent,
  type EdgeServer,
  type EdgeServerOptions,
} from '../../../src/edge/main.ts'
import { LocalStore } from '../../../src/store/local_store.ts'
import { S3Store } from '../../../src/store/s3_store.ts'
import type { ObjectStore } from '../../../src/store/types.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { rawRequest } from '../../helpers/edge.ts'
import { httpFaultServer } from '../../helpers/fault_servers.ts'
import { startS3Server } from '../../helpers/s3_server.ts'

/**
 * A clock the test moves: the edge checks signatures and ages its cache
 * with it, so nothing here sleeps.
 */
function testClock() {
  let now = NOW.getTime()
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) }
}

/**
 * A real store with its reads counted: what the edge asked the origin.
 */
function counted(store: ObjectStore) {
  const reads: string[] = []
  const spy = Object.create(store) as ObjectStore
  spy.get = (key, options) => (reads.push(`GET ${key}`), store.get(key, options))
  spy.head = (key, options) => (reads.push(`HEAD ${key}`), store.head(key, options))
  return { store: spy, reads }
}

type Origin = { store: ObjectStore; stop(): Promise<void> }

const ORIGINS: Record<string, () => Promise<Origin>> = {
  async 's3rver'() {
    const s3 = await startS3Server()
    const client = s3.client()
    return {
      store: new S3Store({ client, bucket: s3.bucket }),
      async stop() {
        client.destroy()
        await s3.stop()
      },
    }
  },
  async 'local store'() {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-edge-cache-'))
    return {
      store: new LocalStore({ root, bucket: 'media' }),
      stop: () => rm(root, { recursive: true, force: true }),
    }
  },
}

async function edgeOver(
  origin: Origin,
  options: Partial<EdgeServerOptions> = {}
): Promise<{ edge: EdgeServer; reads: string[]; clock: ReturnType<typeof testClock> }> {
  const clock = testClock()
  const { store, reads } = counted(origin.store)
  const edge = await startEdgeServer({
    store,
    basePath: '/cdn',
    now: clock.now,
    defaultBehavior: { signed: false },
    publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
    ...options,
  })
  return { edge, reads, clock }
}

/**
 * Resolves once `done()` holds, checked on each turn of the event loop;
 * fails after 10 s.
 */
async function waitFor(done: () => boolean) {
  const deadline = Date.now() + 10_000
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the edge')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const response = await fetch(url, { headers, method })
  return { response, body: await response.text() }
}

async function text(url: string, headers: Record<string, string> = {}) {
  const { body } = await get(url, headers)
  return body
}

async function status(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const { response } = await get(url, headers, method)
  return response.status
}

for (const [name, start] of Object.entries(ORIGINS)) {
  test.group(`Edge cache | on ${name}`, (group) => {
    let origin: Origin
    group.setup(async () => {
      origin = await start()
      return () => origin.stop()
    })

    test('row 37: an overwritten public file is served old until its TTL, then new', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads, clock } = await edgeOver(origin)
      cleanup(() => edge.close())
      await origin.store.put('site/logo.svg', 'old', { cacheControl: 'public, max-age=300' })
      const first = await get(`${edge.url}/site/logo.svg`)
      assert.equal(first.body, 'old')
      assert.equal(first.response.headers.get('x-cache'), 'Miss from cloudfront')
      assert.isNull(first.response.headers.get('age'))

      await origin.store.put('site/logo.svg', 'new', { cacheControl: 'public, max-age=300' })
      clock.advance(299)
      const cached = await get(`${edge.url}/site/logo.svg`)
      assert.equal(cached.body, 'old')
      assert.equal(cached.response.headers.get('x-cache'), 'Hit from cloudfront')
      assert.equal(cached.response.headers.get('age'), '299')
      assert.deepEqual(reads, ['GET site/logo.svg'])

      clock.advance(1)
      const fresh = await get(`${edge.url}/site/logo.svg`)
      assert.equal(fresh.body, 'new')
      assert.equal(fresh.response.headers.get('x-cache'), 'Miss from cloudfront')
      assert.deepEqual(reads, ['GET site/logo.svg', 'HEAD site/logo.svg', 'GET site/logo.svg'])
    })

    test('row 37: no Cache-Control: the default TTL of 24 h; a deleted file is served until then', async ({
      assert,
      cleanup,
    }) => {
      const { edge, clock } = await edgeOver(origin)
      cleanup(() => edge.close())
      await origin.store.put('site/a.txt', 'kept')
      assert.equal(await text(`${edge.url}/site/a.txt`), 'kept')
      await origin.store.delete('site/a.txt')
      clock.advance(86_399)
      const stillThere = await get(`${edge.url}/site/a.txt`)
      assert.equal(stillThere.response.status, 200)
      assert.equal(stillThere.body, 'kept')
      clock.advance(1)
      const gone = await get(`${edge.url}/site/a.txt`)
      assert.equal(gone.response.status, 404)
      assert.equal(gone.response.headers.get('x-cache'), 'Error from cloudfront')
    })

    test('row 37: unchanged after the TTL: RefreshHit, kept another TTL, Age from the refresh', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads, clock } = await edgeOver(origin)
      cleanup(() => edge.close())
      await origin.store.put('site/r.txt', 'same', { cacheControl: 'max-age=60' })
      await get(`${edge.url}/site/r.txt`)
      clock.advance(61)
      const refreshed = await get(`${edge.url}/site/r.txt`)
      assert.equal(refreshed.body, 'same')
      assert.equal(refreshed.response.headers.get('x-cache'), 'RefreshHit from cloudfront')
      assert.equal(refreshed.response.headers.get('age'), '0')
      clock.advance(30)
      const hit = await get(`${edge.url}/site/r.txt`)
      assert.equal(hit.response.headers.get('x-cache'), 'Hit from cloudfront')
      assert.equal(hit.response.headers.get('age'), '30')
      assert.deepEqual(reads, ['GET site/r.txt', 'HEAD site/r.txt'])
    })

    test('row 37: private and no-store are kept the minimum TTL (1 s with CachingOptimized, none with 0)', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads, clock } = await edgeOver(origin, {
        behaviors: [{ pathPattern: 'nocache/*', signed: false, cachePolicy: { minTtl: 0 } }],
      })
      cleanup(() => edge.close())
      await origin.store.put('site/p.txt', 'v1', { cacheControl: 'private, max-age=3600' })
      await origin.store.put('nocache/p.txt', 'v1', { cacheControl: 'no-store' })
      await get(`${edge.url}/site/p.txt`)
      await get(`${edge.url}/nocache/p.txt`)
      await origin.store.put('site/p.txt', 'v2', { cacheControl: 'private, max-age=3600' })
      await origin.store.put('nocache/p.txt', 'v2', { cacheControl: 'no-store' })
      assert.equal(await text(`${edge.url}/site/p.txt`), 'v1')
      assert.equal(await text(`${edge.url}/nocache/p.txt`), 'v2')
      clock.advance(1)
      assert.equal(await text(`${edge.url}/site/p.txt`), 'v2')
      assert.equal(reads.filter((read) => read === 'GET nocache/p.txt').length, 2)
    })

    test('row 39: a 404 just before an upload stays 404 for 10 s, then the file', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads, clock } = await edgeOver(origin)
      cleanup(() => edge.close())
      const early = await get(`${edge.url}/site/avatar.png`)
      assert.equal(early.response.status, 404)
      assert.equal(early.response.headers.get('x-cache'), 'Error from cloudfront')
      await origin.store.put('site/avatar.png', 'uploaded')
      clock.advance(9)
      assert.equal(await status(`${edge.url}/site/avatar.png`), 404)
      assert.equal(await status(`${edge.url}/site/avatar.png`, {}, 'HEAD'), 404)
      assert.deepEqual(reads, ['GET site/avatar.png'])
      clock.advance(1)
      const later = await get(`${edge.url}/site/avatar.png`)
      assert.equal(later.response.status, 200)
      assert.equal(later.body, 'uploaded')
    })

    test('row 33: ranges, HEAD and conditional requests are answered from the cached object; 416 is never kept', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads } = await edgeOver(origin)
      cleanup(() => edge.close())
      // A range before anything is cached goes to the origin, and its 416 is not kept.
      await origin.store.put('site/v.bin', '0123456789')
      const beyond = await get(`${edge.url}/site/v.bin`, { range: 'bytes=50-60' })
      assert.equal(beyond.response.status, 416)
      assert.equal(beyond.response.headers.get('content-range'), 'bytes */10')
      const readsAfter416 = reads.length
      assert.equal(await status(`${edge.url}/site/v.bin`, { range: 'bytes=50-60' }), 416)
      assert.isAbove(reads.length, readsAfter416)

      const whole = await get(`${edge.url}/site/v.bin`)
      assert.equal(whole.body, '0123456789')
      const etag = whole.response.headers.get('etag')!
      const before = reads.length
      const part = await get(`${edge.url}/site/v.bin`, { range: 'bytes=2-4' })
      assert.equal(part.response.status, 206)
      assert.equal(part.body, '234')
      assert.equal(part.response.headers.get('content-range'), 'bytes 2-4/10')
      assert.equal(part.response.headers.get('x-cache'), 'Hit from cloudfront')
      const suffix = await get(`${edge.url}/site/v.bin`, { range: 'bytes=-3' })
      assert.equal(suffix.body, '789')
      assert.equal(await status(`${edge.url}/site/v.bin`, { range: 'bytes=10-' }), 416)
      const head = await get(`${edge.url}/site/v.bin`, {}, 'HEAD')
      assert.equal(head.response.headers.get('content-length'), '10')
      const notModified = await get(`${edge.url}/site/v.bin`, { 'if-none-match': etag })
      assert.equal(notModified.response.status, 304)
      assert.equal(notModified.response.headers.get('x-cache'), 'Hit from cloudfront')
      assert.equal(reads.length, before, 'no origin request for ranges, HEAD or 304 from the cache')
    })

    test('row 38: a signature window repeats a URL; every signed URL of one key is one cache entry', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads } = await edgeOver(origin, { defaultBehavior: { signed: true } })
      cleanup(() => edge.close())
      await origin.store.put('private/doc.pdf', 'secret')
      const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })
      const url = `${edge.url}/private/doc.pdf`
      const windowed = signer.signUrl(url, { expiresIn: 600, now: NOW })
      const first = await get(windowed)
      const repeated = await get(windowed)
      const another = await get(signer.signUrl(url, { expiresIn: 900, now: NOW }))
      assert.deepEqual(
        [first, repeated, another].map((one) => one.response.headers.get('x-cache')),
        ['Miss from cloudfront', 'Hit from cloudfront', 'Hit from cloudfront']
      )
      assert.equal(another.body, 'secret')
      assert.deepEqual(reads, ['GET private/doc.pdf'])
      // Row 1: the signature is checked before the cache; a cached object
      // is never given to a request without one.
      const unsigned = await get(url)
      assert.equal(unsigned.response.status, 403)
      assert.notInclude(unsigned.body, 'secret')
    })

    test('row 29: Via and X-Amz-Cf-Id on every answer, as CloudFront sends them', async ({
      assert,
      cleanup,
    }) => {
      const { edge } = await edgeOver(origin)
      cleanup(() => edge.close())
      await origin.store.put('site/h.txt', 'h')
      const { response: ok } = await get(`${edge.url}/site/h.txt`)
      const { response: missing } = await get(`${edge.url}/site/none.txt`)
      for (const response of [ok, missing]) {
        assert.match(
          response.headers.get('via')!,
          /^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/
        )
        assert.match(response.headers.get('x-amz-cf-id')!, /^[A-Za-z0-9_-]{54}==$/)
      }
      assert.equal(ok.headers.get('via'), missing.headers.get('via'))
    })

    // docs/local-edge.md, "The cache", shows this invalidation.
    test('row 42: the edge serves the new bytes once the path is invalidated', async ({
      assert,
      cleanup,
    }) => {
      const { edge } = await edgeOver(origin)
      cleanup(() => edge.close())
      await origin.store.put('site/i.css', 'a{}', { cacheControl: 'max-age=31536000' })
      await get(`${edge.url}/site/i.css`)
      await origin.store.put('site/i.css', 'b{}', { cacheControl: 'max-age=31536000' })
      assert.equal(await text(`${edge.url}/site/i.css`), 'a{}')
      assert.equal(edge.invalidate(['/site/other.css']), 0)
      assert.equal(edge.invalidate(['/site/i.css']), 1)
      assert.equal(await text(`${edge.url}/site/i.css`), 'b{}')
      await origin.store.put('site/i.css', 'c{}')
      assert.equal(edge.invalidate(['/site/*']), 1)
      assert.equal(await text(`${edge.url}/site/i.css`), 'c{}')
      // Written as AWS asks (only unsafe characters encoded), it drops what
      // the browser asked for with djamazing's stricter encoding.
      await origin.store.put('site/a (1).css', 'old')
      assert.equal(await text(`${edge.url}/site/a%20%281%29.css`), 'old')
      await origin.store.put('site/a (1).css', 'new')
      assert.equal(edge.invalidate(['/site/a%20(1).css']), 1)
      assert.equal(await text(`${edge.url}/site/a%20%281%29.css`), 'new')
    })

    test('row 47: a viewer going away mid-body leaves nothing cached: the next range is served', async ({
      assert,
      cleanup,
    }) => {
      const events: EdgeRequestEvent[] = []
      const { edge } = await edgeOver(origin, { onRequest: (event) => events.push(event) })
      cleanup(() => edge.close())
      await origin.store.put('site/talk.wav', Buffer.alloc(4 * 1024 * 1024, 7))
      // A player reads the start of a file and drops the connection.
      await new Promise<void>((resolve, reject) => {
        const request = httpGet(
          `${edge.url}/site/talk.wav`,
          { headers: { range: 'bytes=0-' } },
          (response) => {
            response.once('data', () => {
              request.destroy()
              resolve()
            })
          }
        )
        request.on('error', (error) => (request.destroyed ? resolve() : reject(error)))
      })
      await waitFor(() => events.some((event) => event.aborted))
      const seek = await fetch(`${edge.url}/site/talk.wav`, { headers: { range: 'bytes=100-199' } })
      assert.equal(seek.status, 206)
      const bytes = await seek.arrayBuffer()
      assert.deepEqual(new Uint8Array(bytes), new Uint8Array(100).fill(7))
    })

    test('cache: false: every request reaches the origin and sees the new bytes', async ({
      assert,
      cleanup,
    }) => {
      const { edge, reads } = await edgeOver(origin, { cache: false })
      cleanup(() => edge.close())
      await origin.store.put('site/off.txt', 'one')
      assert.equal(await text(`${edge.url}/site/off.txt`), 'one')
      await origin.store.put('site/off.txt', 'two')
      const second = await get(`${edge.url}/site/off.txt`)
      assert.equal(second.body, 'two')
      assert.equal(second.response.headers.get('x-cache'), 'Miss from cloudfront')
      assert.lengthOf(reads, 2)
      assert.equal(edge.invalidate(['/*']), 0)
    })
  })
}

/**
 * A real edge handler on its own node:http server, for its `cache`.
 */
async function serveHandler(handler: EdgeHandler): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

test.group('Edge cache | bounds', (group) => {
  let origin: Origin
  group.setup(async () => {
    origin = await ORIGINS['local store']()
    return () => origin.stop()
  })

  test('the cache stays within its bounds; an object over the size limit passes through uncached', async ({
    assert,
    cleanup,
  }) => {
    const { store, reads } = counted(origin.store)
    const handler = createEdgeHandler({
      store,
      publicUrl: 'http://127.0.0.1:1/cdn',
      defaultBehavior: { signed: false },
      cache: { maxBytes: 4096, maxEntries: 5, maxObjectBytes: 1024 },
    })
    const { url, server } = await serveHandler(handler)
    cleanup(() => new Promise<void>((resolve) => server.close(() => resolve())))
    for (let index = 0; index < 20; index++) {
      await origin.store.put(`b/${index}.bin`, Buffer.alloc(900, index))
      const { response } = await get(`${url}/cdn/b/${index}.bin`)
      assert.equal(response.status, 200)
      assert.isAtMost(handler.cache!.size.bytes, 4096)
      assert.isAtMost(handler.cache!.size.entries, 5)
    }
    // The least recently used went first: the first file is asked for again.
    const evicted = reads.length
    await get(`${url}/cdn/b/0.bin`)
    assert.equal(reads.length, evicted + 1)

    await origin.store.put('b/big.bin', Buffer.alloc(2000, 1))
    for (let index = 0; index < 2; index++) {
      const big = await fetch(`${url}/cdn/b/big.bin`)
      const bytes = await big.arrayBuffer()
      assert.equal(bytes.byteLength, 2000)
      assert.equal(big.headers.get('x-cache'), 'Miss from cloudfront')
    }
    assert.equal(reads.filter((read) => read === 'GET b/big.bin').length, 2)
  })
})

test.group('Edge cache | rows 40, 41: a failing or slow origin (fake S3 server)', () => {
  function clientOf(endpoint: string) {
    return new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    })
  }

  test('row 40: the origin failing with a 5xx after the TTL: the stale object is served, for the error caching TTL', async ({
    assert,
    cleanup,
  }) => {
    let failing = false
    const origin = await httpFaultServer((_req, res) => {
      if (failing) return res.writeHead(503).end()
      res.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': 5,
        'etag': '"v1"',
        'cache-control': 'max-age=60',
        'last-modified': new Date(NOW).toUTCString(),
      })
      res.end('stale')
    })
    const client = clientOf(origin.endpoint)
    const clock = testClock()
    const errors: unknown[] = []
    const edge = await startEdgeServer({
      client,
      bucket: 'media',
      basePath: '/cdn',
      now: clock.now,
      defaultBehavior: { signed: false },
      onError: (error) => errors.push(error),
    })
    cleanup(async () => {
      await edge.close()
      client.destroy()
      await origin.close()
    })
    assert.equal(await text(`${edge.url}/f.txt`), 'stale')
    failing = true
    clock.advance(61)
    const served = await get(`${edge.url}/f.txt`)
    assert.equal(served.response.status, 200)
    assert.equal(served.body, 'stale')
    const asked = origin.count
    clock.advance(9)
    assert.equal(await text(`${edge.url}/f.txt`), 'stale')
    assert.equal(origin.count, asked, 'kept for the error caching minimum TTL')
    clock.advance(1)
    assert.equal(await text(`${edge.url}/f.txt`), 'stale')
    assert.isAbove(origin.count, asked, 'then the origin is asked again')
  })

  test('row 41: concurrent requests for one key make one origin request', async ({
    assert,
    cleanup,
  }) => {
    const requests = 6
    let arrived = 0
    let release!: () => void
    const allIn = new Promise<void>((resolve) => (release = resolve))
    const origin = await httpFaultServer(async (_req, res) => {
      // Answer only once every viewer request has reached the edge.
      await allIn
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4, 'etag': '"c"' })
      res.end('once')
    })
    const client = clientOf(origin.endpoint)
    const edge = await startEdgeServer({
      client,
      bucket: 'media',
      basePath: '/cdn',
      defaultBehavior: { signed: false },
      clientIp: () => {
        if (++arrived === requests) release()
        return '127.0.0.1'
      },
    })
    cleanup(async () => {
      await edge.close()
      client.destroy()
      await origin.close()
    })
    const answers = await Promise.all(
      Array.from({ length: requests }, () => rawRequest(edge.url, '/cdn/hot.txt'))
    )
    assert.deepEqual(
      answers.map((answer) => answer.body.toString()),
      Array(requests).fill('once')
    )
    assert.equal(origin.count, 1)
    assert.deepEqual(answers.map((answer) => answer.headers['x-cache']).sort(), [
      'Hit from cloudfront',
      'Hit from cloudfront',
      'Hit from cloudfront',
      'Hit from cloudfront',
      'Hit from cloudfront',
      'Miss from cloudfront',
    ])
  })
})

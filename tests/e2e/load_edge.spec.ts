import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import { cdnUrlFor, parseCdnUrl } from '../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../src/cloudfront/main.ts'
import { RSA_KEY } from '../helpers/cloudfront_keys.ts'
import { startEdgeFixture, type EdgeFixture } from '../helpers/edge.ts'
import { describeLoad, patientKeepAlive, runLoad, type LoadRequest } from '../helpers/load.ts'

/**
 * The local edge under load: a 1 MiB object in a real s3rver (child
 * process), served through the edge over real HTTP on loopback, 100
 * connections at a time, with signed URLs checked on every request: whole
 * object GETs, Range requests, conditional requests and tampered URLs.
 *
 * 2,000 requests, not 10,000: every accepted request is a request to
 * s3rver, which answers some 70 whole-MiB or 270 64 KiB-range GETs per
 * second on a busy 2-core machine, so 10,000 would take minutes on their
 * own. Timings are printed, not asserted.
 */
const AMOUNT = 2_000
const CONNECTIONS = 100
const SIZE = 1024 * 1024

test.group('Load | local edge serving a 1 MiB object from s3rver', (group) => {
  let fixture: EdgeFixture
  group.setup(async () => {
    fixture = await startEdgeFixture({
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      defaultBehavior: { signed: true },
    })
    patientKeepAlive(fixture.edge.server)
    return () => fixture.stop()
  })

  test(`${AMOUNT.toLocaleString('en-US')} requests at concurrency ${CONNECTIONS} (whole object, ranges, conditional, tampered): only 200, 206, 304 and 403, no errors`, async ({
    assert,
  }) => {
    const body = randomBytes(SIZE)
    await fixture.put('media/video 1.bin', body, { ContentType: 'application/octet-stream' })
    const head = await fetch(`${fixture.edge.url}/media/video%201.bin`, { method: 'HEAD' })
    await head.arrayBuffer()

    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    const cdn = parseCdnUrl(fixture.edge.url, 'edge')
    const signed = signer.signUrl(cdnUrlFor(cdn, 'media/video 1.bin'), { expiresIn: '10m' })
    const path = signed.slice(new URL(signed).origin.length)
    const first = await fetch(signed)
    await first.arrayBuffer()
    const etag = first.headers.get('etag')!
    const tampered = path
      .replace('Signature=', 'Signature=A')
      .replace(/&Key-Pair-Id/, 'A&Key-Pair-Id')

    // 1 whole object, 5 ranges, 2 conditional, 2 tampered in every 10.
    const range = (from: number, to: number): LoadRequest => ({
      path,
      headers: { range: `bytes=${from}-${to}` },
    })
    const requests: LoadRequest[] = [
      { path },
      range(0, 65_535),
      { path: tampered },
      range(SIZE / 2, SIZE / 2 + 65_535),
      { path, headers: { 'if-none-match': etag } },
      range(SIZE - 65_536, SIZE - 1),
      { path: tampered, headers: { range: 'bytes=0-1' } },
      range(131_072, 196_607),
      { path, headers: { 'if-none-match': etag } },
      range(917_504, 983_039),
    ]

    const result = await runLoad({
      url: fixture.edge.url,
      requests,
      amount: AMOUNT,
      connections: CONNECTIONS,
      maxSeconds: 100,
    })
    console.log(describeLoad('local edge, 1 MiB object (RSA-2048 signed URLs)', result))
    const aborted = fixture.events.filter((event) => event.aborted)
    console.log(`  edge events: ${fixture.events.length}, aborted: ${aborted.length}`)
    console.log(
      `  edge throughput: ${(result.bytes / result.seconds / 1024 / 1024).toFixed(1)} MiB/s over ${result.seconds.toFixed(1)} s`
    )

    assert.equal(result.errors, 0)
    assert.equal(result.timeouts, 0)
    assert.isAtLeast(result.requests, AMOUNT)
    // Every request written got its response: no connection dropped mid-response.
    assert.equal(result.sent, result.requests)
    assert.deepEqual(aborted, [])
    assert.deepEqual(Object.keys(result.statusCodes).sort(), ['200', '206', '304', '403'])
    const share = (status: string) => result.statusCodes[status] / result.requests
    assert.closeTo(share('200'), 0.1, 0.02)
    assert.closeTo(share('206'), 0.5, 0.02)
    assert.closeTo(share('304'), 0.2, 0.02)
    assert.closeTo(share('403'), 0.2, 0.02)
    // The whole object and the ranges came through: at least their bytes.
    const expected = result.statusCodes['200'] * SIZE + result.statusCodes['206'] * 65_536
    assert.isAtLeast(result.bytes, expected)

    // Still serving the exact bytes afterwards.
    const after = await fetch(signed)
    assert.deepEqual(Buffer.from(await after.arrayBuffer()), body)
  }).timeout(120_000)
})

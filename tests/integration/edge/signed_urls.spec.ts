import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { EC_KEY, NOW, RSA_KEY, RSA_NEXT_KEY } from '../../helpers/cloudfront_keys.ts'
import {
  parseErrorXml,
  rawRequest,
  startSigningEdgeFixture,
  type EdgeFixture,
} from '../../helpers/edge.ts'

const SIGNERS = {
  'RSA SHA-1': new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey }),
  'RSA SHA-256': new CloudFrontSigner({
    keyPairId: RSA_KEY.id,
    privateKey: RSA_KEY.privateKey,
    hashAlgorithm: 'SHA256',
  }),
  'ECDSA P-256': new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.privateKey }),
}
const rsa = SIGNERS['RSA SHA-1']

test.group('Edge | signed URLs', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  const bodies = new Map<string, Buffer>()
  const storable = AWKWARD_KEYS.filter((entry) => entry.s3rver !== false)

  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem },
    }))
    for (const { key } of storable) {
      const body = Buffer.concat([Buffer.from(key), randomBytes(32)])
      bodies.set(key, body)
      await fixture.put(key, body)
    }
    return () => fixture.stop()
  })

  for (const [name, signer] of Object.entries(SIGNERS)) {
    test(`serves the exact bytes of every awkward key s3rver can store (${name})`, async ({
      assert,
    }) => {
      for (const { key } of storable) {
        const url = signer.signUrl(cdnUrlFor(cdn, key), { expiresIn: 60, now: NOW })
        const response = await fetch(url)
        assert.equal(response.status, 200, key)
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), bodies.get(key), key)
      }
      assert.isAbove(storable.length, 40)
    })
  }

  test('a custom policy with a wildcard resource opens every key under it', async ({ assert }) => {
    const folder = 'folder/nested/'
    const url = (key: string) =>
      rsa.signUrl(cdnUrlFor(cdn, key), {
        expiresIn: 60,
        now: NOW,
        resource: `${cdn.base}${folder}*`,
      })
    const inside = await fetch(url('folder/nested/deep/file.txt'))
    assert.equal(inside.status, 200)
    assert.deepEqual(
      Buffer.from(await inside.arrayBuffer()),
      bodies.get('folder/nested/deep/file.txt')
    )
    // The signer refuses to sign a URL its resource does not cover: move
    // the signed query onto a key outside the folder instead.
    const query = new URL(url('folder/nested/deep/file.txt')).search
    const outside = await fetch(`${cdnUrlFor(cdn, 'plain.txt')}${query}`)
    assert.equal(outside.status, 403)
    assert.equal(parseErrorXml(await outside.text()).code, 'AccessDenied')
  })

  test('a custom policy bound to 127.0.0.1 opens, one bound to another range does not', async ({
    assert,
  }) => {
    const target = cdnUrlFor(cdn, 'plain.txt')
    const here = rsa.signUrl(target, { expiresIn: 60, now: NOW, ipAddress: '127.0.0.1/32' })
    const accepted = await fetch(here)
    assert.equal(accepted.status, 200)
    await accepted.arrayBuffer()
    const there = rsa.signUrl(target, { expiresIn: 60, now: NOW, ipAddress: '10.0.0.0/8' })
    const refused = await fetch(there)
    assert.equal(refused.status, 403)
    assert.deepEqual(parseErrorXml(await refused.text()), {
      code: 'AccessDenied',
      message: 'Access denied',
    })
  })

  test('row 27: a URL signed for another host or base path is refused, whatever the Host header says', async ({
    assert,
  }) => {
    const { port } = new URL(fixture.edge.url)
    const path = `/cdn/${encodeURIComponent('plain.txt')}`
    const forOtherHost = rsa.signUrl(`http://evil.com:${port}${path}`, { expiresIn: 60, now: NOW })
    const query = new URL(forOtherHost).search
    const spoofed = await rawRequest(fixture.edge.url, `${path}${query}`, {
      headers: { Host: `evil.com:${port}` },
    })
    assert.equal(spoofed.status, 403)

    const genuine = rsa.signUrl(cdnUrlFor(cdn, 'plain.txt'), { expiresIn: 60, now: NOW })
    const withOtherHost = await rawRequest(fixture.edge.url, `${path}${new URL(genuine).search}`, {
      headers: { Host: 'evil.com' },
    })
    assert.equal(withOtherHost.status, 200)
    assert.deepEqual(withOtherHost.body, bodies.get('plain.txt'))
  })

  test("an unknown key pair id is refused with CloudFront's message", async ({ assert }) => {
    const other = new CloudFrontSigner({
      keyPairId: RSA_NEXT_KEY.id,
      privateKey: RSA_NEXT_KEY.privateKey,
    })
    const response = await fetch(
      other.signUrl(cdnUrlFor(cdn, 'plain.txt'), { expiresIn: 60, now: NOW })
    )
    assert.equal(response.status, 403)
    assert.deepEqual(parseErrorXml(await response.text()), {
      code: 'InvalidKey',
      message: 'Unknown Key',
    })
  })

  test('Range, HEAD and 304 work on signed URLs too', async ({ assert }) => {
    const url = rsa.signUrl(cdnUrlFor(cdn, 'plain.txt'), { expiresIn: 60, now: NOW })
    const body = bodies.get('plain.txt')!
    const range = await fetch(url, { headers: { Range: 'bytes=-5' } })
    assert.equal(range.status, 206)
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), body.subarray(-5))
    const head = await fetch(url, { method: 'HEAD' })
    assert.equal(head.headers.get('content-length'), String(body.length))
    const cached = await fetch(url, { headers: { 'If-None-Match': head.headers.get('etag')! } })
    assert.equal(cached.status, 304)
  })
})

test.group('Edge | a valid signature does not make an invalid key valid', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture())
    await fixture.put('a/plain.txt', 'plain')
    return () => fixture.stop()
  })

  test('a wildcard policy over the whole edge still cannot reach ".." or "//" keys', async ({
    assert,
  }) => {
    const query = new URL(
      rsa.signUrl(cdnUrlFor(cdn, 'a/plain.txt'), {
        expiresIn: 60,
        now: NOW,
        resource: `${cdn.base}*`,
      })
    ).search
    const valid = await fetch(`${cdnUrlFor(cdn, 'a/plain.txt')}${query}`)
    assert.equal(valid.status, 200)
    fixture.originRequests.length = 0
    for (const path of ['a/%2e%2e/a/plain.txt', 'a/..%2Fa/plain.txt', '%2Fa/plain.txt']) {
      const response = await rawRequest(fixture.edge.url, `/cdn/${path}${query}`)
      assert.equal(response.status, 400, path)
      assert.equal(parseErrorXml(response.body.toString()).code, 'InvalidURI')
    }
    assert.deepEqual(fixture.originRequests, [])
  })
})

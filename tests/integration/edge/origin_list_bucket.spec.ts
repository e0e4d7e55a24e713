import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { cdnUrlFor } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import { startEdgeServer } from '../../../src/edge/server.ts'
import { LocalStore } from '../../../src/store/local_store.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import {
  parseErrorXml,
  startEdgeFixture,
  startSigningEdgeFixture,
  type EdgeFixture,
} from '../../helpers/edge.ts'

// docs/local-edge.md, row 43: S3 answers a reader that may not list the
// bucket 403 for a missing key, and CloudFront passes that on.
test.group('Edge | row 43: a missing object without s3:ListBucket', (group) => {
  const fixtures: EdgeFixture[] = []
  group.each.teardown(async () => {
    for (const fixture of fixtures.splice(0)) await fixture.stop()
  })

  test('row 43: is 403 AccessDenied "Access Denied" for GET, HEAD and a range; objects still serve', async ({
    assert,
  }) => {
    const fixture = await startEdgeFixture({
      defaultBehavior: { signed: false },
      originListsBucket: false,
    })
    fixtures.push(fixture)
    await fixture.put('here.txt', 'here')

    const missing = await fetch(`${fixture.edge.url}/gone.txt`)
    assert.equal(missing.status, 403)
    assert.equal(missing.headers.get('content-type'), 'text/xml')
    assert.deepEqual(parseErrorXml(await missing.text()), {
      code: 'AccessDenied',
      message: 'Access Denied',
    })
    const head = await fetch(`${fixture.edge.url}/gone.txt`, { method: 'HEAD' })
    assert.equal(head.status, 403)
    const range = await fetch(`${fixture.edge.url}/gone.txt`, { headers: { range: 'bytes=0-1' } })
    assert.equal(range.status, 403)
    const present = await fetch(`${fixture.edge.url}/here.txt`)
    assert.equal(await present.text(), 'here')
    assert.deepEqual(
      fixture.events.filter((event) => event.status === 403).map((event) => event.reason),
      ['origin-access-denied', 'origin-access-denied', 'origin-access-denied']
    )
  })

  test('row 43: a signed URL for a missing object is 403 too, and 404 with the default', async ({
    assert,
  }) => {
    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    for (const [originListsBucket, status] of [
      [false, 403],
      [true, 404],
    ] as const) {
      const { fixture, cdn } = await startSigningEdgeFixture(
        originListsBucket ? {} : { originListsBucket }
      )
      fixtures.push(fixture)
      const url = signer.signUrl(cdnUrlFor(cdn, 'gone.pdf'), { expiresIn: 60, now: NOW })
      const response = await fetch(url)
      assert.equal(response.status, status, `originListsBucket: ${originListsBucket}`)
      assert.equal(
        parseErrorXml(await response.text()).code,
        originListsBucket ? 'NoSuchKey' : 'AccessDenied'
      )
    }
  })

  test('row 43: the same from the local store', async ({ assert }) => {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-edge-'))
    const store = new LocalStore({ root, bucket: 'files' })
    const edge = await startEdgeServer({
      store,
      basePath: '/cdn',
      defaultBehavior: { signed: false },
      originListsBucket: false,
    })
    try {
      await store.put('here.txt', 'here')
      const present = await fetch(`${edge.url}/here.txt`)
      assert.equal(await present.text(), 'here')
      const missing = await fetch(`${edge.url}/gone.txt`)
      assert.equal(missing.status, 403)
      assert.equal(parseErrorXml(await missing.text()).code, 'AccessDenied')
    } finally {
      await edge.close()
      await rm(root, { recursive: true, force: true })
    }
  })
})

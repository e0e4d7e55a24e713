import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import {
  parseErrorXml,
  rawRequest,
  startSigningEdgeFixture,
  type EdgeFixture,
} from '../../helpers/edge.ts'

const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })

test.group('Edge | public and signed behaviors', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      behaviors: [
        { pathPattern: 'static/private/*', signed: true },
        { pathPattern: 'static/*', signed: false },
      ],
    }))
    for (const key of ['static/logo.png', 'static/private/plan.pdf', 'uploads/secret.txt']) {
      await fixture.put(key, `bytes of ${key}`)
    }
    return () => fixture.stop()
  })
  group.each.setup(() => {
    fixture.originRequests.length = 0
  })

  test('an unsigned path under a public behavior is served', async ({ assert }) => {
    const response = await fetch(cdnUrlFor(cdn, 'static/logo.png'))
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'bytes of static/logo.png')
  })

  test('an unsigned path under a signed behavior is 403 and never reaches the origin', async ({
    assert,
  }) => {
    for (const key of ['uploads/secret.txt', 'static/private/plan.pdf', 'Static/logo.png']) {
      const response = await fetch(cdnUrlFor(cdn, key))
      assert.equal(response.status, 403, key)
      assert.equal(parseErrorXml(await response.text()).code, 'MissingKey')
    }
    assert.deepEqual(fixture.originRequests, [])
  })

  test('the same paths open with a signature', async ({ assert }) => {
    for (const key of ['uploads/secret.txt', 'static/private/plan.pdf']) {
      const response = await fetch(signer.signUrl(cdnUrlFor(cdn, key), { expiresIn: 60, now: NOW }))
      assert.equal(response.status, 200, key)
      assert.equal(await response.text(), `bytes of ${key}`)
    }
  })

  test('no spelling of a signed key through the public prefix gets in unsigned', async ({
    assert,
  }) => {
    const spellings = [
      '/cdn/static/..%2Fuploads/secret.txt',
      '/cdn/static/%2E%2E/uploads/secret.txt',
      '/cdn/static%2F..%2Fuploads%2Fsecret.txt',
      '/cdn/static/private%2Fplan.pdf',
      '/cdn/%73tatic/private/plan.pdf',
      '/cdn/static//../uploads/secret.txt',
    ]
    for (const target of spellings) {
      const response = await rawRequest(fixture.edge.url, target)
      assert.equal(response.status, 403, target)
    }
    assert.deepEqual(fixture.originRequests, [])
  })
})

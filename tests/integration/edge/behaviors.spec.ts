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
  const warnings: string[] = []
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      behaviors: [
        { pathPattern: 'static/private/*', signed: true },
        { pathPattern: 'static/*', signed: false },
      ],
      onWarning: (message) => warnings.push(message),
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

  test('row 23: spellings that normalise into a signed behavior, or are no valid key, never reach the origin', async ({
    assert,
  }) => {
    const spellings: [string, number][] = [
      // Normalised into the signed default behavior: 403 without a signature.
      ['/cdn/static/%2E%2E/uploads/secret.txt', 403],
      ['/cdn/static%2F..%2Fuploads%2Fsecret.txt', 403],
      ['/cdn/%73tatic/private/plan.pdf', 403],
      ['/cdn/static/private/../private/plan.pdf', 403],
      // Matched by the public pattern, as on CloudFront, but no key S3 should
      // be asked for: the stricter key check refuses them (400).
      ['/cdn/static/..%2Fuploads/secret.txt', 400],
      ['/cdn/static//../uploads/secret.txt', 400],
    ]
    for (const [target, status] of spellings) {
      const response = await rawRequest(fixture.edge.url, target)
      assert.equal(response.status, status, target)
    }
    assert.deepEqual(fixture.originRequests, [])
  })

  test('row 23: a signed pattern nested in a public one is open through %2F, as on CloudFront, and the edge warned at creation', async ({
    assert,
  }) => {
    // CloudFront matches "static/private%2Fplan.pdf" against the patterns
    // with %2F encoded: "static/*" (public) matches, and S3 decodes the raw
    // path to the key static/private/plan.pdf. The edge does the same.
    const response = await rawRequest(fixture.edge.url, '/cdn/static/private%2Fplan.pdf')
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'bytes of static/private/plan.pdf')
    assert.lengthOf(warnings, 1)
    assert.match(
      warnings[0],
      /the signed pattern "static\/private\/\*" can be read unsigned through the public pattern "static\/\*": a request for "\/static\/private%2Fx"/
    )
  })
})

test.group('Edge | a public default behavior with a signed pattern (row 23)', (group) => {
  let fixture: EdgeFixture
  const warnings: string[] = []
  group.setup(async () => {
    ;({ fixture } = await startSigningEdgeFixture({
      defaultBehavior: { signed: false },
      behaviors: [{ pathPattern: 'private/*', signed: true }],
      onWarning: (message) => warnings.push(message),
    }))
    await fixture.put('private/plan.pdf', 'the plan')
    return () => fixture.stop()
  })

  test('row 23: /private%2Fplan.pdf matches the public default and S3 serves private/plan.pdf', async ({
    assert,
  }) => {
    const plain = await rawRequest(fixture.edge.url, '/cdn/private/plan.pdf')
    assert.equal(plain.status, 403)
    const encoded = await rawRequest(fixture.edge.url, '/cdn/private%2Fplan.pdf')
    assert.equal(encoded.status, 200)
    assert.equal(encoded.body.toString(), 'the plan')
    assert.deepEqual(warnings, [
      'the signed pattern "private/*" can be read unsigned through the public default behavior: a request for "/private%2Fx" does not match it (CloudFront keeps %2F encoded when it matches behaviors) and S3 decodes it to the signed key. Sign the default behavior and make public prefixes the patterns, or sign the overlapping public pattern too',
    ])
  })
})

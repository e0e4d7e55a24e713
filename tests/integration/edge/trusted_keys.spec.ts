import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import { createEdgeHandler } from '../../../src/edge/main.ts'
import { NOW, RSA_KEY, RSA_NEXT_KEY } from '../../helpers/cloudfront_keys.ts'
import { parseErrorXml, startSigningEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

/*
 * Fidelity row 19: a key must be in a trusted key group of the matched
 * behavior, otherwise CloudFront answers "Unknown Key".
 */

const current = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
const next = new CloudFrontSigner({ keyPairId: RSA_NEXT_KEY.id, privateKey: RSA_NEXT_KEY.pem })

test.group('Edge | trusted keys per behavior (row 19)', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [RSA_NEXT_KEY.id]: RSA_NEXT_KEY.publicPem },
      behaviors: [{ pathPattern: 'finance/*', signed: true, keyPairIds: [RSA_KEY.id] }],
    }))
    await fixture.put('finance/q1.pdf', 'q1')
    await fixture.put('photos/a.jpg', 'a')
    return () => fixture.stop()
  })

  test('row 19: a key the behavior does not trust is "Unknown Key", though the edge knows it', async ({
    assert,
  }) => {
    fixture.originRequests.length = 0
    const url = next.signUrl(cdnUrlFor(cdn, 'finance/q1.pdf'), { expiresIn: 60, now: NOW })
    const response = await fetch(url)
    assert.equal(response.status, 403)
    assert.deepEqual(parseErrorXml(await response.text()), {
      code: 'InvalidKey',
      message: 'Unknown Key',
    })
    assert.equal(fixture.events.at(-1)?.reason, 'unknown-key')
    assert.deepEqual(fixture.originRequests, [])
  })

  test('row 19: the trusted key opens it; the other key opens the default behavior', async ({
    assert,
  }) => {
    const trusted = await fetch(
      current.signUrl(cdnUrlFor(cdn, 'finance/q1.pdf'), { expiresIn: 60, now: NOW })
    )
    assert.equal(await trusted.text(), 'q1')
    const elsewhere = await fetch(
      next.signUrl(cdnUrlFor(cdn, 'photos/a.jpg'), { expiresIn: 60, now: NOW })
    )
    assert.equal(await elsewhere.text(), 'a')
  })

  test('row 19: signed cookies of an untrusted key are "Unknown Key" too', async ({ assert }) => {
    const cookies = next.signCookies({
      resource: `${cdn.base}finance/*`,
      expiresIn: 60,
      now: NOW,
    })
    const header = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
    const response = await fetch(cdnUrlFor(cdn, 'finance/q1.pdf'), { headers: { cookie: header } })
    assert.equal(response.status, 403)
    assert.equal(parseErrorXml(await response.text()).code, 'InvalidKey')
  })
})

test.group('Edge | trusted keys checked at creation (row 19)', () => {
  const base = {
    directory: '/nonexistent',
    bucket: 'b',
    publicUrl: 'http://127.0.0.1:1/cdn',
    publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
  }
  test('an id the edge does not hold, a public behavior, an empty or too long list', ({
    assert,
  }) => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { pathPattern: 'a/*', signed: true, keyPairIds: ['KUNKNOWN1'] },
        /"KUNKNOWN1" is not in edge\.publicKeys/,
      ],
      [
        { pathPattern: 'a/*', signed: false, keyPairIds: [RSA_KEY.id] },
        /a public behavior trusts no keys/,
      ],
      [{ pathPattern: 'a/*', signed: true, keyPairIds: [] }, /edge\.behaviors\[0\]\.keyPairIds/],
      [
        {
          pathPattern: 'a/*',
          signed: true,
          keyPairIds: Array.from({ length: 21 }, () => RSA_KEY.id),
        },
        /1 to 20/,
      ],
    ]
    for (const [behavior, message] of cases) {
      assert.throws(() => createEdgeHandler({ ...base, behaviors: [behavior as any] }), message)
    }
    assert.throws(
      () =>
        createEdgeHandler({
          ...base,
          publicKeys: undefined,
          verifier: { verify: () => ({ ok: true }) },
          behaviors: [{ pathPattern: 'a/*', signed: true, keyPairIds: [RSA_KEY.id] }],
        }),
      /need edge\.publicKeys/
    )
  })
})

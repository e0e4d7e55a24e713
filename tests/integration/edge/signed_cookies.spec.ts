import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../src/cdn_url.ts'
import { CloudFrontSigner, type CloudFrontCookies } from '../../../src/cloudfront/main.ts'
import { EC_KEY, NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { parseErrorXml, startSigningEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

const rsa = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })
const ec = new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.privateKey })

function cookieHeader(cookies: CloudFrontCookies): string {
  return Object.entries(cookies)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ')
}

test.group('Edge | signed cookies', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem },
    }))
    for (const key of ['gallery/42/a.jpg', 'gallery/42/b b.jpg', 'gallery/43/a.jpg']) {
      await fixture.put(key, `image ${key}`)
    }
    return () => fixture.stop()
  })

  async function get(key: string, cookies: string, query = '') {
    const response = await fetch(`${cdnUrlFor(cdn, key)}${query}`, { headers: { cookie: cookies } })
    return { status: response.status, body: await response.text() }
  }

  async function statusOf(key: string, cookies: string, query = '') {
    const { status } = await get(key, cookies, query)
    return status
  }

  for (const [name, signer] of [
    ['RSA', rsa],
    ['ECDSA', ec],
  ] as const) {
    test(`a wildcard cookie opens its folder and nothing else (${name})`, async ({ assert }) => {
      const cookies = cookieHeader(
        signer.signCookies({ resource: `${cdn.base}gallery/42/*`, expiresIn: 60, now: NOW })
      )
      assert.deepEqual(await get('gallery/42/a.jpg', cookies), {
        status: 200,
        body: 'image gallery/42/a.jpg',
      })
      assert.deepEqual(await get('gallery/42/b b.jpg', cookies), {
        status: 200,
        body: 'image gallery/42/b b.jpg',
      })
      assert.equal(await statusOf('gallery/43/a.jpg', cookies), 403)
    })
  }

  test('row 9: a canned cookie opens its one URL', async ({ assert }) => {
    const cookies = cookieHeader(
      rsa.signCookies({ resource: cdnUrlFor(cdn, 'gallery/42/a.jpg'), expiresIn: 60, now: NOW })
    )
    assert.include(cookies, 'CloudFront-Expires=')
    assert.equal(await statusOf('gallery/42/a.jpg', cookies), 200)
    assert.equal(await statusOf('gallery/42/b b.jpg', cookies), 403)
  })

  test('tampered, expired or foreign cookies are refused', async ({ assert }) => {
    const signed = rsa.signCookies({ resource: `${cdn.base}gallery/42/*`, expiresIn: 60, now: NOW })
    const signature = signed['CloudFront-Signature']
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
    const tampered = cookieHeader({ ...signed, 'CloudFront-Signature': flipped })
    assert.equal(await statusOf('gallery/42/a.jpg', tampered), 403)

    const policy = signed['CloudFront-Policy']!
    const otherPolicy = cookieHeader({
      ...signed,
      'CloudFront-Policy': `${policy.slice(0, 10)}${policy[10] === 'A' ? 'B' : 'A'}${policy.slice(11)}`,
    })
    assert.equal(await statusOf('gallery/42/a.jpg', otherPolicy), 403)

    const expired = cookieHeader(
      rsa.signCookies({
        resource: `${cdn.base}gallery/42/*`,
        expiresIn: 60,
        now: new Date(NOW.getTime() - 3_600_000),
      })
    )
    const refused = await get('gallery/42/a.jpg', expired)
    assert.equal(refused.status, 403)
    assert.deepEqual(parseErrorXml(refused.body), {
      code: 'AccessDenied',
      message: 'Access denied',
    })

    const withoutKeyId = cookieHeader({ ...signed, 'CloudFront-Key-Pair-Id': '' })
    const missing = await get('gallery/42/a.jpg', withoutKeyId)
    assert.equal(
      parseErrorXml(missing.body).message,
      'Missing Key-Pair-Id query parameter or cookie value'
    )
  })

  test('row 6: signing parameters in the URL take precedence over valid cookies', async ({
    assert,
  }) => {
    const cookies = cookieHeader(
      rsa.signCookies({ resource: `${cdn.base}gallery/42/*`, expiresIn: 60, now: NOW })
    )
    const badUrl = '?Expires=1&Signature=AAAA&Key-Pair-Id=K2JCJMDEHXQW5F'
    assert.equal(await statusOf('gallery/42/a.jpg', cookies, badUrl), 403)
  })
})

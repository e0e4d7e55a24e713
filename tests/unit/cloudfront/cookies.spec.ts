import { getSignedCookies } from '@aws-sdk/cloudfront-signer'
import { test } from '@japa/runner'
import {
  cloudFrontSetCookies,
  CloudFrontSigner,
  CloudFrontVerifier,
} from '../../../src/cloudfront/main.ts'
import { CDN, EC_KEY, NOW, NOW_SECONDS, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

const rsa = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
const ecdsa = new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.pem })
const verifier = new CloudFrontVerifier({
  publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem },
})

test.group('CloudFront cookies | signed and verified', () => {
  test('canned cookies open exactly one URL, own query included', ({ assert }) => {
    const resource = `${CDN}/media/report.pdf?v=2`
    // In a resource, the query separator is written \? (a bare ? is a wildcard).
    const cookies = rsa.signCookies({
      resource: `${CDN}/media/report.pdf\\?v=2`,
      expiresIn: 60,
      now: NOW,
    })
    assert.deepEqual(Object.keys(cookies).sort(), [
      'CloudFront-Expires',
      'CloudFront-Key-Pair-Id',
      'CloudFront-Signature',
    ])
    assert.equal(cookies['CloudFront-Expires'], String(NOW_SECONDS + 61))
    const result = verifier.verify({ url: resource, cookies, now: NOW })
    assert.isTrue(result.ok && result.via === 'cookies' && result.policy === 'canned')
    assert.isFalse(verifier.verify({ url: `${CDN}/media/report.pdf`, cookies, now: NOW }).ok)
    assert.isFalse(verifier.verify({ url: `${CDN}/media/other.pdf?v=2`, cookies, now: NOW }).ok)
  })

  test('custom wildcard cookies open a folder ({0})')
    .with([
      ['RSA', rsa],
      ['ECDSA', ecdsa],
    ] as const)
    .run(({ assert }, [, signer]) => {
      const cookies = signer.signCookies({ resource: `${CDN}/hls/42/*`, expiresIn: '2h', now: NOW })
      assert.isDefined(cookies['CloudFront-Policy'])
      assert.isUndefined(cookies['CloudFront-Expires'])
      for (const path of ['index.m3u8', 'seg-001.ts?t=3', 'sub/dir/seg.ts']) {
        const result = verifier.verify({ url: `${CDN}/hls/42/${path}`, cookies, now: NOW })
        assert.isTrue(result.ok, path)
      }
      for (const path of ['hls/43/index.m3u8', 'hls/421/index.m3u8', 'other.txt']) {
        assert.isFalse(verifier.verify({ url: `${CDN}/${path}`, cookies, now: NOW }).ok, path)
      }
      // Expired two hours later.
      const later = new Date(NOW.getTime() + 7201_000)
      assert.isFalse(verifier.verify({ url: `${CDN}/hls/42/a.ts`, cookies, now: later }).ok)
    })

  test('a Cookie header works as well as parsed pairs', ({ assert }) => {
    const cookies = rsa.signCookies({ resource: `${CDN}/hls/42/*`, expiresIn: 60, now: NOW })
    const header = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
    assert.isTrue(
      verifier.verify({ url: `${CDN}/hls/42/a.ts`, cookies: `theme=dark; ${header}`, now: NOW }).ok
    )
  })

  test('signing parameters in the URL take precedence over cookies', ({ assert }) => {
    const cookies = rsa.signCookies({ resource: `${CDN}/*`, expiresIn: 60, now: NOW })
    const url = `${CDN}/a.txt?Expires=1&Signature=AAAA&Key-Pair-Id=${RSA_KEY.id}`
    const result = verifier.verify({ url, cookies, now: NOW })
    assert.isFalse(result.ok)
  })

  test('a wildcard resource never gets canned cookies', ({ assert }) => {
    assert.throws(
      () =>
        rsa.signCookies({ resource: `${CDN}/hls/*`, expiresIn: 60, policy: 'canned', now: NOW }),
      /needs policy: 'custom'/
    )
  })

  test('same cookie values as the AWS SDK for a custom policy', ({ assert }) => {
    const cookies = rsa.signCookies({
      resource: `${CDN}/hls/42/*`,
      expiresAt: new Date('2026-05-04T13:00:00Z'),
      startsAt: new Date('2026-05-04T11:00:00Z'),
      now: NOW,
    })
    const sdk = getSignedCookies({
      url: `${CDN}/hls/42/*`,
      keyPairId: RSA_KEY.id,
      privateKey: RSA_KEY.pem,
      dateLessThan: '2026-05-04T13:00:00Z',
      dateGreaterThan: '2026-05-04T11:00:00Z',
    })
    assert.deepEqual({ ...cookies }, { ...sdk } as object)
  })
})

test.group('CloudFront cookies | Set-Cookie headers', () => {
  const cookies = rsa.signCookies({ resource: `${CDN}/hls/42/*`, expiresIn: 60, now: NOW })

  test('Secure, HttpOnly, session cookies by default, with the domain given', ({ assert }) => {
    const headers = cloudFrontSetCookies(cookies, { domain: '.example.com' })
    assert.lengthOf(headers, 3)
    for (const header of headers) {
      assert.match(
        header,
        /^CloudFront-[A-Za-z-]+=[A-Za-z0-9\-_~]+; Path=\/; Domain=\.example\.com; Secure; HttpOnly; SameSite=Lax$/
      )
      assert.notMatch(header, /Max-Age|Expires=/i)
    }
  })

  test('Max-Age and path when asked', ({ assert }) => {
    const [header] = cloudFrontSetCookies(cookies, { path: '/hls/42/', maxAge: 600 })
    assert.include(header, '; Path=/hls/42/; Max-Age=600; Secure')
  })

  test('refuses {0}')
    .with([
      ['a domain with a semicolon', { domain: 'example.com; Secure=no' }],
      ['a path with a semicolon', { path: '/a;b' }],
      ['a negative Max-Age', { maxAge: -1 }],
      ['SameSite=None without Secure', { sameSite: 'None', secure: false }],
    ] as const)
    .run(({ assert }, [, attributes]) => {
      assert.throws(() => cloudFrontSetCookies(cookies, attributes), /Cannot sign with/)
    })
})

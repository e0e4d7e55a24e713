import { test } from '@japa/runner'
import { cdnUrlFor, parseCdnUrl } from '../../../src/cdn_url.ts'
import { CloudFrontSigner, CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { CDN, EC_KEY, NOW, NOW_SECONDS, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/**
 * Every single-character change of a signed URL (every position: scheme,
 * host, path, own query, Expires, Policy, Signature, Key-Pair-Id,
 * Hash-Algorithm and the separators) and every deletion must be refused.
 */

const rsa = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
const rsa256 = new CloudFrontSigner({
  keyPairId: RSA_KEY.id,
  privateKey: RSA_KEY.pem,
  hashAlgorithm: 'SHA256',
})
const ecdsa = new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.pem })
const verifier = new CloudFrontVerifier({
  publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem },
})
const cdn = parseCdnUrl(`${CDN}/media`, 'cdnUrl')
const clientIp = '192.0.2.44'
const own = 'response-content-disposition=attachment%3B%20filename%3D%22r%C3%A9sum%C3%A9.pdf%22&v=3'

const SUBSTITUTES = ['A', 'z', '0', '9', '-', '_', '~', '%', '&', '=', '?', '.', '/']

const urls = [
  [
    'canned RSA-SHA1 with own query',
    rsa.signUrl(`${cdnUrlFor(cdn, 'docs/résumé.pdf')}?${own}`, { expiresIn: '10m', now: NOW }),
  ],
  [
    'canned RSA-SHA256',
    rsa256.signUrl(cdnUrlFor(cdn, "it's (1) 50%+.txt"), { expiresIn: 60, now: NOW }),
  ],
  [
    'custom RSA-SHA256 with start, IP and own query',
    rsa256.signUrl(`${cdnUrlFor(cdn, 'a b/c.txt')}?${own}`, {
      expiresIn: 60,
      startsAt: new Date((NOW_SECONDS - 10) * 1000),
      ipAddress: `${clientIp}/32`,
      now: NOW,
    }),
  ],
  ['canned ECDSA', ecdsa.signUrl(cdnUrlFor(cdn, 'photo.jpg'), { expiresIn: 60, now: NOW })],
  [
    'custom ECDSA',
    ecdsa.signUrl(`${cdnUrlFor(cdn, 'u/12/x.jpg')}?w=100`, {
      expiresIn: 60,
      policy: 'custom',
      now: NOW,
    }),
  ],
] as const

test.group('CloudFront verifier | tampering', () => {
  test('{0}: the untouched URL verifies')
    .with([...urls])
    .run(({ assert }, [, signed]) => {
      assert.isTrue(verifier.verify({ url: signed, now: NOW, clientIp }).ok)
    })

  test('{0}: every single-character change and deletion is refused')
    .with([...urls])
    .run(({ assert }, [, signed]) => {
      let tried = 0
      const accepted: string[] = []
      for (let i = 0; i < signed.length; i++) {
        const variants = SUBSTITUTES.filter((c) => c !== signed[i]).map(
          (c) => `${signed.slice(0, i)}${c}${signed.slice(i + 1)}`
        )
        // Also flip the case of letters (a %2a for %2A, a k for K).
        const flipped =
          signed[i] === signed[i].toLowerCase() ? signed[i].toUpperCase() : signed[i].toLowerCase()
        if (flipped !== signed[i])
          variants.push(`${signed.slice(0, i)}${flipped}${signed.slice(i + 1)}`)
        variants.push(`${signed.slice(0, i)}${signed.slice(i + 1)}`)
        for (const variant of variants) {
          tried++
          if (verifier.verify({ url: variant, now: NOW, clientIp }).ok)
            accepted.push(`${i}: ${variant}`)
        }
      }
      assert.deepEqual(accepted, [])
      assert.isAbove(tried, signed.length * SUBSTITUTES.length)
    })

  test('every single-character change of a signed cookie is refused', ({ assert }) => {
    const resource = `${CDN}/media/hls/42/*`
    const request = `${CDN}/media/hls/42/segment-001.ts`
    const cookies = rsa256.signCookies({ resource, expiresIn: 60, now: NOW })
    assert.isTrue(verifier.verify({ url: request, cookies, now: NOW }).ok)
    const accepted: string[] = []
    for (const [name, value] of Object.entries(cookies)) {
      for (let i = 0; i < value.length; i++) {
        for (const c of SUBSTITUTES.filter((s) => s !== value[i])) {
          const changed = { ...cookies, [name]: `${value.slice(0, i)}${c}${value.slice(i + 1)}` }
          if (verifier.verify({ url: request, cookies: changed, now: NOW }).ok)
            accepted.push(`${name}@${i}`)
        }
      }
    }
    assert.deepEqual(accepted, [])
  })
})

import { test } from '@japa/runner'
import { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import { toAwsBase64 } from '../../../src/cloudfront/encoding.ts'
import type { VerifyRefusal } from '../../../src/cloudfront/types.ts'
import { explainCloudFrontUrl, type Explanation } from '../../../src/doctor/explain_url.ts'
import { independentlySignedUrl } from '../../helpers/independent_signer.ts'
import {
  CDN,
  EC_KEY,
  NOW,
  NOW_SECONDS,
  RSA_KEY,
  RSA_NEXT_KEY,
} from '../../helpers/cloudfront_keys.ts'

/*
 * `djamazing:explain` for CloudFront URLs: for every reason the verifier
 * refuses with, a URL that triggers it and the plain-words answer.
 */

const rsa = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
const ec = new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.pem })
const publicKeys = { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem }
const URL_A = `${CDN}/photos/a.jpg`
const signed = rsa.signUrl(URL_A, { expiresIn: 60, now: NOW })

function explain(url: string, extra: { now?: Date; clientIp?: string; cookies?: string } = {}) {
  return explainCloudFrontUrl({ url, publicKeys, now: NOW, ...extra })
}

const CASES: [VerifyRefusal['reason'], () => Explanation, RegExp][] = [
  ['malformed-url', () => explain(`${CDN}/a b.jpg`), /not a URL CloudFront would receive/],
  ['missing-key-pair-id', () => explain(URL_A), /no Key-Pair-Id: the URL carries no signature/],
  [
    'unknown-key',
    () =>
      explain(
        new CloudFrontSigner({ keyPairId: RSA_NEXT_KEY.id, privateKey: RSA_NEXT_KEY.pem }).signUrl(
          URL_A,
          { expiresIn: 60, now: NOW }
        )
      ),
    /the key pair id K3NEXTROTATION is not among the configured keys \(K2JCJMDEHXQW5F, KECDSAP256TEST\)/,
  ],
  [
    'missing-signature',
    () => explain(signed.replace(/&Signature=[^&]+/, '')),
    /Signature parameter is missing/,
  ],
  [
    'malformed-signature',
    () => explain(signed.replace(/Signature=./, 'Signature=+')),
    /not AWS's URL-safe base64/,
  ],
  ['missing-policy', () => explain(signed.replace(/Expires=\d+&/, '')), /neither Expires/],
  [
    'malformed-policy',
    () => explain(signed.replace(/Expires=\d+/, `Policy=${toAwsBase64(Buffer.from('{"no":1}'))}`)),
    /Policy is unreadable/,
  ],
  [
    'malformed-expires',
    () => explain(signed.replace(/Expires=/, 'Expires=0')),
    /Expires is not whole epoch seconds/,
  ],
  [
    'signing-params-not-last',
    () => explain(`${signed}&utm_source=mail`),
    /appended to the URL after it was signed/,
  ],
  [
    'duplicate-signing-param',
    () => explain(signed.replace(/(Expires=\d+)/, '$1&$1')),
    /a signing parameter appears twice/,
  ],
  [
    'invalid-hash-algorithm',
    () => explain(`${ec.signUrl(URL_A, { expiresIn: 60, now: NOW })}`.replace('SHA256', 'MD5')),
    /Hash-Algorithm is neither SHA256 nor SHA1/,
  ],
  [
    'bad-signature',
    () => explain(signed.replace(/Expires=\d+/, `Expires=${NOW_SECONDS + 3600}`)),
    /the signature does not match: this URL is not what K2JCJMDEHXQW5F's private key signed/,
  ],
  [
    'expired',
    () => explain(signed, { now: new Date(NOW.getTime() + 90_000) }),
    /^it expired 29 s ago, at 2026-05-04T12:01:01\.000Z$/,
  ],
  [
    'not-yet-valid',
    () =>
      explain(
        rsa.signUrl(URL_A, {
          expiresIn: 600,
          startsAt: new Date(NOW.getTime() + 120_000),
          now: NOW,
        })
      ),
    /it is not valid yet: it starts at 2026-05-04T12:02:00\.000Z, in 120 s/,
  ],
  [
    'ip-not-allowed',
    () =>
      explain(rsa.signUrl(URL_A, { expiresIn: 60, ipAddress: '192.0.2.0/24', now: NOW }), {
        clientIp: '198.51.100.7',
      }),
    /the policy allows only 192\.0\.2\.0\/24; the request came from 198\.51\.100\.7/,
  ],
  [
    'resource-mismatch',
    () =>
      explain(
        rsa
          .signUrl(URL_A, { expiresIn: 60, resource: `${CDN}/photos/*`, now: NOW })
          .replace('/photos/a.jpg', '/videos/1.mp4')
      ),
    /the policy's Resource "https:\/\/d111111abcdef8\.cloudfront\.net\/photos\/\*" does not cover this URL/,
  ],
]

test.group('djamazing:explain | CloudFront URLs, every refusal in plain words', () => {
  test('a good URL: accepted, with its key, policy and time left', ({ assert }) => {
    const answer = explain(signed)
    assert.isTrue(answer.accepted)
    assert.match(
      answer.summary,
      /signed by K2JCJMDEHXQW5F \(canned policy, in the URL\), valid 61 s more/
    )
  })

  test('every refusal reason of the verifier is explained', ({ assert }) => {
    const reasons: VerifyRefusal['reason'][] = [
      'malformed-url',
      'missing-key-pair-id',
      'unknown-key',
      'missing-signature',
      'malformed-signature',
      'missing-policy',
      'malformed-policy',
      'malformed-expires',
      'signing-params-not-last',
      'duplicate-signing-param',
      'invalid-hash-algorithm',
      'bad-signature',
      'expired',
      'not-yet-valid',
      'ip-not-allowed',
      'resource-mismatch',
    ]
    assert.deepEqual(
      CASES.map(([reason]) => reason),
      reasons
    )
  })

  for (const [reason, run, summary] of CASES) {
    test(`${reason}`, ({ assert }) => {
      const answer = run()
      assert.isFalse(answer.accepted)
      assert.equal(answer.reason, reason)
      assert.match(answer.summary, summary)
    })
  }

  test('expired: the clock skew that would explain it', ({ assert }) => {
    const answer = explain(signed, { now: new Date(NOW.getTime() + 90_000) })
    assert.match(
      answer.details[0],
      /the clock of the machine that signed it is at least 29 s behind/
    )
  })

  test('signed cookies are explained like URLs', ({ assert }) => {
    const cookies = rsa.signCookies({ resource: `${CDN}/photos/*`, expiresIn: 60, now: NOW })
    const header = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
    assert.isTrue(explain(URL_A, { cookies: header }).accepted)
    assert.equal(
      explain(URL_A, { cookies: header, now: new Date(NOW.getTime() + 120_000) }).reason,
      'expired'
    )
  })
})

test.group('djamazing:explain | URLs changed after signing', () => {
  test('a proxy decoding %2A and encoding ~: changed after signing, the difference shown', ({
    assert,
  }) => {
    const url = rsa.signUrl(`${CDN}/photos/a%2Ab~c.jpg`, { expiresIn: 60, now: NOW })
    const proxied = url.replace('a%2Ab~c.jpg', 'a*b%7Ec.jpg')
    assert.notEqual(proxied, url)
    const answer = explain(proxied)
    assert.isFalse(answer.accepted)
    assert.equal(answer.reason, 'changed-after-signing')
    assert.match(answer.summary, /the URL was changed after signing/)
    assert.include(answer.details, `signed as: ${url}`)
    assert.include(answer.details, 'received "/a*b%7Ec.jpg", signed "/a%2Ab~c.jpg"')
  })

  test('a query value re-encoded by a proxy is found too', ({ assert }) => {
    const url = rsa.signUrl(
      `${CDN}/a.pdf?response-content-disposition=attachment%3B%20filename%2A%3DUTF-8%27%27r.pdf`,
      { expiresIn: 60, now: NOW }
    )
    const answer = explain(url.replace('filename%2A%3D', 'filename*%3D').replace('%27%27', "''"))
    assert.equal(answer.reason, 'changed-after-signing')
  })

  test("ECDSA over SHA-1 without Hash-Algorithm (the AWS SDKs' default for EC keys): accepted", ({
    assert,
  }) => {
    const url = independentlySignedUrl(URL_A, {
      privateKey: EC_KEY.privateKey,
      keyPairId: EC_KEY.id,
      expires: NOW_SECONDS + 60,
      digest: 'sha1',
    })
    const answer = explain(url)
    assert.isTrue(answer.accepted)
    assert.match(answer.summary, /^CloudFront would accept it: signed by KECDSAP256TEST/)
    assert.include(answer.details, 'hash: SHA-1 (no Hash-Algorithm parameter)')
  })

  test('ECDSA over SHA-256 without Hash-Algorithm: refused, and said why', ({ assert }) => {
    const url = independentlySignedUrl(URL_A, {
      privateKey: EC_KEY.privateKey,
      keyPairId: EC_KEY.id,
      expires: NOW_SECONDS + 60,
      digest: 'sha256',
    })
    const answer = explain(url)
    assert.isFalse(answer.accepted)
    assert.equal(answer.reason, 'wrong-hash-algorithm')
    assert.match(
      answer.summary,
      /signed with ECDSA over SHA-256 but carries no Hash-Algorithm=SHA256: CloudFront then verifies over SHA-1/
    )
  })

  test('RSA over SHA-1 with Hash-Algorithm=SHA256: refused, and said why', ({ assert }) => {
    const url = independentlySignedUrl(URL_A, {
      privateKey: RSA_KEY.privateKey,
      keyPairId: RSA_KEY.id,
      expires: NOW_SECONDS + 60,
      digest: 'sha1',
      hashParam: 'SHA256',
    })
    const answer = explain(url)
    assert.equal(answer.reason, 'wrong-hash-algorithm')
    assert.match(answer.summary, /signed with RSA over SHA-1 but carries Hash-Algorithm=SHA256/)
  })
})

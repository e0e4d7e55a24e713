import { createPublicKey, verify } from 'node:crypto'
import { test } from '@japa/runner'
import fc from 'fast-check'
import { cdnUrlFor, parseCdnUrl } from '../../../src/cdn_url.ts'
import { CloudFrontSigner, CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import type { VerifyRequest } from '../../../src/cloudfront/types.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { independentlySignedUrl } from '../../helpers/independent_signer.ts'
import {
  CDN,
  EC_KEY,
  EC_P384_KEY,
  NOW,
  NOW_SECONDS,
  RSA_1024_KEY,
  RSA_KEY,
  RSA_NEXT_KEY,
} from '../../helpers/cloudfront_keys.ts'

const signers = {
  'RSA-SHA1': new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem }),
  'RSA-SHA256': new CloudFrontSigner({
    keyPairId: RSA_KEY.id,
    privateKey: RSA_KEY.pem,
    hashAlgorithm: 'SHA256',
  }),
  'ECDSA-SHA256': new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.pem }),
  'ECDSA-SHA1': new CloudFrontSigner({
    keyPairId: EC_KEY.id,
    privateKey: EC_KEY.pem,
    hashAlgorithm: 'SHA1',
  }),
}
const verifier = new CloudFrontVerifier({
  publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: createPublicKey(EC_KEY.privateKey) },
})
const cdn = parseCdnUrl(`${CDN}/media`, 'cdnUrl')
const url = `${CDN}/media/report.pdf`

function fromAws(value: string): Buffer {
  return Buffer.from(value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'), 'base64')
}

/**
 * Verifies a signed URL with Node's crypto alone, independently of our
 * verifier: rebuild (canned) or decode (custom) the policy, check the signature.
 */
function nodeVerifies(signed: string, publicKey: string): boolean {
  const params = new URL(signed).searchParams
  const base = signed.slice(0, signed.search(/[?&](Expires|Policy)=/))
  const policy = params.has('Policy')
    ? fromAws(params.get('Policy')!)
    : Buffer.from(
        `{"Statement":[{"Resource":"${base}","Condition":{"DateLessThan":{"AWS:EpochTime":${params.get('Expires')}}}}]}`
      )
  const digest = params.get('Hash-Algorithm') === 'SHA256' ? 'sha256' : 'sha1'
  return verify(digest, policy, publicKey, fromAws(params.get('Signature')!))
}

function refusal(request: VerifyRequest) {
  const result = verifier.verify(request)
  if (result.ok) throw new Error('accepted')
  return result
}

const algorithms = ['RSA-SHA1', 'RSA-SHA256', 'ECDSA-SHA256', 'ECDSA-SHA1'] as const
const cases = AWKWARD_KEYS.flatMap(({ key }) =>
  algorithms.flatMap((algorithm) =>
    (['canned', 'custom'] as const).map((policy) => ({ key, algorithm, policy }))
  )
)

test.group('CloudFront verifier | every URL we make verifies', () => {
  test('{key} ({algorithm}, {policy})')
    .with(cases)
    .run(({ assert }, { key, algorithm, policy }) => {
      const signer = signers[algorithm]
      const signed = signer.signUrl(cdnUrlFor(cdn, key), { expiresIn: '10m', now: NOW, policy })
      const result = verifier.verify({ url: signed, now: NOW })
      assert.isTrue(result.ok)
      if (result.ok) {
        assert.equal(result.keyPairId, signer.keyPairId)
        assert.equal(result.policy, policy)
        assert.equal(result.unsignedUrl, cdnUrlFor(cdn, key))
        assert.equal(result.expiresAt.getTime(), (NOW_SECONDS + 601) * 1000)
      }
      const publicPem = algorithm.startsWith('ECDSA') ? EC_KEY.publicPem : RSA_KEY.publicPem
      assert.isTrue(nodeVerifies(signed, publicPem))
    })

  test('async URLs verify too ({$self})')
    .with([...algorithms])
    .run(async ({ assert }, algorithm) => {
      const signed = await signers[algorithm].signUrlAsync(`${url}?a=1`, {
        expiresIn: 60,
        now: NOW,
      })
      assert.isTrue(verifier.verify({ url: signed, now: NOW }).ok)
    })

  test('a verifier given the private KeyObject derives the public key', ({ assert }) => {
    const fromPrivate = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.privateKey } })
    const signed = signers['RSA-SHA1'].signUrl(url, { expiresIn: 60, now: NOW })
    assert.isTrue(fromPrivate.verify({ url: signed, now: NOW }).ok)
  })
})

test.group('CloudFront verifier | refusals, with CloudFront wording', () => {
  const signer = signers['RSA-SHA1']

  test('expiry: valid until the second before Expires, refused from Expires on', ({ assert }) => {
    const signed = signer.signUrl(url, { expiresAt: new Date((NOW_SECONDS + 60) * 1000), now: NOW })
    const at = (ms: number) => verifier.verify({ url: signed, now: new Date(ms) })
    assert.isTrue(at((NOW_SECONDS + 59) * 1000 + 999).ok)
    assert.deepInclude(at((NOW_SECONDS + 60) * 1000), {
      ok: false,
      reason: 'expired',
      code: 'AccessDenied',
      message: 'Access denied',
    })
  })

  test('not yet valid before DateGreaterThan', ({ assert }) => {
    const startsAt = new Date((NOW_SECONDS + 30) * 1000)
    const signed = signer.signUrl(url, { expiresIn: 60, startsAt, now: NOW })
    assert.equal(refusal({ url: signed, now: NOW }).reason, 'not-yet-valid')
    assert.isTrue(verifier.verify({ url: signed, now: startsAt }).ok)
  })

  test('IP ranges: inside accepted, outside, IPv6 and missing refused', ({ assert }) => {
    const signed = signer.signUrl(url, { expiresIn: 60, ipAddress: '198.51.100.0/24', now: NOW })
    for (const clientIp of ['198.51.100.0', '198.51.100.255', '::ffff:198.51.100.7']) {
      assert.isTrue(verifier.verify({ url: signed, now: NOW, clientIp }).ok, clientIp)
    }
    for (const clientIp of ['198.51.101.1', '198.51.99.255', '2001:db8::1', 'garbage', undefined]) {
      assert.equal(refusal({ url: signed, now: NOW, clientIp }).reason, 'ip-not-allowed')
    }
  })

  test('an unknown key id: InvalidKey / Unknown Key', ({ assert }) => {
    const other = new CloudFrontSigner({ keyPairId: RSA_NEXT_KEY.id, privateKey: RSA_NEXT_KEY.pem })
    const result = refusal({ url: other.signUrl(url, { expiresIn: 60, now: NOW }), now: NOW })
    assert.deepInclude(result, {
      reason: 'unknown-key',
      code: 'InvalidKey',
      message: 'Unknown Key',
    })
  })

  test('no Key-Pair-Id: MissingKey', ({ assert }) => {
    for (const candidate of [
      url,
      `${url}?x=1`,
      signer.signUrl(url, { expiresIn: 60, now: NOW }).replace(/&Key-Pair-Id=[A-Z0-9]+/, ''),
      signer
        .signUrl(url, { expiresIn: 60, now: NOW })
        .replace(/Key-Pair-Id=[A-Z0-9]+/, 'Key-Pair-Id='),
    ]) {
      assert.deepInclude(refusal({ url: candidate, now: NOW }), {
        reason: 'missing-key-pair-id',
        code: 'MissingKey',
        message: 'Missing Key-Pair-Id query parameter or cookie value',
      })
    }
  })

  test('a policy that is not JSON, or breaks the rules: MalformedPolicy')
    .with([
      ['not base64', 'not!base64'],
      ['not JSON', 'not json at all'],
      [
        'two statements',
        '{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000}}},{"Resource":"y","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000}}}]}',
      ],
      ['no DateLessThan', '{"Statement":[{"Resource":"x","Condition":{}}]}'],
      [
        'a string date',
        '{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":"2000000000"}}}]}',
      ],
      [
        'an IPv6 source',
        '{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000},"IpAddress":{"AWS:SourceIp":"::1/128"}}}]}',
      ],
      [
        'an unknown condition',
        '{"Statement":[{"Resource":"x","Condition":{"DateLessThan":{"AWS:EpochTime":2000000000},"Referer":"x"}}]}',
      ],
    ])
    .run(({ assert }, [name, policy]) => {
      const value =
        name === 'not base64'
          ? policy
          : Buffer.from(policy)
              .toString('base64')
              .replaceAll('+', '-')
              .replaceAll('=', '_')
              .replaceAll('/', '~')
      const signed = `${url}?Policy=${value}&Signature=AAAA&Key-Pair-Id=${RSA_KEY.id}`
      assert.deepInclude(refusal({ url: signed, now: NOW }), {
        reason: 'malformed-policy',
        code: 'MalformedPolicy',
        message: 'Malformed Policy',
      })
    })

  test('anything appended after the signing parameters is refused', ({ assert }) => {
    const signed = signer.signUrl(`${url}?a=1`, { expiresIn: 60, now: NOW })
    assert.equal(refusal({ url: `${signed}&b=2`, now: NOW }).reason, 'signing-params-not-last')
    assert.equal(refusal({ url: `${signed}&`, now: NOW }).reason, 'signing-params-not-last')
    assert.equal(
      refusal({ url: `${signed}&Expires=${NOW_SECONDS + 100}`, now: NOW }).reason,
      'duplicate-signing-param'
    )
    // Moving an own parameter between the signing ones is refused too.
    const moved = signed.replace('?a=1&Expires', '?Expires').replace('&Signature', '&a=1&Signature')
    assert.equal(refusal({ url: moved, now: NOW }).reason, 'signing-params-not-last')
  })

  test('an own parameter inserted before the signing ones breaks the signature', ({ assert }) => {
    const signed = signer.signUrl(`${url}?a=1`, { expiresIn: 60, now: NOW })
    const inserted = signed.replace('?a=1&', '?a=1&response-content-type=text%2Fhtml&')
    assert.equal(refusal({ url: inserted, now: NOW }).reason, 'bad-signature')
  })

  test('hash algorithm: dropping or changing Hash-Algorithm is refused', ({ assert }) => {
    const sha256 = signers['RSA-SHA256'].signUrl(url, { expiresIn: 60, now: NOW })
    assert.equal(
      refusal({ url: sha256.replace('&Hash-Algorithm=SHA256', ''), now: NOW }).reason,
      'bad-signature'
    )
    assert.equal(
      refusal({ url: sha256.replace('Hash-Algorithm=SHA256', 'Hash-Algorithm=SHA1'), now: NOW })
        .reason,
      'bad-signature'
    )
    const sha1 = signer.signUrl(url, { expiresIn: 60, now: NOW })
    assert.equal(
      refusal({ url: `${sha1}&Hash-Algorithm=SHA256`, now: NOW }).reason,
      'bad-signature'
    )
    assert.equal(
      refusal({ url: `${sha1}&Hash-Algorithm=MD5`, now: NOW }).reason,
      'invalid-hash-algorithm'
    )
    const ecdsa = signers['ECDSA-SHA256'].signUrl(url, { expiresIn: 60, now: NOW })
    assert.equal(
      refusal({ url: ecdsa.replace('Hash-Algorithm=SHA256', 'Hash-Algorithm=SHA1'), now: NOW })
        .reason,
      'bad-signature'
    )
    assert.equal(
      refusal({ url: ecdsa.replace('&Hash-Algorithm=SHA256', ''), now: NOW }).reason,
      'bad-signature'
    )
  })

  test('a signature made by one key under the id of another is refused', ({ assert }) => {
    const impostor = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_NEXT_KEY.pem })
    const result = refusal({ url: impostor.signUrl(url, { expiresIn: 60, now: NOW }), now: NOW })
    assert.equal(result.reason, 'bad-signature')
  })

  test('never throws, whatever the request (property)', ({ assert }) => {
    const signed = signer.signUrl(`${url}?a=1`, { expiresIn: 60, now: NOW })
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.nat({ max: signed.length }),
        fc.string(),
        (insert, at, cookies) => {
          const candidate = `${signed.slice(0, at)}${insert}${signed.slice(at)}`
          const result = verifier.verify({ url: candidate, cookies, now: NOW, clientIp: insert })
          return insert === '' ? result.ok : typeof result.ok === 'boolean'
        }
      ),
      { numRuns: 2000 }
    )
    for (const junk of [undefined, null, 42, {}, { url: 42 }, { url: 'x'.repeat(10_000) }]) {
      assert.isFalse(verifier.verify(junk as VerifyRequest).ok)
    }
  })
})

test.group('CloudFront verifier | public keys', () => {
  test('{0} is refused at construction')
    .with([
      ['RSA-1024', RSA_1024_KEY.publicPem, /1024 bits/],
      ['EC on P-384', EC_P384_KEY.publicPem, /secp384r1/],
      [
        'malformed PEM',
        '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----',
        /malformed PEM/,
      ],
      ['not PEM', 'K2JCJMDEHXQW5F', /expected the PEM text/],
    ] as const)
    .run(({ assert }, [, publicKey, message]) => {
      assert.throws(() => new CloudFrontVerifier({ publicKeys: { KANY: publicKey } }), message)
    })

  test('no keys, or a malformed key id, is refused', ({ assert }) => {
    assert.throws(() => new CloudFrontVerifier({ publicKeys: {} }), /no public key/)
    assert.throws(
      () => new CloudFrontVerifier({ publicKeys: { 'bad id': RSA_KEY.publicPem } }),
      /not a CloudFront public key id/
    )
  })
})

test.group('CloudFront verifier | ECDSA hashes as CloudFront does (fidelity row 20)', () => {
  const expires = NOW_SECONDS + 60
  const ecdsa = { privateKey: EC_KEY.privateKey, keyPairId: EC_KEY.id, expires }

  test('row 20: ECDSA signed by another signer over SHA-1 without Hash-Algorithm (AWS Ruby default): accepted', ({
    assert,
  }) => {
    const signed = independentlySignedUrl(`${url}?a=1`, { ...ecdsa, digest: 'sha1' })
    const result = verifier.verify({ url: signed, now: NOW })
    assert.isTrue(result.ok)
    if (result.ok) assert.equal(result.keyPairId, EC_KEY.id)
  })

  test('row 20: ECDSA over SHA-256 without Hash-Algorithm: refused, as CloudFront refuses it', ({
    assert,
  }) => {
    const signed = independentlySignedUrl(url, { ...ecdsa, digest: 'sha256' })
    assert.equal(refusal({ url: signed, now: NOW }).reason, 'bad-signature')
  })

  test('over SHA-256 with Hash-Algorithm=SHA256: accepted; over SHA-1 with it: refused', ({
    assert,
  }) => {
    const sha256 = independentlySignedUrl(url, { ...ecdsa, digest: 'sha256', hashParam: 'SHA256' })
    assert.isTrue(verifier.verify({ url: sha256, now: NOW }).ok)
    const sha1 = independentlySignedUrl(url, { ...ecdsa, digest: 'sha1', hashParam: 'SHA256' })
    assert.equal(refusal({ url: sha1, now: NOW }).reason, 'bad-signature')
  })

  test('Hash-Algorithm=SHA1 names the default, for EC keys as for RSA keys', ({ assert }) => {
    const signed = independentlySignedUrl(url, { ...ecdsa, digest: 'sha1', hashParam: 'SHA1' })
    assert.isTrue(verifier.verify({ url: signed, now: NOW }).ok)
  })

  test('signed cookies: SHA-1 without CloudFront-Hash-Algorithm accepted, SHA-256 refused', ({
    assert,
  }) => {
    const cookiesFor = (digest: 'sha1' | 'sha256') => {
      const signed = new URL(independentlySignedUrl(url, { ...ecdsa, digest }))
      return `CloudFront-Expires=${expires}; CloudFront-Signature=${signed.searchParams.get('Signature')}; CloudFront-Key-Pair-Id=${EC_KEY.id}`
    }
    assert.isTrue(verifier.verify({ url, cookies: cookiesFor('sha1'), now: NOW }).ok)
    assert.equal(refusal({ url, cookies: cookiesFor('sha256'), now: NOW }).reason, 'bad-signature')
  })
})

test.group('CloudFront verifier | custom-policy grammar as AWS documents it (rows 13, 16)', () => {
  const lessThan = NOW_SECONDS + 60
  const condition = `"Condition":{"DateLessThan":{"AWS:EpochTime":${lessThan}}}`
  const signWith = (policy: string, target = url) =>
    independentlySignedUrl(target, {
      privateKey: RSA_KEY.privateKey,
      keyPairId: RSA_KEY.id,
      policy,
    })

  test('row 16: "Resource":"*" matches any URL', ({ assert }) => {
    const policy = `{"Statement":[{"Resource":"*",${condition}}]}`
    for (const target of [url, `${CDN}/other/file.bin?x=1`]) {
      const result = verifier.verify({ url: signWith(policy, target), now: NOW })
      assert.isTrue(result.ok, target)
    }
  })

  test('row 16: a resource without protocol, starting with * in the domain', ({ assert }) => {
    const policy = `{"Statement":[{"Resource":"*cloudfront.net/media/*",${condition}}]}`
    assert.isTrue(verifier.verify({ url: signWith(policy), now: NOW }).ok)
    const elsewhere = signWith(policy, `${CDN}/private/x.pdf`)
    assert.equal(refusal({ url: elsewhere, now: NOW }).reason, 'resource-mismatch')
  })

  test('row 13: "Statement" written as an object, with whitespace and CRLF as in the guide', ({
    assert,
  }) => {
    const policy = `{\r\n   "Statement": {\r\n      "Resource": "${CDN}/media/*",\r\n      ${condition}\r\n   }\r\n}`
    const result = verifier.verify({ url: signWith(policy), now: NOW })
    assert.isTrue(result.ok)
    if (result.ok) assert.equal(result.resource, `${CDN}/media/*`)
  })

  test('row 13: two statements, listed or not, stay malformed', ({ assert }) => {
    const one = `{"Resource":"${url}",${condition}}`
    assert.equal(
      refusal({ url: signWith(`{"Statement":[${one},${one}]}`), now: NOW }).reason,
      'malformed-policy'
    )
    assert.equal(
      refusal({ url: signWith(`{"Statement":[]}`), now: NOW }).reason,
      'malformed-policy'
    )
    assert.equal(
      refusal({ url: signWith(`{"Statement":"${url}"}`), now: NOW }).reason,
      'malformed-policy'
    )
  })
})

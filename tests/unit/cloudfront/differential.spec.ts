import { getSignedUrl } from '@aws-sdk/cloudfront-signer'
import { test } from '@japa/runner'
import { cdnUrlFor, parseCdnUrl } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { resourceMatches } from '../../../src/cloudfront/wildcard.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { CDN, NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/**
 * Our RSA URLs against the reference signer, @aws-sdk/cloudfront-signer
 * 3.1166 (which supports SHA-256 through its `algorithm` option), for
 * every awkward key x canned/custom x SHA-1/SHA-256.
 *
 * Two documented differences:
 * - Parameter order. AWS documents `Expires|Policy, Signature, Key-Pair-Id`
 *   and that is what we emit; the SDK emits `Key-Pair-Id` before
 *   `Signature`. CloudFront accepts both. The SDK URL is compared after
 *   moving its `Key-Pair-Id` behind `Signature`; every other byte, the
 *   signature included, must be identical.
 * - Keys with `!`, `'`, `(`, `)` or `*` (SDK_REWRITES below): the SDK
 *   decodes the path it is given and re-encodes it with
 *   encodeURIComponent, which leaves those five characters bare. So it
 *   signs a different URL than the one it was given, and in a custom
 *   policy a bare `*` is a wildcard that also admits other file names (a
 *   known SDK defect). For those keys the test checks that the difference
 *   is exactly that.
 */

const SDK_REWRITES = /[!'()*]/

const cdn = parseCdnUrl(`${CDN}/media`, 'cdnUrl')
const expiresAt = new Date('2026-05-04T13:00:00.000Z')
// Whole seconds: the SDK rounds to nearest, we round up; equal on whole seconds.
const startsAt = new Date('2026-05-04T11:00:00.000Z')

const signers = {
  SHA1: new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem }),
  SHA256: new CloudFrontSigner({
    keyPairId: RSA_KEY.id,
    privateKey: RSA_KEY.pem,
    hashAlgorithm: 'SHA256',
  }),
}

function ours(url: string, policy: 'canned' | 'custom', algorithm: 'SHA1' | 'SHA256') {
  return signers[algorithm].signUrl(url, {
    expiresAt,
    now: NOW,
    ...(policy === 'custom' ? { startsAt } : {}),
  })
}

function theirs(url: string, policy: 'canned' | 'custom', algorithm: 'SHA1' | 'SHA256') {
  // Dates as ISO strings: the SDK reads a number as milliseconds.
  return getSignedUrl({
    url,
    keyPairId: RSA_KEY.id,
    privateKey: RSA_KEY.pem,
    dateLessThan: expiresAt.toISOString(),
    ...(policy === 'custom' ? { dateGreaterThan: startsAt.toISOString() } : {}),
    ...(algorithm === 'SHA256' ? { algorithm: 'SHA256' as const } : {}),
  })
}

/**
 * The SDK's URL with `Key-Pair-Id` moved behind `Signature` (AWS's documented order).
 */
function inDocumentedOrder(sdkUrl: string): string {
  const match = /^(.*[?&])Key-Pair-Id=([A-Z0-9]+)&(Signature=[^&]+)(&Hash-Algorithm=SHA256)?$/.exec(
    sdkUrl
  )
  if (!match) throw new Error('unexpected SDK URL shape')
  return `${match[1]}${match[3]}&Key-Pair-Id=${match[2]}${match[4] ?? ''}`
}

/**
 * The custom policy a signed URL carries, decoded from CloudFront's
 * URL-safe base64.
 */
function policyOf(signedUrl: string) {
  const value = new URL(signedUrl).searchParams.get('Policy')!
  return JSON.parse(
    Buffer.from(
      value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'),
      'base64'
    ).toString()
  )
}

const cases = AWKWARD_KEYS.flatMap(({ key }) =>
  (['canned', 'custom'] as const).flatMap((policy) =>
    (['SHA1', 'SHA256'] as const).map((algorithm) => ({ key, policy, algorithm }))
  )
)

test.group('CloudFront signer | differential against @aws-sdk/cloudfront-signer', () => {
  test('{key} ({policy}, {algorithm}) is byte-identical to the SDK')
    .with(cases.filter(({ key }) => !SDK_REWRITES.test(key)))
    .run(({ assert }, { key, policy, algorithm }) => {
      const url = cdnUrlFor(cdn, key)
      const expected = inDocumentedOrder(theirs(url, policy, algorithm))
      assert.equal(ours(url, policy, algorithm), expected)
    })

  test("{key} ({policy}, {algorithm}) differs: the SDK rewrites !'()* in the path")
    .with(cases.filter(({ key }) => SDK_REWRITES.test(key)))
    .run(({ assert }, { key, policy, algorithm }) => {
      const url = cdnUrlFor(cdn, key)
      const sdkUrl = theirs(url, policy, algorithm)
      const signed = ours(url, policy, algorithm)
      assert.notEqual(signed, inDocumentedOrder(sdkUrl))
      // Ours signs the URL it was given; the SDK signs another spelling of it...
      assert.isTrue(signed.startsWith(`${url}?`))
      assert.isFalse(sdkUrl.startsWith(`${url}?`))
      const sdkBase = sdkUrl.slice(0, sdkUrl.indexOf('?'))
      assert.match(sdkBase, SDK_REWRITES)
      // ...which is the only difference: same key once decoded.
      assert.equal(decodeURIComponent(sdkBase), decodeURIComponent(url))
      // And signing the SDK's spelling ourselves gives the SDK's bytes,
      // except where a bare `*` would be a custom-policy wildcard: we refuse.
      if (policy === 'canned' || !sdkBase.includes('*')) {
        assert.equal(ours(sdkBase, policy, algorithm), inDocumentedOrder(sdkUrl))
      } else {
        assert.throws(() => ours(sdkBase, policy, algorithm), /%2A/)
      }
    })

  test('the SDK defect in numbers: its custom policy for star*wild.txt also opens other files', ({
    assert,
  }) => {
    const url = cdnUrlFor(cdn, 'star*wild.txt')
    const sdkUrl = theirs(url, 'custom', 'SHA1')
    const policy = policyOf(sdkUrl)
    const resource: string = policy.Statement[0].Resource
    assert.isTrue(resourceMatches(resource, `${CDN}/media/star-anything-wild.txt`))
    const ourPolicy = policyOf(ours(url, 'custom', 'SHA1'))
    assert.isFalse(
      resourceMatches(ourPolicy.Statement[0].Resource, `${CDN}/media/star-anything-wild.txt`)
    )
  })

  test('own query values: canned URLs are byte-identical to the SDK ({$self})')
    .with([
      'response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22',
      'response-content-type=text%2Fplain%3B%20charset%3Dutf-8',
      'a=1&b=two%20words&c=%C3%A9',
    ])
    .run(({ assert }, query) => {
      const url = `${cdnUrlFor(cdn, 'folder/file.txt')}?${query}`
      for (const algorithm of ['SHA1', 'SHA256'] as const) {
        assert.equal(
          ours(url, 'canned', algorithm),
          inDocumentedOrder(theirs(url, 'canned', algorithm))
        )
      }
    })
})

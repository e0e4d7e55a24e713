import { test } from '@japa/runner'
import { CloudFrontSigner, CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { resourceMatches } from '../../../src/cloudfront/wildcard.ts'
import { CDN, NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/**
 * Custom-policy resources are matched section by section:
 * `proto://domain/path\?query`.
 */
test.group('CloudFront wildcards | resource matching', () => {
  test('{0} {2} {1}')
    .with([
      // A prefix without a trailing slash also opens sibling folders.
      [`${CDN}/u/12*`, `${CDN}/u/12/a.jpg`, true],
      [`${CDN}/u/12*`, `${CDN}/u/123/a.jpg`, true],
      [`${CDN}/u/12/*`, `${CDN}/u/12/a.jpg`, true],
      [`${CDN}/u/12/*`, `${CDN}/u/12/deep/er/a.jpg`, true],
      [`${CDN}/u/12/*`, `${CDN}/u/123/a.jpg`, false],
      [`${CDN}/u/12/*`, `${CDN}/u/12`, false],
      // A trailing * covers the query; without it a query is not covered.
      [`${CDN}/u/12/*`, `${CDN}/u/12/a.jpg?w=100&h=50`, true],
      [`${CDN}/u/12/a.jpg`, `${CDN}/u/12/a.jpg?w=100`, false],
      [`${CDN}/u/12/a.jpg`, `${CDN}/u/12/a.jpg`, true],
      // \? is a literal ? and starts the query section.
      [`${CDN}/a.jpg\\?w=100`, `${CDN}/a.jpg?w=100`, true],
      [`${CDN}/a.jpg\\?w=100`, `${CDN}/a.jpg?w=1000`, false],
      [`${CDN}/a.jpg\\?w=*`, `${CDN}/a.jpg?w=1000&h=5`, true],
      [`${CDN}/a.jpg\\?w=*`, `${CDN}/a.jpg`, false],
      [`${CDN}/a.jpg\\?*`, `${CDN}/b.jpg?x`, false],
      // A bare ? is one character, within its section.
      [`${CDN}/a?.jpg`, `${CDN}/ab.jpg`, true],
      [`${CDN}/a?.jpg`, `${CDN}/a.jpg`, false],
      [`${CDN}/a?.jpg`, `${CDN}/abc.jpg`, false],
      [`${CDN}/a.jpg?w=100`, `${CDN}/a.jpg?w=100`, false],
      // A * in the path never reaches into the query.
      [`${CDN}/*.jpg`, `${CDN}/a.png?x=.jpg`, false],
      [`${CDN}/*.jpg`, `${CDN}/x/y/a.jpg`, true],
      // A * in the domain never reaches into the path.
      ['https://*.cloudfront.net/a.jpg', `${CDN}/a.jpg`, true],
      ['https://*/a.jpg', `${CDN}/x/a.jpg`, false],
      ['https://*net/a.jpg', 'https://evil.example/x.net/a.jpg', false],
      // Scheme section.
      [`http*://d111111abcdef8.cloudfront.net/a.jpg`, `${CDN}/a.jpg`, true],
      [`${CDN}/a.jpg`, 'http://d111111abcdef8.cloudfront.net/a.jpg', false],
      // Everything.
      ['https://*', `${CDN}/any/thing?at=all`, true],
      ['*://*', `${CDN}/any/thing?at=all`, true],
      ['https://d111111abcdef8.cloudfront.net', `${CDN}/a.jpg`, false],
      ['https://d111111abcdef8.cloudfront.net', `${CDN}/`, true],
      // "*" alone matches any URL (fidelity row 16).
      ['*', `${CDN}/any/thing?at=all`, true],
      ['*', 'http://elsewhere.example/x', true],
      // No protocol, starting with * in the domain: as if "*://" came first.
      ['*cloudfront.net/*', `${CDN}/u/12/a.jpg?w=1`, true],
      ['*cloudfront.net/*', 'http://d111111abcdef8.cloudfront.net/a.jpg', true],
      ['*cloudfront.net/u/*', `${CDN}/v/a.jpg`, false],
      ['*.example.com/*', `${CDN}/a.jpg`, false],
      ['*cloudfront.net', `${CDN}/`, true],
      ['*cloudfront.net', `${CDN}/a.jpg`, false],
      // Without protocol and without a leading *: no match.
      ['d111111abcdef8.cloudfront.net/*', `${CDN}/a.jpg`, false],
    ] as const)
    .run(({ assert }, [resource, url, expected]) => {
      assert.equal(resourceMatches(resource, url), expected)
    })

  test('hostile patterns do not backtrack forever', ({ assert }) => {
    const resource = `${CDN}/${'*a'.repeat(200)}b`
    const started = performance.now()
    assert.isFalse(resourceMatches(resource, `${CDN}/${'a'.repeat(5000)}`))
    // Backtracking would take ages; a generous ceiling for a busy machine.
    assert.isBelow(performance.now() - started, 5000)
  })
})

test.group('CloudFront wildcards | signed and verified', () => {
  const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
  const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })

  test('a /u/12/* URL opens only what its resource covers', ({ assert }) => {
    const signed = signer.signUrl(`${CDN}/u/12/a.jpg`, {
      expiresIn: 60,
      resource: `${CDN}/u/12/*`,
      now: NOW,
    })
    const query = signed.slice(signed.indexOf('?'))
    assert.isTrue(verifier.verify({ url: signed, now: NOW }).ok)
    assert.isTrue(verifier.verify({ url: `${CDN}/u/12/other.png${query}`, now: NOW }).ok)
    assert.equal(verifier.verify({ url: `${CDN}/u/123/a.jpg${query}`, now: NOW }).ok, false)
    const refused = verifier.verify({ url: `${CDN}/u/13/a.jpg${query}`, now: NOW })
    assert.deepInclude(refused, {
      ok: false,
      reason: 'resource-mismatch',
      message: 'Access denied',
    })
  })

  test('the resource is reported, so overrides can be ignored under wildcards', ({ assert }) => {
    const signed = signer.signUrl(`${CDN}/u/12/a.jpg`, {
      expiresIn: 60,
      resource: `${CDN}/u/12/*`,
      now: NOW,
    })
    const result = verifier.verify({ url: signed, now: NOW })
    assert.isTrue(result.ok && result.resource === `${CDN}/u/12/*`)
  })
})

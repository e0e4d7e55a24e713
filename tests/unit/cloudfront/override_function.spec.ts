import { test } from '@japa/runner'
import { awsSetupSteps } from '../../../src/aws_setup.ts'
import { OVERRIDE_FUNCTION } from '../../../src/cloudfront/override_function.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import { CloudFrontVerifier } from '../../../src/cloudfront/verifier.ts'
import { honorsResponseOverrides } from '../../../src/edge/handler.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/*
 * The CloudFront Function of docs/aws-setup.md. Under a wildcard policy (folder cookies, a wildcard custom URL) the
 * trailing `*` covers any query, and the documented cache policy forwards
 * `response-content-type` to S3, which applies it: on real CloudFront a
 * viewer could append `?response-content-type=text/html` to an uploaded
 * file. The documented set-up closes it with a viewer-request function,
 * run here as CloudFront runs it, and answering as the local edge does.
 */

const CDN = 'https://d111111abcdef8.cloudfront.net'
const FOLDER = `${CDN}/uploads/courses/12/`
const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })
const handler = new Function(`${OVERRIDE_FUNCTION}\nreturn handler`)() as (event: unknown) => {
  querystring: Record<string, { value: string }>
}

/**
 * What the function leaves of a URL's query (CloudFront's event shape:
 * each parameter as `{ value }`, not decoded).
 */
function forwarded(url: string): string[] {
  const querystring: Record<string, { value: string }> = {}
  const raw = new URL(url).search.slice(1)
  for (const pair of raw ? raw.split('&') : []) {
    const [name, value = ''] = pair.split('=')
    querystring[name] = { value }
  }
  const request = handler({ version: '1.0', request: { method: 'GET', uri: '/', querystring } })
  return Object.keys(request.querystring)
}

test.group('CloudFront set-up | response overrides under wildcard policies', () => {
  test('folder cookies: a viewer-added response-content-type is dropped, as the local edge ignores it', ({
    assert,
  }) => {
    const cookies = signer.signCookies({ resource: `${FOLDER}*`, expiresIn: 3600, now: NOW })
    const jar = Object.fromEntries(Object.entries(cookies).filter(([, v]) => v !== undefined))
    for (const name of ['response-content-type', 'Response-Content-Type', 'response-expires']) {
      const url = `${FOLDER}hls/notes.txt?${name}=text%2Fhtml`
      // The signature layer lets it through: the wildcard covers the query.
      const result = verifier.verify({ url, cookies: jar as Record<string, string>, now: NOW })
      assert.isTrue(result.ok, 'the cookies open it')
      assert.isFalse(honorsResponseOverrides(result), 'the local edge ignores it')
      assert.notInclude(forwarded(url), name, 'the CloudFront function drops it')
    }
  })

  test('a URL whose signature covers its query keeps its overrides; a wildcard URL does not', ({
    assert,
  }) => {
    const own = 'response-content-disposition=attachment%3B%20filename%3D%22a.pdf%22'
    const cases: [string, string, boolean][] = [
      ['canned', signer.signUrl(`${FOLDER}a.pdf?${own}`, { expiresIn: 60, now: NOW }), true],
      [
        'custom, one exact URL (IP-bound)',
        signer.signUrl(`${FOLDER}a.pdf?${own}`, {
          expiresIn: 60,
          now: NOW,
          ipAddress: '203.0.113.5',
        }),
        true,
      ],
      [
        'custom, wildcard resource, override appended by the viewer',
        `${signer.signUrl(`${FOLDER}a.pdf`, { expiresIn: 60, now: NOW, resource: `${FOLDER}*` }).replace('?', `?${own}&`)}`,
        false,
      ],
    ]
    for (const [label, url, kept] of cases) {
      const result = verifier.verify({
        url,
        cookies: {},
        now: NOW,
        clientIp: '203.0.113.5',
      })
      assert.isTrue(result.ok, label)
      assert.equal(honorsResponseOverrides(result), kept, `local edge: ${label}`)
      assert.equal(
        forwarded(url).includes('response-content-disposition'),
        kept,
        `CloudFront function: ${label}`
      )
    }
  })

  test('the set-up step names the function, on the restricted behaviors', ({ assert }) => {
    const step = awsSetupSteps()[5]
    assert.equal(step.title, 'Download names and content types')
    assert.include(step.summary, 'viewer-request function')
  })
})

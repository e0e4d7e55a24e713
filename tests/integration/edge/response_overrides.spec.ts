import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { parseErrorXml, startSigningEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })

const DISPOSITION = 'attachment; filename="report.pdf"'
const OVERRIDES = new URLSearchParams({
  'response-content-disposition': DISPOSITION,
  'response-content-type': 'application/pdf',
  'response-cache-control': 'private, max-age=30',
}).toString()

test.group('Edge | response-* overrides only when signed', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      behaviors: [{ pathPattern: 'public/*', signed: false }],
    }))
    for (const key of ['docs/upload.html', 'public/upload.html']) {
      await fixture.put(key, '<script>alert(1)</script>', {
        ContentType: 'text/plain',
        CacheControl: 'max-age=60',
      })
    }
    return () => fixture.stop()
  })

  test('row 32: a canned URL signs its query: the two overrides the cache policy forwards apply to GET and HEAD, response-cache-control does not', async ({
    assert,
  }) => {
    const url = signer.signUrl(`${cdnUrlFor(cdn, 'docs/upload.html')}?${OVERRIDES}`, {
      expiresIn: 60,
      now: NOW,
    })
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(url, { method })
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('content-disposition'), DISPOSITION)
      assert.equal(response.headers.get('content-type'), 'application/pdf')
      // Not forwarded by the documented cache policy: S3 never sees it.
      assert.equal(response.headers.get('cache-control'), 'max-age=60')
      await response.arrayBuffer()
    }
  })

  test('an RFC 6266 filename* value passes through unchanged', async ({ assert }) => {
    const disposition = "attachment; filename*=UTF-8''caf%C3%A9.pdf"
    const query = new URLSearchParams({ 'response-content-disposition': disposition })
    const url = signer.signUrl(`${cdnUrlFor(cdn, 'docs/upload.html')}?${query}`, {
      expiresIn: 60,
      now: NOW,
    })
    const response = await fetch(url)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-disposition'), disposition)
  })

  test('a custom policy for the exact URL signs its query too', async ({ assert }) => {
    const url = signer.signUrl(`${cdnUrlFor(cdn, 'docs/upload.html')}?${OVERRIDES}`, {
      expiresIn: 60,
      now: NOW,
      ipAddress: '127.0.0.1',
    })
    assert.include(url, 'Policy=')
    const response = await fetch(url)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'application/pdf')
  })

  test('under a wildcard policy the holder chooses the query: overrides are ignored', async ({
    assert,
  }) => {
    const attack = new URLSearchParams({ 'response-content-type': 'text/html' })
    const url = signer.signUrl(`${cdnUrlFor(cdn, 'docs/upload.html')}?${attack}`, {
      expiresIn: 60,
      now: NOW,
      resource: `${cdn.base}docs/*`,
    })
    const response = await fetch(url)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'text/plain')
    assert.equal(response.headers.get('cache-control'), 'max-age=60')
  })

  test('on a public behavior overrides are ignored', async ({ assert }) => {
    const response = await fetch(`${cdnUrlFor(cdn, 'public/upload.html')}?${OVERRIDES}`)
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-type'), 'text/plain')
    assert.isNull(response.headers.get('content-disposition'))
  })

  test('a signed value that cannot be a header value is 400, never a crash', async ({ assert }) => {
    for (const value of ['attachment; filename="é.pdf"', 'text/plain\r\nSet-Cookie: a=b']) {
      const query = new URLSearchParams({ 'response-content-disposition': value })
      const url = signer.signUrl(`${cdnUrlFor(cdn, 'docs/upload.html')}?${query}`, {
        expiresIn: 60,
        now: NOW,
      })
      const response = await fetch(url)
      assert.equal(response.status, 400, value)
      assert.equal(parseErrorXml(await response.text()).code, 'InvalidArgument')
      assert.isNull(response.headers.get('set-cookie'))
    }
  })
})

import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

test.group('DjamazingDriver | getSignedUrl with a CloudFront key', (group) => {
  let fixture: EdgeFixture
  let driver: DjamazingDriver
  group.setup(async () => {
    // A local CloudFront-compatible edge in front of s3rver, every path signed.
    fixture = await startEdgeFixture({
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      defaultBehavior: { signed: true },
    })
    driver = new DjamazingDriver({
      client: fixture.client,
      bucket: fixture.s3.bucket,
      prefix: 'static',
      mode: 'public',
      cdnUrl: fixture.edge.url,
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey },
    })
    return () => fixture.stop()
  })

  test('is a CloudFront signed URL of prefix + key that the edge serves; the overrides are strictly encoded and signed', async ({
    assert,
  }) => {
    const key = 'reports/q1 (final)*.pdf'
    await driver.put(key, 'pdf bytes')
    const disposition = `attachment; filename*=UTF-8''q1%20(final).pdf`
    const url = await driver.getSignedUrl(key, {
      expiresIn: '10m',
      contentType: 'application/pdf',
      contentDisposition: disposition,
    })

    assert.isTrue(url.startsWith(`${fixture.edge.url}/static/reports/q1%20%28final%29%2A.pdf?`))
    const query = url.slice(url.indexOf('?') + 1)
    assert.include(query, 'response-content-type=application%2Fpdf')
    assert.include(
      query,
      'response-content-disposition=attachment%3B%20filename%2A%3DUTF-8%27%27q1%2520%28final%29.pdf'
    )
    const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })
    assert.isTrue(verifier.verify({ url }).ok)

    const response = await fetch(url)
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'pdf bytes')
    assert.equal(response.headers.get('content-type'), 'application/pdf')
    assert.equal(response.headers.get('content-disposition'), disposition)

    const tampered = await fetch(url.replace('attachment', 'inline'))
    assert.equal(tampered.status, 403)
    await tampered.arrayBuffer()
    const unsigned = await fetch(await driver.getUrl(key))
    assert.equal(unsigned.status, 403)
    await unsigned.arrayBuffer()
  })

  test("expiresIn takes flydrive's spellings: the expiry is that far from now", async ({
    assert,
  }) => {
    for (const [expiresIn, seconds] of [
      ['30mins', 1800],
      ['1 hour', 3600],
      ['2h', 7200],
      [90, 90],
    ] as const) {
      const before = Date.now()
      const url = new URL(await driver.getSignedUrl('a.txt', { expiresIn }))
      const expires = Number(url.searchParams.get('Expires'))
      // Rounded up to a whole second; a generous ceiling for a busy machine.
      assert.isAtLeast(expires, Math.floor(before / 1000) + seconds, String(expiresIn))
      assert.isAtMost(expires, Math.ceil(Date.now() / 1000) + seconds + 1, String(expiresIn))
    }
    await assert.rejects(
      () => driver.getSignedUrl('a.txt', { expiresIn: 'soon' }),
      /Invalid argument "expiresIn"/
    )
  })
})

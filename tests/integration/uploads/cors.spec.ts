import { test } from '@japa/runner'
import { documentedBlock } from '../../helpers/direct_upload.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

const APP = 'http://app.example.test:3333'

/**
 * The CORS rule docs/uploads.md gives (set with the `aws s3api
 * put-bucket-cors` command shown there); s3rver here carries the same rule.
 */
const [RULE] = JSON.parse(documentedBlock('"CORSRules"')).CORSRules as {
  AllowedOrigins: string[]
  AllowedMethods: string[]
  AllowedHeaders: string[]
  ExposeHeaders: string[]
  MaxAgeSeconds: number
}[]

/**
 * The preflight a browser sends before a direct upload's PUT: it carries
 * the type and the checksum header, which are not CORS-safelisted.
 */
function preflight(s3: S3Server, origin: string, method = 'PUT') {
  return fetch(`${s3.endpoint}/${s3.bucket}/uploads/pending-uploads/x`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type,x-amz-checksum-sha256',
    },
  })
}

test.group('Direct uploads | the bucket CORS rule', (group) => {
  let s3: S3Server
  group.setup(async () => {
    s3 = await startS3Server({ corsOrigins: [APP] })
    return () => s3.stop()
  })

  test("the documented rule: the app's origin may PUT with the type and checksum headers; ETag is exposed", async ({
    assert,
  }) => {
    assert.deepEqual(RULE.AllowedMethods, ['PUT'])
    // The headers the browser module sends, which the PUT's signature covers.
    assert.deepEqual(RULE.AllowedHeaders, ['content-type', 'x-amz-checksum-sha256'])
    assert.deepEqual(RULE.ExposeHeaders, ['ETag'])
    assert.notInclude(RULE.AllowedOrigins, '*')

    const response = await preflight(s3, APP)
    assert.equal(response.status, 200)
    assert.isNotNull(response.headers.get('access-control-allow-origin'))
    assert.include(response.headers.get('access-control-allow-methods')!, 'PUT')
    assert.equal(
      response.headers.get('access-control-allow-headers'),
      'content-type, x-amz-checksum-sha256'
    )
    const put = await fetch(`${s3.endpoint}/${s3.bucket}/cors-check.txt`, {
      method: 'PUT',
      headers: { 'origin': APP, 'content-type': 'text/plain' },
      body: 'x',
    })
    assert.equal(put.headers.get('access-control-allow-origin'), APP)
    assert.equal(put.headers.get('access-control-expose-headers'), RULE.ExposeHeaders.join(', '))
    assert.equal(put.headers.get('access-control-max-age'), String(RULE.MaxAgeSeconds))
  })

  test('another origin, or another method, gets no CORS grant', async ({ assert }) => {
    for (const [origin, method] of [
      ['https://evil.example', 'PUT'],
      ['http://app.example.test:4444', 'PUT'],
      [APP, 'DELETE'],
    ]) {
      const response = await preflight(s3, origin, method)
      assert.equal(response.status, 403, `${origin} ${method}`)
      assert.isNull(response.headers.get('access-control-allow-origin'))
    }
  })
})

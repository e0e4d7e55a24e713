import { test } from '@japa/runner'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import {
  parseErrorXml,
  rawRequest,
  startEdgeFixture,
  type EdgeFixture,
} from '../../helpers/edge.ts'

test.group('Edge | methods', (group) => {
  let fixture: EdgeFixture
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    await fixture.put('kept.txt', 'kept')
    return () => fixture.stop()
  })

  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    test(`${method} is 405 with Allow: GET, HEAD and never reaches the origin`, async ({
      assert,
    }) => {
      fixture.originRequests.length = 0
      const response = await rawRequest(fixture.edge.url, '/cdn/kept.txt', { method })
      assert.equal(response.status, 405)
      assert.equal(response.headers.allow, 'GET, HEAD')
      assert.equal(parseErrorXml(response.body.toString()).code, 'MethodNotAllowed')
      assert.deepEqual(fixture.originRequests, [])
      const stored = await fixture.s3
        .client()
        .send(new HeadObjectCommand({ Bucket: fixture.s3.bucket, Key: 'kept.txt' }))
      assert.equal(stored.ContentLength, 4)
    })
  }
})

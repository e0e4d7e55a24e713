import { test } from '@japa/runner'
import { startEdgeServer } from '../../../src/edge/main.ts'
import { startS3Server } from '../../helpers/s3_server.ts'

test.group('Edge | a missing origin bucket', () => {
  test("answers 404 NoSuchBucket, as CloudFront passes on S3's answer, not NoSuchKey", async ({
    assert,
  }) => {
    const s3 = await startS3Server()
    const edge = await startEdgeServer({
      client: s3.client(),
      bucket: 'no-such-bucket-here',
      defaultBehavior: { signed: false },
    })
    try {
      const response = await fetch(`${edge.url}photos/cat.jpg`)
      assert.equal(response.status, 404)
      const body = await response.text()
      assert.include(body, '<Code>NoSuchBucket</Code>')
      assert.include(body, '<Message>The specified bucket does not exist</Message>')

      // The bucket that exists still says NoSuchKey for a missing key.
      const existing = await startEdgeServer({
        client: s3.client(),
        bucket: s3.bucket,
        defaultBehavior: { signed: false },
      })
      try {
        const missing = await fetch(`${existing.url}photos/cat.jpg`)
        assert.equal(missing.status, 404)
        assert.include(await missing.text(), '<Code>NoSuchKey</Code>')
      } finally {
        await existing.close()
      }
    } finally {
      await edge.close()
      await s3.stop()
    }
  })
})

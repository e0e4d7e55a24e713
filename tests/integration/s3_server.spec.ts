import { test } from '@japa/runner'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { startS3Server } from '../helpers/s3_server.ts'

test.group('Test harness | s3rver', () => {
  test('a real s3rver in a child process stores and returns bytes over HTTP', async ({
    assert,
  }) => {
    const s3 = await startS3Server()
    try {
      const client = s3.client()
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'hello.txt', Body: 'hi' }))
      const object = await client.send(
        new GetObjectCommand({ Bucket: s3.bucket, Key: 'hello.txt' })
      )
      assert.equal(await object.Body!.transformToString(), 'hi')
      assert.match(s3.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/)
    } finally {
      await s3.stop()
    }
    assert.isFalse(s3.process.connected)
  })
})

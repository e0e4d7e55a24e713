import { test } from '@japa/runner'
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import { startS3Server } from '../../helpers/s3_server.ts'

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

  test('lists and aborts multipart uploads, which s3rver itself does not implement', async ({
    assert,
  }) => {
    const s3 = await startS3Server()
    try {
      const client = s3.client()
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: 'big & café.bin' })
      )
      const open = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))
      assert.deepEqual(
        open.Uploads?.map((upload) => [upload.Key, upload.UploadId]),
        [['big & café.bin', UploadId]]
      )
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: 'big & café.bin', UploadId })
      )
      const after = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))
      assert.isUndefined(after.Uploads)
      await assert.rejects(() =>
        client.send(
          new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: 'big & café.bin', UploadId })
        )
      )
    } finally {
      await s3.stop()
    }
  })

  test('decodes x-amz-copy-source fully, as S3 does', async ({ assert }) => {
    const s3 = await startS3Server()
    try {
      const client = s3.client()
      const key = 'a+b #?&=,$:;@ é%.txt'
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'copied' }))
      await client.send(
        new CopyObjectCommand({
          Bucket: s3.bucket,
          Key: 'copy.txt',
          CopySource: `${s3.bucket}/${encodeURIComponent(key)}`,
        })
      )
      const copy = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'copy.txt' }))
      assert.equal(await copy.Body!.transformToString(), 'copied')
    } finally {
      await s3.stop()
    }
  })

  test('a GET during or right after a PUT returns a whole object, old or new, never a partial one', async ({
    assert,
  }) => {
    const s3 = await startS3Server()
    try {
      const client = s3.client()
      const get = async () => {
        const object = await client.send(
          new GetObjectCommand({ Bucket: s3.bucket, Key: 'rewritten.bin' })
        )
        return Buffer.from(await object.Body!.transformToByteArray())
      }
      let previous = Buffer.alloc(4 * 1024 * 1024, 0)
      await client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: 'rewritten.bin', Body: previous })
      )
      for (let round = 1; round <= 5; round++) {
        const next = Buffer.alloc(4 * 1024 * 1024 + round, round)
        const [, ...seen] = await Promise.all([
          client.send(
            new PutObjectCommand({ Bucket: s3.bucket, Key: 'rewritten.bin', Body: next })
          ),
          get(),
          get(),
          get(),
        ])
        for (const body of seen) assert.isTrue(body.equals(previous) || body.equals(next))
        const after = await get()
        assert.isTrue(after.equals(next))
        previous = next
      }
    } finally {
      await s3.stop()
    }
  })
})

import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { S3Store } from '../../src/store/s3_store.ts'
import { failingStream } from '../helpers/byte_stream.ts'
import { startS3Server, type S3Server } from '../helpers/s3_server.ts'

/*
 * Slow (about a minute on 2 cores): gigabyte streams through multipart to a
 * real s3rver in its own process. An end-to-end suite's test.
 */

const MiB = 1024 * 1024
const run = promisify(execFile)

test.group('S3 store | large streams (s3rver, slow)', (group) => {
  let s3: S3Server
  group.setup(async () => {
    s3 = await startS3Server()
    return () => s3.stop()
  })

  test('putStream of 1 GiB of unknown length: RSS grows < 150 MB, the bytes read back identical', async ({
    assert,
  }) => {
    // Measured in a child process of its own, so the figure is this
    // upload's alone (the test runner's own memory moves meanwhile).
    const { stdout } = await run(
      process.execPath,
      [new URL('../helpers/put_stream_rss_process.ts', import.meta.url).pathname],
      {
        env: {
          ...process.env,
          SIZE: String(1024 * MiB),
          KEY: 'large/1gib.bin',
          READ_BACK: '1',
          S3_CONFIG: JSON.stringify(s3.clientConfig),
          S3_BUCKET: s3.bucket,
        },
        maxBuffer: MiB,
      }
    )
    const result = JSON.parse(stdout.trim().split('\n').pop()!)
    assert.isBelow(result.growth, 150e6, `RSS grew by ${Math.round(result.growth / 1e6)} MB`)
    assert.equal(result.stored, result.sent)
  }).timeout(600_000)

  test('a source failing at 600 MiB: a named error with the cause, and no multipart upload left in the store', async ({
    assert,
  }) => {
    const client = s3.client()
    const store = new S3Store({ client, bucket: s3.bucket })
    try {
      const error = await store.putStream('large/failed.bin', failingStream(600 * MiB)).then(
        () => null,
        (e) => e
      )
      assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
      assert.include(error.message, 'the source stream failed: client hung up')
      assert.equal(error.cause?.message, 'client hung up')
      // Through S3's API, and in the store's own folder.
      assert.lengthOf(await store.listMultipartUploads(), 0)
      const uploads = join(s3.directory, s3.bucket, '._S3rver_uploads')
      assert.deepEqual(await readdir(uploads).catch(() => []), [])
      assert.isFalse(
        await store.head('large/failed.bin').then(
          () => true,
          () => false
        )
      )
    } finally {
      client.destroy()
    }
  }).timeout(600_000)
})

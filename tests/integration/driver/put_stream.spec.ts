import { Readable } from 'node:stream'
import { test } from '@japa/runner'
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import { Disk } from 'flydrive'
import {
  deterministicStream,
  failingStream,
  rssGrowth,
  sha256Of,
} from '../../helpers/byte_stream.ts'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'

const MiB = 1024 * 1024

test.group('DjamazingDriver | putStream', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  async function openUploads() {
    const list = await fixture.client.send(
      new ListMultipartUploadsCommand({ Bucket: fixture.s3.bucket })
    )
    return list.Uploads ?? []
  }

  test('a 200 MB stream of unknown length uploads with RSS growing < 150 MB, read back identical', async ({
    assert,
  }) => {
    const size = 200 * MiB
    const driver = fixture.driver({ prefix: 'big' })
    const source = deterministicStream(size)
    const { growth } = await rssGrowth(() => driver.putStream('200mb.bin', source.stream))
    assert.isBelow(growth, 150 * MiB, `RSS grew by ${Math.round(growth / MiB)} MiB`)

    const meta = await driver.getMetaData('200mb.bin')
    assert.equal(meta.contentLength, size)
    const readBack = await sha256Of(await driver.getStream('200mb.bin'))
    assert.equal(readBack.bytes, size)
    assert.equal(readBack.hash, source.digest())
    assert.lengthOf(await openUploads(), 0)
    await driver.delete('200mb.bin')
  }).timeout(180_000)

  test('a small stream is stored with one request ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver()
      const target = surface === 'Disk' ? new Disk(driver) : driver
      await target.putStream(`small/${surface}.txt`, Readable.from(['hello ', 'stream']), {
        contentType: 'text/x-stream',
      })
      assert.equal(await target.get(`small/${surface}.txt`), 'hello stream')
      const meta = await target.getMetaData(`small/${surface}.txt`)
      assert.equal(meta.contentType, 'text/x-stream')
    })

  test('a source stream failing halfway leaves the previous object and no open multipart upload', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    await driver.put('victim.bin', 'the old content')
    const sentBefore = fixture.requests.length
    const error = await driver.putStream('victim.bin', failingStream(17 * MiB)).then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    assert.include(error.message, 'client hung up')
    assert.equal(error.cause?.message, 'client hung up')
    assert.equal(await driver.get('victim.bin'), 'the old content')
    // Parts were uploaded, then the upload was aborted (not merely never opened).
    const sent = fixture.requests.slice(sentBefore)
    assert.isTrue(sent.some((r) => r.method === 'PUT' && 'partNumber' in r.query))
    assert.isTrue(sent.some((r) => r.method === 'DELETE' && 'uploadId' in r.query))
    assert.lengthOf(await openUploads(), 0)
  })

  test('through Disk the failure is E_CANNOT_WRITE_FILE, with ours as cause; a small failing stream changes nothing either', async ({
    assert,
  }) => {
    const disk = new Disk(fixture.driver())
    await disk.put('victim-2.bin', 'old')
    for (const size of [11 * MiB, 1000]) {
      const error = await disk.putStream('victim-2.bin', failingStream(size)).then(
        () => null,
        (e) => e
      )
      assert.equal(error?.code, 'E_CANNOT_WRITE_FILE')
      assert.equal(error.cause?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
      assert.equal(await disk.get('victim-2.bin'), 'old')
      assert.lengthOf(await openUploads(), 0)
    }
  })

  test('S3 refusing the upload (missing bucket) is an S3 request failure', async ({ assert }) => {
    const driver = fixture.driver({ bucket: 'missing-bucket' })
    const error = await driver.putStream('x.bin', deterministicStream(12 * MiB).stream).then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    assert.equal(error.cause?.name, 'NoSuchBucket')
  })
})

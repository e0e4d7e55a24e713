import { createHash } from 'node:crypto'
import { text } from 'node:stream/consumers'
import { test } from '@japa/runner'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { Disk } from 'flydrive'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'

const md5 = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex')

test.group('DjamazingDriver | reading and writing', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  test('put, then get, getBytes and getStream return the same bytes on the raw driver', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    await driver.put('notes/hello.txt', 'héllo wörld')
    assert.equal(await driver.get('notes/hello.txt'), 'héllo wörld')
    assert.deepEqual(
      Buffer.from(await driver.getBytes('notes/hello.txt')),
      Buffer.from('héllo wörld')
    )
    assert.equal(await text(await driver.getStream('notes/hello.txt')), 'héllo wörld')
    assert.isTrue(await driver.exists('notes/hello.txt'))
  })

  test('put of a Uint8Array through flydrive Disk round-trips every byte value', async ({
    assert,
  }) => {
    const disk = new Disk(fixture.driver())
    const bytes = new Uint8Array(256 * 4).map((_, i) => i % 256)
    await disk.put('bytes/all.bin', bytes)
    assert.deepEqual(Buffer.from(await disk.getBytes('bytes/all.bin')), Buffer.from(bytes))
    assert.equal(md5(await disk.getBytes('bytes/all.bin')), md5(bytes))
    assert.isTrue(await disk.exists('bytes/all.bin'))
  })

  test('getMetaData gives content type, length, etag and last modified ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver()
      const target = surface === 'Disk' ? new Disk(driver) : driver
      const before = Date.now() - 2000
      await target.put(`meta/${surface}.json`, '{"a":1}')
      const meta = await target.getMetaData(`meta/${surface}.json`)
      assert.equal(meta.contentType, 'application/json')
      assert.equal(meta.contentLength, 7)
      assert.equal(meta.etag, `"${md5('{"a":1}')}"`)
      assert.instanceOf(meta.lastModified, Date)
      assert.isAbove(meta.lastModified.getTime(), before - 1000)
      assert.isBelow(meta.lastModified.getTime(), Date.now() + 2000)
    })

  test('write options become object headers; the content type is guessed from the extension', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    await driver.put('options/page.bin', 'x', {
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'max-age=60',
      contentDisposition: 'attachment; filename="page.html"',
      contentLanguage: 'fr',
      Metadata: { origin: 'test' },
    })
    const head = await fixture.client.send(
      new HeadObjectCommand({ Bucket: fixture.s3.bucket, Key: 'options/page.bin' })
    )
    assert.equal(head.ContentType, 'text/html; charset=utf-8')
    assert.equal(head.CacheControl, 'max-age=60')
    assert.equal(head.ContentDisposition, 'attachment; filename="page.html"')
    assert.equal(head.ContentLanguage, 'fr')
    assert.deepEqual(head.Metadata, { origin: 'test' })

    await driver.put('options/photo.PNG', 'x')
    const photo = await driver.getMetaData('options/photo.PNG')
    assert.equal(photo.contentType, 'image/png')
  })

  test('write options cannot redirect a write to another bucket or key', async ({ assert }) => {
    const driver = fixture.driver()
    await driver.put('options/pinned.txt', 'pinned', { Bucket: 'other', Key: 'elsewhere.txt' })
    assert.equal(await driver.get('options/pinned.txt'), 'pinned')
    assert.isFalse(await driver.exists('elsewhere.txt'))
  })

  test('overwriting a key replaces its content', async ({ assert }) => {
    const disk = new Disk(fixture.driver())
    await disk.put('overwrite.txt', 'first')
    await disk.put('overwrite.txt', 'second')
    assert.equal(await disk.get('overwrite.txt'), 'second')
  })

  test('delete removes the object; exists is then false ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver()
      const target = surface === 'Disk' ? new Disk(driver) : driver
      await target.put(`delete/${surface}.txt`, 'bye')
      assert.isTrue(await target.exists(`delete/${surface}.txt`))
      await target.delete(`delete/${surface}.txt`)
      assert.isFalse(await target.exists(`delete/${surface}.txt`))
    })
})

test.group('DjamazingDriver | missing objects', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  test('on the raw driver: reads reject with E_DJAMAZING_OBJECT_NOT_FOUND, keeping the S3 error as cause', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    for (const read of [
      () => driver.get('missing.txt'),
      () => driver.getBytes('missing.txt'),
      () => driver.getStream('missing.txt'),
      () => driver.getMetaData('missing.txt'),
    ]) {
      const error = await read().then(
        () => null,
        (e) => e
      )
      assert.equal(error?.code, 'E_DJAMAZING_OBJECT_NOT_FOUND')
      assert.equal(error.status, 404)
      assert.include(error.message, 'missing.txt')
      assert.equal(error.cause?.$metadata?.httpStatusCode, 404)
    }
    assert.isFalse(await driver.exists('missing.txt'))
    await driver.delete('missing.txt')
    assert.isFalse(await driver.exists('missing.txt'))
  })

  test("through Disk: reads reject with flydrive's E_CANNOT_READ_FILE / E_CANNOT_GET_METADATA, ours as cause", async ({
    assert,
  }) => {
    const disk = new Disk(fixture.driver())
    for (const [read, code] of [
      [() => disk.get('missing.txt'), 'E_CANNOT_READ_FILE'],
      [() => disk.getBytes('missing.txt'), 'E_CANNOT_READ_FILE'],
      [() => disk.getStream('missing.txt'), 'E_CANNOT_READ_FILE'],
      [() => disk.getMetaData('missing.txt'), 'E_CANNOT_GET_METADATA'],
    ] as const) {
      const error = await read().then(
        () => null,
        (e) => e
      )
      assert.equal(error?.code, code)
      assert.equal(error.cause?.code, 'E_DJAMAZING_OBJECT_NOT_FOUND')
    }
    assert.isFalse(await disk.exists('missing.txt'))
    await disk.delete('missing.txt')
  })

  test('a missing bucket is an S3 request failure, not a missing object', async ({ assert }) => {
    const driver = fixture.driver({ bucket: 'no-such-bucket' })
    const error = await driver.put('a.txt', 'x').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    assert.equal(error.cause?.name, 'NoSuchBucket')
  })
})

import { test } from '@japa/runner'
import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { Disk } from 'flydrive'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'

test.group('DjamazingDriver | copy and move', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  test('copy keeps the source and duplicates bytes and metadata ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver({ prefix: 'copies' })
      const target = surface === 'Disk' ? new Disk(driver) : driver
      await target.put(`${surface}/source.txt`, 'copied', {
        contentType: 'text/x-custom',
        cacheControl: 'max-age=9',
      })
      await target.copy(`${surface}/source.txt`, `${surface}/target.txt`)
      assert.equal(await target.get(`${surface}/source.txt`), 'copied')
      assert.equal(await target.get(`${surface}/target.txt`), 'copied')
      const head = await fixture.client.send(
        new HeadObjectCommand({ Bucket: fixture.s3.bucket, Key: `copies/${surface}/target.txt` })
      )
      assert.equal(head.ContentType, 'text/x-custom')
      assert.equal(head.CacheControl, 'max-age=9')
    })

  test('copy with write options replaces the metadata', async ({ assert }) => {
    const driver = fixture.driver()
    await driver.put('replace/source.txt', 'x', { contentType: 'text/plain' })
    await driver.copy('replace/source.txt', 'replace/target.txt', {
      contentType: 'application/x-other',
      cacheControl: 'no-store',
    })
    const meta = await driver.getMetaData('replace/target.txt')
    assert.equal(meta.contentType, 'application/x-other')
    const sourceMeta = await driver.getMetaData('replace/source.txt')
    assert.equal(sourceMeta.contentType, 'text/plain')
  })

  test('move leaves only the destination ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver()
      const target = surface === 'Disk' ? new Disk(driver) : driver
      await target.put(`move/${surface}/from.txt`, 'moved')
      await target.move(`move/${surface}/from.txt`, `move/${surface}/to.txt`)
      assert.isFalse(await target.exists(`move/${surface}/from.txt`))
      assert.equal(await target.get(`move/${surface}/to.txt`), 'moved')
    })

  test('copy and move of keys with non-ASCII characters, "%", "+", "?" and "#" (where flydrive fails)', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    const keys = [
      'café/ファイル 1.txt',
      'percent%20literal.txt',
      'percent%.txt',
      'plus+and space.txt',
      'question?hash#.txt',
      'emoji-😀.png',
    ]
    for (const key of keys) {
      await driver.put(key, `bytes of ${key}`)
      await driver.copy(key, `copy of ${key}`)
      assert.equal(await driver.get(`copy of ${key}`), `bytes of ${key}`, key)
      await driver.move(`copy of ${key}`, `moved/${key}`)
      assert.equal(await driver.get(`moved/${key}`), `bytes of ${key}`, key)
      assert.isFalse(await driver.exists(`copy of ${key}`), key)
    }
  })

  test('copying a missing object fails with E_DJAMAZING_OBJECT_NOT_FOUND; move keeps nothing half-done', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    const error = await driver.copy('nothing-here.txt', 'copy.txt').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_OBJECT_NOT_FOUND')
    assert.isFalse(await driver.exists('copy.txt'))

    const moveError = await new Disk(driver).move('nothing-here.txt', 'moved.txt').then(
      () => null,
      (e) => e
    )
    assert.equal(moveError?.code, 'E_CANNOT_MOVE_FILE')
    assert.equal(moveError.cause?.code, 'E_DJAMAZING_OBJECT_NOT_FOUND')
  })
})

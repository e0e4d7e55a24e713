import { Readable } from 'node:stream'
import { test } from '@japa/runner'
import { Disk, DriveFile } from 'flydrive'
import { AWKWARD_KEYS, INVALID_KEYS } from '../../helpers/awkward_keys.ts'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'
import type { DjamazingDriver } from '../../../src/driver.ts'

const storable = AWKWARD_KEYS.filter((entry) => entry.s3rver !== false).map((entry) => entry.key)

/**
 * A test title for a key: quoted, escaped, and cut when very long.
 */
const labelled = (key: string) => {
  const label = JSON.stringify(key)
  return { key, label: label.length > 50 ? `${label.slice(0, 40)}…" (${key.length} chars)` : label }
}

/**
 * The bytes stored under a key: derived from it, so a mix-up between two
 * keys shows.
 */
const bytesFor = (key: string) => Buffer.concat([Buffer.from(key), Buffer.from([0, 255, 10, 13])])

test.group('DjamazingDriver | awkward keys', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  test('{label} round-trips byte for byte, is listed under its exact key and deleted')
    .with(storable.map(labelled))
    .run(async ({ assert }, { key }) => {
      const driver = fixture.driver({ prefix: 'awkward' })
      await driver.put(key, bytesFor(key))
      assert.isTrue(await driver.exists(key))
      assert.deepEqual(Buffer.from(await driver.getBytes(key)), bytesFor(key))
      const meta = await driver.getMetaData(key)
      assert.equal(meta.contentLength, bytesFor(key).length)

      const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : ''
      const page = await driver.listAll(folder)
      const listed = [...page.objects].filter((entry) => entry instanceof DriveFile)
      assert.include(
        listed.map((file) => file.key),
        key
      )
      const file = listed.find((entry) => entry.key === key)!
      assert.deepEqual(Buffer.from(await file.getBytes()), bytesFor(key))

      await driver.delete(key)
      assert.isFalse(await driver.exists(key))
    })

  test('putStream stores every awkward key too', async ({ assert }) => {
    const driver = fixture.driver({ prefix: 'awkward-stream' })
    for (const key of storable) {
      await driver.putStream(key, Readable.from([bytesFor(key)]))
      assert.deepEqual(Buffer.from(await driver.getBytes(key)), bytesFor(key), key)
    }
    await driver.deleteAll('/')
  })
})

test.group('DjamazingDriver | invalid keys', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    // Written once: s3rver may serve a half-written file while a rewrite of
    // the same key is being flushed.
    await fixture.driver().put('ok.txt', 'ok')
    return () => fixture.stop()
  })

  const operations: [string, (driver: DjamazingDriver, key: string) => Promise<unknown>][] = [
    ['exists', (d, k) => d.exists(k)],
    ['get', (d, k) => d.get(k)],
    ['getStream', (d, k) => d.getStream(k)],
    ['getBytes', (d, k) => d.getBytes(k)],
    ['getMetaData', (d, k) => d.getMetaData(k)],
    ['getVisibility', (d, k) => d.getVisibility(k)],
    ['setVisibility', (d, k) => d.setVisibility(k, 'public')],
    ['put', (d, k) => d.put(k, 'x')],
    ['putStream', (d, k) => d.putStream(k, Readable.from(['x']))],
    ['copy from', (d, k) => d.copy(k, 'ok.txt')],
    ['copy to', (d, k) => d.copy('ok.txt', k)],
    ['move from', (d, k) => d.move(k, 'ok.txt')],
    ['move to', (d, k) => d.move('ok.txt', k)],
    ['delete', (d, k) => d.delete(k)],
    ['getUrl', (d, k) => d.getUrl(k)],
    ['getSignedUrl', (d, k) => d.getSignedUrl(k)],
    ['getSignedUploadUrl', (d, k) => d.getSignedUploadUrl(k)],
  ]

  test('{label} is refused by every method with E_DJAMAZING_INVALID_KEY before any request')
    .with(INVALID_KEYS.map(labelled))
    .run(async ({ assert }, { key }) => {
      const driver = fixture.driver()
      const before = fixture.requests.length
      for (const [name, operation] of operations) {
        const error = await operation(driver, key).then(
          () => null,
          (e) => e
        )
        assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY', `${name} ${JSON.stringify(key)}`)
      }
      // "" means the whole disk for listings; every other invalid key is refused.
      if (key !== '') {
        for (const listing of [
          () => driver.listAll(key),
          () => driver.listAll(key, { recursive: true }),
          () => driver.deleteAll(key),
        ]) {
          const error = await listing().then(
            () => null,
            (e) => e
          )
          assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY', JSON.stringify(key))
        }
      }
      assert.equal(fixture.requests.length, before, 'no request reached S3')
      assert.equal(await driver.get('ok.txt'), 'ok')
    })

  test('keys that are valid alone but too long with the prefix are refused', async ({ assert }) => {
    const driver = fixture.driver({ prefix: 'p'.repeat(100) })
    const before = fixture.requests.length
    const error = await driver.put(`${'k'.repeat(950)}.txt`, 'x').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY')
    assert.equal(fixture.requests.length, before)
  })

  test("flydrive's Disk refuses keys before the driver; the driver refuses what Disk lets through", async ({
    assert,
  }) => {
    const disk = new Disk(fixture.driver())
    const error = await disk.put('../escape.txt', 'x').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_PATH_TRAVERSAL_DETECTED')
    // Disk cleans "a/./b" into "a/b"; the raw driver refuses it outright.
    const raw = await fixture
      .driver()
      .put('a/./b.txt', 'x')
      .then(
        () => null,
        (e) => e
      )
    assert.equal(raw?.code, 'E_DJAMAZING_INVALID_KEY')
  })
})

import { test } from '@japa/runner'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { Disk, DriveFile, type DriveDirectory } from 'flydrive'
import type { DriverContract } from 'flydrive/types'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'

const MANY = 1050
const manyKeys = Array.from(
  { length: MANY },
  (_, i) => `many/file-${String(i).padStart(4, '0')}.txt`
)

/**
 * Every entry of every page, and how many pages there were.
 */
async function listEverything(
  target: Pick<DriverContract, 'listAll'>,
  prefix: string,
  options: { recursive?: boolean; maxResults?: number } = {}
) {
  const files: DriveFile[] = []
  const directories: DriveDirectory[] = []
  let paginationToken: string | undefined
  let pages = 0
  do {
    const page = await target.listAll(prefix, { ...options, paginationToken })
    pages++
    for (const entry of page.objects) {
      if (entry instanceof DriveFile) files.push(entry)
      else directories.push(entry)
    }
    paginationToken = page.paginationToken
  } while (paginationToken)
  return { files, directories, pages }
}

async function putAll(driver: DriverContract, keys: string[]) {
  const queue = [...keys]
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let key = queue.shift(); key; key = queue.shift()) await driver.put(key, key)
    })
  )
}

test.group('DjamazingDriver | listing and deleteAll', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    const driver = fixture.driver({ prefix: 'site' })
    await putAll(driver, [
      ...manyKeys,
      'many/sub/a.txt',
      'many/sub/deeper/b.txt',
      'many/subway.txt',
      'top.txt',
    ])
    // Neighbours outside the disk's prefix, which it must never see.
    for (const key of ['outside.txt', 'site2/many/x.txt', 'sitemap.xml']) {
      await fixture.client.send(
        new PutObjectCommand({ Bucket: fixture.s3.bucket, Key: key, Body: key })
      )
    }
    return () => fixture.stop()
  })

  test('non-recursive listing of over 1,000 keys pages through files and folders ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver({ prefix: 'site' })
      const target = surface === 'Disk' ? new Disk(driver) : driver
      const { files, directories, pages } = await listEverything(target, 'many')
      assert.isAbove(pages, 1)
      assert.deepEqual(
        files.map((file) => file.key),
        [...manyKeys, 'many/subway.txt']
      )
      assert.deepEqual(
        directories.map((directory) => directory.prefix),
        ['many/sub']
      )
      assert.equal(directories[0].name, 'sub')
      assert.equal(files[0].name, 'file-0000.txt')
    })

  test('recursive listing of over 1,000 keys pages through every file below ({$self})')
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver({ prefix: 'site' })
      const target = surface === 'Disk' ? new Disk(driver) : driver
      const { files, directories, pages } = await listEverything(target, 'many/', {
        recursive: true,
      })
      assert.isAbove(pages, 1)
      assert.lengthOf(directories, 0)
      assert.sameMembers(
        files.map((file) => file.key),
        [...manyKeys, 'many/sub/a.txt', 'many/sub/deeper/b.txt', 'many/subway.txt']
      )
    })

  test('the root listing ("" or "/") shows the disk only, keys without its prefix', async ({
    assert,
  }) => {
    const driver = fixture.driver({ prefix: 'site/' })
    for (const root of ['', '/']) {
      const { files, directories } = await listEverything(driver, root)
      assert.deepEqual(
        files.map((file) => file.key),
        ['top.txt']
      )
      assert.deepEqual(
        directories.map((directory) => directory.prefix),
        ['many']
      )
    }
    const everything = await listEverything(new Disk(driver), '/', { recursive: true })
    assert.lengthOf(everything.files, MANY + 4)
    assert.isTrue(everything.files.every((file) => !file.key.startsWith('site')))
  })

  test('maxResults sets the page size', async ({ assert }) => {
    const driver = fixture.driver({ prefix: 'site' })
    const page = await driver.listAll('many', { maxResults: 10 })
    assert.lengthOf([...page.objects], 10)
    assert.isString(page.paginationToken)
  })

  test('listed files carry their metadata and read their own object', async ({ assert }) => {
    const driver = fixture.driver({ prefix: 'site' })
    const page = await driver.listAll('many', { maxResults: 1 })
    const [file] = [...page.objects] as DriveFile[]
    assert.equal(file.key, 'many/file-0000.txt')
    const meta = await file.getMetaData()
    assert.equal(meta.contentLength, 'many/file-0000.txt'.length)
    assert.match(meta.etag, /^"[0-9a-f]{32}"$/)
    assert.equal(await file.get(), 'many/file-0000.txt')
  })

  test('deleteAll of a folder deletes what is below it, not look-alike neighbours', async ({
    assert,
  }) => {
    const driver = fixture.driver({ prefix: 'site' })
    await new Disk(driver).deleteAll('many/sub')
    assert.isFalse(await driver.exists('many/sub/a.txt'))
    assert.isFalse(await driver.exists('many/sub/deeper/b.txt'))
    assert.isTrue(await driver.exists('many/subway.txt'))
  })

  test('deleteAll of over 1,000 keys deletes them all and nothing outside', async ({ assert }) => {
    const driver = fixture.driver({ prefix: 'site' })
    await driver.deleteAll('many')
    const left = await listEverything(driver, '', { recursive: true })
    assert.deepEqual(
      left.files.map((file) => file.key),
      ['top.txt']
    )
    const outside = await listEverything(fixture.driver(), '', { recursive: true })
    assert.sameMembers(
      outside.files.map((file) => file.key),
      ['outside.txt', 'site/top.txt', 'site2/many/x.txt', 'sitemap.xml']
    )
  })

  test('deleteAll of the root of a prefixed disk stops at its prefix', async ({ assert }) => {
    await fixture.driver({ prefix: 'site' }).deleteAll('/')
    const outside = await listEverything(fixture.driver(), '', { recursive: true })
    assert.sameMembers(
      outside.files.map((file) => file.key),
      ['outside.txt', 'site2/many/x.txt', 'sitemap.xml']
    )
  })
})

import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import type { DjamazingOptions } from '../../../src/types.ts'

/**
 * A public disk on the local store, without AdonisJS: what a plain
 * flydrive user creates.
 */
function localDisk(root: string, options: Partial<DjamazingOptions> = {}) {
  return new DjamazingDriver({
    store: 'local',
    bucket: 'media-dev',
    mode: 'public',
    cdnUrl: 'http://localhost:3333/cdn',
    localStore: { root },
    ...options,
  } as DjamazingOptions)
}

test.group('Local store | the driver without AdonisJS', (group) => {
  let root: string

  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-driver-'))
    return () => rm(root, { recursive: true, force: true })
  })

  test('listAll lists folders, then files in key order, awkward names included, page by page', async ({
    assert,
  }) => {
    const disk = localDisk(root, { prefix: 'site/' })
    for (const key of ['café.jpg', 'a b.txt', 'docs/one.txt', 'docs/two.txt', 'z.txt']) {
      await disk.put(key, key)
    }
    const top = await disk.listAll('')
    assert.deepEqual(
      [...top.objects].map((item) =>
        item.isFile ? `file ${(item as any).key}` : `dir ${(item as any).prefix}`
      ),
      // Folders first, then files, as the S3 driver gives S3's listing.
      ['dir docs', 'file a b.txt', 'file café.jpg', 'file z.txt']
    )
    const all = await disk.listAll('', { recursive: true, maxResults: 3 })
    assert.deepEqual(
      [...all.objects].map((item) => (item as any).key),
      ['a b.txt', 'café.jpg', 'docs/one.txt']
    )
    const rest = await disk.listAll('', { recursive: true, paginationToken: all.paginationToken })
    assert.deepEqual(
      [...rest.objects].map((item) => (item as any).key),
      ['docs/two.txt', 'z.txt']
    )
    assert.isUndefined(rest.paginationToken)
    const file = [...rest.objects][0] as any
    assert.equal(await file.get(), 'docs/two.txt')
  })

  test('deleteAll of the whole disk keeps the bucket; of a folder, only that folder', async ({
    assert,
  }) => {
    const disk = localDisk(root)
    await disk.put('user1/a.txt', 'a')
    await disk.put('user10/b.txt', 'b')
    await disk.deleteAll('user1')
    assert.isFalse(await disk.exists('user1/a.txt'))
    assert.isTrue(await disk.exists('user10/b.txt'))
    await disk.deleteAll('')
    assert.deepEqual(await readdir(join(root, 'media-dev')), [])
  })

  test('streams, copies and moves; a missing object is E_DJAMAZING_OBJECT_NOT_FOUND', async ({
    assert,
  }) => {
    const disk = localDisk(root)
    await disk.putStream('in.txt', Readable.from([Buffer.from('streamed '), Buffer.from('in')]))
    await disk.copy('in.txt', 'copy/out.txt')
    await disk.move('copy/out.txt', 'moved.txt')
    assert.equal(await disk.get('moved.txt'), 'streamed in')
    assert.isFalse(await disk.exists('copy/out.txt'))
    for (const read of [
      () => disk.get('nope.txt'),
      () => disk.getStream('nope.txt'),
      () => disk.getMetaData('nope.txt'),
      () => disk.copy('nope.txt', 'x.txt'),
    ]) {
      await assert.rejects(read, /not found in bucket "media-dev"/)
    }
    await disk.delete('nope.txt')
  })

  test('keys that could leave the bucket, or cannot be files, are refused before the file system', async ({
    assert,
  }) => {
    const disk = localDisk(root)
    for (const key of ['../escape.txt', 'a/../../escape.txt', '/abs.txt', 'folder/']) {
      await assert.rejects(() => disk.put(key, 'x'), /Invalid object key/)
    }
    assert.deepEqual(await readdir(root), ['media-dev'])
  })

  test('settings are checked at creation and name the setting', ({ assert }) => {
    assert.throws(() => localDisk(root, { bucket: '../etc' }), /Invalid "bucket"/)
    assert.throws(() => localDisk(root, { bucket: 'Media' }), /Invalid "bucket"/)
    assert.throws(
      () => localDisk(root, { localStore: {} }),
      /Invalid "localStore.root": the local store needs the folder/
    )
    assert.throws(() => localDisk(root, { store: 'disk' as any }), /Invalid "store"/)
  })

  test('upload URLs need the secret, and signed URLs a CloudFront key', async ({ assert }) => {
    const disk = localDisk(root)
    await disk.put('a.txt', 'a')
    await assert.rejects(() => disk.getSignedUploadUrl('b.txt'), /localStore.uploadSecret/)
    await assert.rejects(() => disk.getSignedUrl('a.txt'), /Invalid "cloudfront"/)
    const signed = localDisk(root, {
      localStore: { root, uploadSecret: 'a secret of 16 bytes or more' },
    })
    const url = await signed.getSignedUploadUrl('b c.txt', { contentType: 'text/plain' })
    assert.match(url, /^http:\/\/localhost:3333\/cdn\/b%20c\.txt\?X-Djamazing-Expires=\d+&/)
  })
})

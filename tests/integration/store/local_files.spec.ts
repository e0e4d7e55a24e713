import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { test } from '@japa/runner'
import { LocalStore } from '../../../src/store/local_store.ts'
import { failingStream } from '../../helpers/byte_stream.ts'

const MiB = 1024 * 1024
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('base64')
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest()

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => null,
    (error) => error
  )
}

test.group('Local store | bytes and metadata together', (group) => {
  let root: string
  let store: LocalStore
  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-local-files-'))
    store = new LocalStore({ root, bucket: 'files-test' })
    return () => rm(root, { recursive: true, force: true })
  })

  test('readers during overwrites never pair one write bytes with another write metadata', async ({
    assert,
  }) => {
    const versions = [
      { body: 'a'.repeat(3000), contentType: 'text/a', metadata: { version: 'a' } },
      { body: 'b'.repeat(7000), contentType: 'text/b', metadata: { version: 'b' } },
    ]
    await store.put('race.txt', versions[0].body, versions[0])
    let writing = true
    const writer = (async () => {
      for (let i = 1; i <= 150; i++) {
        const version = versions[i % 2]
        await store.put('race.txt', version.body, version)
      }
      writing = false
    })()
    let reads = 0
    const reader = async () => {
      while (writing) {
        const object = await store.get('race.txt')
        const body = await text(object.body)
        const version = versions.find((one) => one.body === body)
        assert.exists(version, 'the bytes are one whole write')
        assert.equal(object.contentType, version!.contentType)
        assert.deepEqual(object.metadata, version!.metadata)
        assert.equal(object.size, body.length)
        reads += 1
      }
    }
    await Promise.all([writer, reader(), reader()])
    assert.isAbove(reads, 10)
  })

  test('a failed write leaves the previous object whole and no temporary file behind', async ({
    assert,
  }) => {
    await store.put('kept.txt', 'previous', { contentType: 'text/plain' })
    const badDigest = await failure(
      store.put('kept.txt', 'replacement', { checksumSha256: sha256('something else') })
    )
    assert.equal(badDigest?.cause?.name, 'BadDigest')
    const broken = await failure(store.putStream('kept.txt', failingStream(3 * MiB)))
    assert.equal(broken?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    const tooShort = await failure(
      store.putStream('kept.txt', Readable.from(['12345']), { size: 6 })
    )
    assert.equal(tooShort?.cause?.name, 'IncompleteBody')

    const object = await store.get('kept.txt')
    assert.equal(await text(object.body), 'previous')
    assert.equal(object.contentType, 'text/plain')
    assert.deepEqual(await readdir(join(root, '.state', 'incoming')), [])
  })

  test('a write that succeeds leaves no temporary file behind, exclusive or not', async ({
    assert,
  }) => {
    await store.put('plain.txt', 'plain')
    await store.putStream('streamed.bin', Readable.from([Buffer.alloc(3 * MiB, 1)]))
    await store.copy('plain.txt', 'copied.txt', { ifNoneMatch: '*' })
    const refused = await failure(store.copy('plain.txt', 'copied.txt', { ifNoneMatch: '*' }))
    assert.equal(refused?.cause?.name, 'PreconditionFailed')
    const uploadId = await store.createMultipart('joined.bin')
    await store.uploadPart('joined.bin', uploadId, 1, Buffer.alloc(MiB, 2))

    const copied = await store.get('copied.txt')
    assert.equal(await text(copied.body), 'plain')
    assert.deepEqual(await readdir(join(root, '.state', 'incoming')), [])
  })

  test('a checksum that matches is kept; getMetaData reports it', async ({ assert }) => {
    await store.put('summed.txt', 'summed', { checksumSha256: sha256('summed') })
    const object = await store.head('summed.txt')
    assert.equal(object.checksumSha256, sha256('summed'))
  })

  test('keys that leave the bucket are refused before anything is written', async ({ assert }) => {
    for (const key of ['../escape.txt', 'a/../../escape.txt', '/abs.txt', 'a\\b.txt']) {
      const error = await failure(store.put(key, 'x'))
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY', key)
    }
    const entries = await readdir(root)
    assert.deepEqual(entries.sort(), ['files-test'])
  })

  test('a file dropped into the folder by hand is served with the type of its name', async ({
    assert,
  }) => {
    await writeFile(join(root, 'files-test', 'dropped.png'), 'not really a png')
    const object = await store.head('dropped.png')
    assert.equal(object.contentType, 'image/png')
    assert.equal(object.size, 16)
    assert.deepEqual(object.metadata, {})
  })

  test('delete removes the bytes and the record, and the folders left empty', async ({
    assert,
  }) => {
    await store.put('deep/er/file.txt', 'x', { metadata: { a: 'b' } })
    await store.delete('deep/er/file.txt')
    assert.deepEqual(await readdir(join(root, 'files-test')), [])
    assert.deepEqual(await readdir(join(root, '.state', 'meta', 'files-test')), [])
    const listed = await store.list({ prefix: '', delimiter: '/' })
    assert.deepEqual(listed.prefixes, [])
  })
})

test.group('Local store | multipart uploads follow S3 rules', (group) => {
  let root: string
  let store: LocalStore
  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-local-multipart-'))
    store = new LocalStore({ root, bucket: 'multipart-test' })
    return () => rm(root, { recursive: true, force: true })
  })

  const five = Buffer.alloc(5 * MiB, 5)
  const small = Buffer.from('small part')

  test('ETag and checksum are made as S3 makes them for multipart objects', async ({ assert }) => {
    const uploadId = await store.createMultipart('joined.bin')
    const one = await store.uploadPart('joined.bin', uploadId, 1, five, {
      checksumSha256: sha256(five),
    })
    const two = await store.uploadPart('joined.bin', uploadId, 2, small)
    const { etag } = await store.completeMultipart('joined.bin', uploadId, [one, two])
    const expected = createHash('md5')
      .update(Buffer.concat([md5(five), md5(small)]))
      .digest('hex')
    assert.equal(etag, `"${expected}-2"`)
    const object = await store.head('joined.bin')
    const shas = Buffer.concat([five, small].map((part) => Buffer.from(sha256(part), 'base64')))
    assert.equal(object.checksumSha256, `${sha256(shas)}-2`)
    assert.deepEqual(await readdir(join(root, '.state', 'uploads', 'multipart-test')), [])
  })

  test('a part below 5 MiB that is not the last is refused at completion (EntityTooSmall)', async ({
    assert,
  }) => {
    const uploadId = await store.createMultipart('small.bin')
    const one = await store.uploadPart('small.bin', uploadId, 1, small)
    const two = await store.uploadPart('small.bin', uploadId, 2, five)
    const error = await failure(store.completeMultipart('small.bin', uploadId, [one, two]))
    assert.equal(error?.cause?.name, 'EntityTooSmall')
    assert.isFalse(
      await store.head('small.bin').then(
        () => true,
        () => false
      )
    )
    assert.lengthOf(await store.listMultipartUploads(), 1)
  })

  test('a part whose SHA-256 differs is refused (BadDigest) and not stored', async ({ assert }) => {
    const uploadId = await store.createMultipart('digest.bin')
    const error = await failure(
      store.uploadPart('digest.bin', uploadId, 1, five, { checksumSha256: sha256(small) })
    )
    assert.equal(error?.cause?.name, 'BadDigest')
    assert.deepEqual(await store.listParts('digest.bin', uploadId), [])
  })

  test('part numbers, ETags, order and upload ids are checked as S3 checks them', async ({
    assert,
  }) => {
    const uploadId = await store.createMultipart('checked.bin')
    for (const partNumber of [0, 10_001, 1.5]) {
      const error = await failure(store.uploadPart('checked.bin', uploadId, partNumber, small))
      assert.equal(error?.cause?.name, 'InvalidArgument', String(partNumber))
    }
    const one = await store.uploadPart('checked.bin', uploadId, 1, five)
    const two = await store.uploadPart('checked.bin', uploadId, 2, small)
    const wrongEtag = await failure(
      store.completeMultipart('checked.bin', uploadId, [one, { ...two, etag: '"0"' }])
    )
    assert.equal(wrongEtag?.cause?.name, 'InvalidPart')
    const outOfOrder = await failure(store.completeMultipart('checked.bin', uploadId, [two, one]))
    assert.equal(outOfOrder?.cause?.name, 'InvalidPartOrder')
    for (const [key, id] of [
      ['other.bin', uploadId],
      ['checked.bin', '0123456789abcdef0123456789abcdef'],
      ['checked.bin', '../../escape'],
    ]) {
      const error = await failure(store.uploadPart(key, id, 3, small))
      assert.equal(error?.cause?.name, 'NoSuchUpload', `${key} ${id}`)
    }
    const stored = await readFile(
      join(root, '.state', 'uploads', 'multipart-test', uploadId, '1.part')
    )
    assert.equal(stored.length, five.length)
  })
})

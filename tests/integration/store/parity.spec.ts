import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { startEdgeServer, type EdgeServer } from '../../../src/edge/main.ts'
import { LocalStore } from '../../../src/store/local_store.ts'
import { S3Store } from '../../../src/store/s3_store.ts'
import type { ObjectStore } from '../../../src/store/types.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { deterministicStream, sha256Of } from '../../helpers/byte_stream.ts'
import { startS3Server } from '../../helpers/s3_server.ts'

/*
 * One suite, two stores: every assertion below runs against s3rver (a real
 * S3 server over HTTP, in its own process) and against the local store,
 * through the driver (flydrive's contract), the store itself and the edge
 * serving it. What differs between them fails here.
 */

const MiB = 1024 * 1024
const BUCKET = 'parity-bucket'

type Subject = {
  store: ObjectStore
  driver: DjamazingDriver
  edge: EdgeServer
  stop(): Promise<void>
}

const subjects: Record<string, () => Promise<Subject>> = {
  async 's3rver'() {
    const s3 = await startS3Server({ buckets: [BUCKET] })
    const client = s3.client()
    const store = new S3Store({ client, bucket: BUCKET })
    const edge = await startEdgeServer({ store, defaultBehavior: { signed: false } })
    const driver = new DjamazingDriver({
      ...s3.clientConfig,
      client,
      bucket: BUCKET,
      mode: 'public',
      cdnUrl: edge.url,
    } as DjamazingOptions)
    return {
      store,
      driver,
      edge,
      async stop() {
        await edge.close()
        client.destroy()
        await s3.stop()
      },
    }
  },
  async 'local store'() {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-parity-'))
    const store = new LocalStore({ root, bucket: BUCKET })
    const edge = await startEdgeServer({ store, defaultBehavior: { signed: false } })
    const driver = new DjamazingDriver({
      store: 'local',
      localStore: { root },
      bucket: BUCKET,
      mode: 'public',
      cdnUrl: edge.url,
      production: false,
    } as DjamazingOptions)
    return {
      store,
      driver,
      edge,
      async stop() {
        await edge.close()
        await rm(root, { recursive: true, force: true })
      },
    }
  },
}

/**
 * Every header-like option a write takes, with values S3 keeps as given.
 */
const EXPIRES = new Date('2031-05-06T07:08:09Z')
const WRITE_OPTIONS = {
  contentType: 'application/x-parity; charset=utf-8',
  cacheControl: 'public, max-age=600, immutable',
  contentDisposition: 'attachment; filename="report.txt"',
  contentEncoding: 'identity',
  contentLanguage: 'fr-CA',
  Expires: EXPIRES,
  Metadata: { 'owner': 'alice', 'x-trace': 'a1b2' },
}

/**
 * What the options come back as: from `getMetaData` and as S3 response headers.
 */
const KEPT = {
  contentType: WRITE_OPTIONS.contentType,
  cacheControl: WRITE_OPTIONS.cacheControl,
  contentDisposition: WRITE_OPTIONS.contentDisposition,
  contentEncoding: WRITE_OPTIONS.contentEncoding,
  contentLanguage: WRITE_OPTIONS.contentLanguage,
  expires: EXPIRES.toUTCString(),
  metadata: WRITE_OPTIONS.Metadata,
}
const HEADERS = {
  'content-type': WRITE_OPTIONS.contentType,
  'cache-control': WRITE_OPTIONS.cacheControl,
  'content-disposition': WRITE_OPTIONS.contentDisposition,
  'content-encoding': WRITE_OPTIONS.contentEncoding,
  'content-language': WRITE_OPTIONS.contentLanguage,
  'expires': EXPIRES.toUTCString(),
  'x-amz-meta-owner': 'alice',
  'x-amz-meta-x-trace': 'a1b2',
}

const md5Etag = (bytes: Buffer | string) => `"${createHash('md5').update(bytes).digest('hex')}"`

for (const [name, open] of Object.entries(subjects)) {
  test.group(`Store parity | ${name}`, (group) => {
    let subject: Subject
    group.setup(async () => {
      subject = await open()
      return () => subject.stop()
    })

    test(
      'row 46: every put option comes back from getMetaData and as a header from the edge ({$self})'
    )
      .with(['put', 'putStream', 'multipart putStream'] as const)
      .run(async ({ assert }, write) => {
        const key = `options/${write.replaceAll(' ', '-')}.txt`
        const body = write === 'multipart putStream' ? deterministicStream(9 * MiB) : undefined
        if (write === 'put') await subject.driver.put(key, 'kept as S3 keeps it', WRITE_OPTIONS)
        else if (body) await subject.driver.putStream(key, body.stream, WRITE_OPTIONS)
        else {
          await subject.driver.putStream(key, Readable.from(['kept ', 'as S3']), WRITE_OPTIONS)
        }

        const meta = await subject.driver.getMetaData(key)
        assert.containsSubset(meta, KEPT)
        assert.deepEqual(meta.metadata, KEPT.metadata)

        const response = await fetch(`${subject.edge.url}${key}`)
        assert.equal(response.status, 200)
        for (const [header, value] of Object.entries(HEADERS)) {
          assert.equal(response.headers.get(header), value, header)
        }
        assert.equal(response.headers.get('etag'), meta.etag)
        const served = await sha256Of(Readable.fromWeb(response.body as any))
        assert.equal(served.bytes, meta.contentLength)
        if (body) assert.equal(served.hash, body.digest())
      })

    test('ETags are made as S3 makes them: the MD5 of a PUT, and a multipart one differs', async ({
      assert,
    }) => {
      const { etag } = await subject.store.put('etag/a.txt', 'abc')
      assert.equal(etag, md5Etag('abc'))
      const small = await subject.store.head('etag/a.txt')
      assert.equal(small.etag, md5Etag('abc'))
      const big = deterministicStream(11 * MiB)
      const multipart = await subject.store.putStream('etag/big.bin', big.stream)
      assert.notEqual(multipart.etag, md5Etag('x'))
      const big2 = await subject.store.head('etag/big.bin')
      assert.equal(big2.etag, multipart.etag)
    })

    test('a write without a type is stored as S3 stores an AWS SDK write without one', async ({
      assert,
    }) => {
      await subject.store.put('types/none', 'no type')
      const stored = await subject.store.head('types/none')
      assert.equal(stored.contentType, 'application/octet-stream')
    })

    test('copy keeps the source metadata; copy with options replaces it', async ({ assert }) => {
      await subject.driver.put('copy/source.txt', 'copied', WRITE_OPTIONS)
      await subject.driver.copy('copy/source.txt', 'copy/kept.txt')
      assert.containsSubset(await subject.driver.getMetaData('copy/kept.txt'), KEPT)

      await subject.driver.copy('copy/source.txt', 'copy/replaced.txt', {
        contentType: 'text/plain',
        Metadata: { owner: 'bob' },
      })
      const replaced = await subject.driver.getMetaData('copy/replaced.txt')
      assert.equal(replaced.contentType, 'text/plain')
      assert.deepEqual(replaced.metadata, { owner: 'bob' })
      assert.isUndefined(replaced.contentDisposition)
      assert.equal(await subject.driver.get('copy/replaced.txt'), 'copied')
    })

    test('ranged and conditional reads: a range of the bytes, a stale ETag refused with 412', async ({
      assert,
    }) => {
      const { etag } = await subject.store.put('ranges/digits.txt', '0123456789')
      const range = await subject.store.get('ranges/digits.txt', {
        range: { start: 2, end: 5 },
        ifMatch: etag,
      })
      assert.equal(await text(range.body), '2345')
      assert.equal(range.size, 10)
      const stale = await subject.store
        .get('ranges/digits.txt', { ifMatch: md5Etag('older') })
        .then(
          () => null,
          (error) => error
        )
      assert.equal(stale?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
      assert.equal(stale.cause?.$metadata?.httpStatusCode, 412)
    })

    test('missing objects: head, get and getMetaData fail as not found, with S3 404 as cause', async ({
      assert,
    }) => {
      for (const read of [
        () => subject.store.head('missing/none.txt'),
        () => subject.store.get('missing/none.txt'),
        () => subject.store.getBytes('missing/none.txt', MiB),
        () => subject.driver.getMetaData('missing/none.txt'),
      ]) {
        const error = await read().then(
          () => null,
          (e) => e
        )
        assert.equal(error?.code, 'E_DJAMAZING_OBJECT_NOT_FOUND')
        assert.equal(error.cause?.$metadata?.httpStatusCode, 404)
      }
      assert.isFalse(await subject.driver.exists('missing/none.txt'))
      await subject.store.delete('missing/none.txt')
    })

    test('a whole object in one buffer, or nothing read above a size limit', async ({ assert }) => {
      const body = deterministicStream(3 * MiB + 17)
      await subject.store.putStream('whole/photo.bin', body.stream)
      const bytes = await subject.store.getBytes('whole/photo.bin', 4 * MiB)
      assert.equal(bytes?.length, 3 * MiB + 17)
      assert.equal(createHash('sha256').update(bytes!).digest('hex'), body.digest())
      assert.isUndefined(await subject.store.getBytes('whole/photo.bin', 3 * MiB))
      // The limit is inclusive, as `maxInputBytes` is.
      const atLimit = await subject.store.getBytes('whole/photo.bin', 3 * MiB + 17)
      assert.equal(atLimit?.length, 3 * MiB + 17)
    })

    test('listing: prefix, delimiter and pages, keys in order', async ({ assert }) => {
      for (const key of ['list/a/1.txt', 'list/a/2.txt', 'list/b.txt', 'list/c/3.txt']) {
        await subject.store.put(key, key)
      }
      const folders = await subject.store.list({ prefix: 'list/', delimiter: '/' })
      assert.deepEqual(folders.prefixes, ['list/a/', 'list/c/'])
      assert.deepEqual(
        folders.objects.map((object) => object.key),
        ['list/b.txt']
      )
      assert.equal(folders.objects[0].size, 'list/b.txt'.length)

      const keys: string[] = []
      let token: string | undefined
      let pages = 0
      do {
        const page = await subject.store.list({ prefix: 'list/', token, maxKeys: 3 })
        keys.push(...page.objects.map((object) => object.key))
        token = page.token
        pages += 1
      } while (token)
      assert.deepEqual(keys, ['list/a/1.txt', 'list/a/2.txt', 'list/b.txt', 'list/c/3.txt'])
      assert.equal(pages, 2)

      await subject.store.deleteMany(keys)
      const after = await subject.store.list({ prefix: 'list/' })
      assert.lengthOf(after.objects, 0)
    })

    test('multipart: parts with their SHA-256, listed, completed in order into one object', async ({
      assert,
    }) => {
      const key = 'multipart/joined.bin'
      const first = Buffer.alloc(5 * MiB, 1)
      const last = Buffer.from('the last part may be small')
      const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64')
      const uploadId = await subject.store.createMultipart(key, { contentType: 'x/joined' })
      const started = await subject.store.listMultipartUploads('multipart/')
      assert.include(
        started.map((upload) => upload.uploadId),
        uploadId
      )
      const one = await subject.store.uploadPart(key, uploadId, 1, first, {
        checksumSha256: sha(first),
      })
      const two = await subject.store.uploadPart(key, uploadId, 2, last, {
        checksumSha256: sha(last),
      })
      const listed = await subject.store.listParts(key, uploadId)
      assert.deepEqual(
        listed.map((part) => [part.partNumber, part.etag, part.size]),
        [
          [1, md5Etag(first), first.length],
          [2, md5Etag(last), last.length],
        ]
      )
      await subject.store.completeMultipart(key, uploadId, [one, two])
      const stored = await subject.store.head(key)
      assert.equal(stored.size, first.length + last.length)
      assert.equal(stored.contentType, 'x/joined')
      const object = await subject.store.get(key)
      const read = await sha256Of(object.body)
      assert.equal(
        read.hash,
        createHash('sha256')
          .update(Buffer.concat([first, last]))
          .digest('hex')
      )
      assert.lengthOf(await subject.store.listMultipartUploads('multipart/'), 0)
    })

    test('an aborted multipart upload is gone, and its key never written', async ({ assert }) => {
      const key = 'multipart/aborted.bin'
      const uploadId = await subject.store.createMultipart(key)
      await subject.store.uploadPart(key, uploadId, 1, Buffer.alloc(5 * MiB))
      await subject.store.abortMultipart(key, uploadId)
      assert.lengthOf(await subject.store.listMultipartUploads('multipart/aborted'), 0)
      const again = await subject.store.abortMultipart(key, uploadId).then(
        () => null,
        (e) => e
      )
      assert.equal(again?.cause?.name, 'NoSuchUpload')
      assert.isFalse(await subject.driver.exists(key))
    })
  })
}

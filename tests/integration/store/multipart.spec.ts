import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { test } from '@japa/runner'
import { S3Store } from '../../../src/store/s3_store.ts'
import { deterministicStream, failingStream, sha256Of } from '../../helpers/byte_stream.ts'
import { withDeadline } from '../../helpers/deadline.ts'
import { recordRequests, type SentRequest } from '../../helpers/driver_factory.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

const MiB = 1024 * 1024

const isPart = (request: SentRequest) => request.method === 'PUT' && 'partNumber' in request.query

test.group('S3 store | multipart putStream on client-s3 alone (s3rver)', (group) => {
  let s3: S3Server
  let requests: SentRequest[]
  let store: S3Store
  group.setup(async () => {
    s3 = await startS3Server()
    const client = s3.client()
    requests = recordRequests(client)
    store = new S3Store({ client, bucket: s3.bucket, partSize: 5 * MiB, queueSize: 2 })
    return async () => {
      client.destroy()
      await s3.stop()
    }
  })
  group.each.setup(() => {
    requests.length = 0
  })

  test('a stream shorter than one part is one PutObject, no multipart upload', async ({
    assert,
  }) => {
    await store.putStream('small.txt', Readable.from(['short ', 'stream']))
    assert.deepEqual(
      requests.map((request) => request.method),
      ['PUT']
    )
    assert.notProperty(requests[0].query, 'uploads')
    const object = await store.get('small.txt')
    assert.equal(await sha256Of(object.body).then((read) => read.bytes), 12)
  })

  test('parts carry their SHA-256 (SHA256 declared on create), at most queueSize in flight', async ({
    assert,
  }) => {
    let inFlight = 0
    let most = 0
    // Part buffers are filled again once their upload is done, never while
    // one is still being sent.
    const buffersInFlight = new Set<ArrayBufferLike>()
    const buffersUsed = new Set<ArrayBufferLike>()
    let reusedInFlight = false
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand') return next(args)
        most = Math.max(most, ++inFlight)
        const { buffer } = (args.input as { Body: Buffer }).Body
        if (buffersInFlight.has(buffer)) reusedInFlight = true
        buffersInFlight.add(buffer)
        buffersUsed.add(buffer)
        try {
          return await next(args)
        } finally {
          buffersInFlight.delete(buffer)
          inFlight -= 1
        }
      },
      { step: 'initialize', name: 'countPartsInFlight' }
    )
    try {
      const source = deterministicStream(23 * MiB)
      await store.putStream('parts/23mib.bin', source.stream)
      const create = requests.find((request) => 'uploads' in request.query)!
      assert.equal(create.headers['x-amz-checksum-algorithm'], 'SHA256')
      const parts = requests.filter(isPart)
      assert.deepEqual(
        parts.map((part) => Number(part.query.partNumber)).sort((a, b) => a - b),
        [1, 2, 3, 4, 5]
      )
      // Each part's checksum is the SHA-256 of its own bytes, and doubles
      // as the SigV4 payload hash (hashed once, not twice).
      const { body } = await store.get('parts/23mib.bin')
      const stored = Buffer.concat(await Array.fromAsync(body as AsyncIterable<Buffer>))
      for (const part of parts) {
        const start = (Number(part.query.partNumber) - 1) * 5 * MiB
        const bytes = stored.subarray(start, start + 5 * MiB)
        const sha = createHash('sha256').update(bytes)
        assert.equal(part.headers['x-amz-checksum-sha256'], sha.copy().digest('base64'))
        assert.equal(part.headers['x-amz-content-sha256'], sha.digest('hex'))
      }
      assert.equal(createHash('sha256').update(stored).digest('hex'), source.digest())
      assert.isAtMost(most, 2)
      assert.isAtLeast(most, 1)
      assert.isFalse(reusedInFlight)
      // Five parts in at most three buffers: two in flight, one filling.
      assert.isAtMost(buffersUsed.size, 3)
    } finally {
      store.client.middlewareStack.remove('countPartsInFlight')
    }
  })

  test('while queueSize parts upload, the next part is read: it leaves as soon as a slot frees', async ({
    assert,
  }) => {
    // The parts are held in flight until the source has given a third part
    // (queueSize is 2): only a reader that works ahead of the uploads lets
    // them go before the deadline.
    const source = deterministicStream(17 * MiB)
    let pulled = 0
    let thirdPartRead: () => void
    const readAhead = new Promise<void>((resolve) => (thirdPartRead = resolve))
    source.stream.on('data', (chunk: Buffer) => {
      pulled += chunk.length
      if (pulled >= 15 * MiB) thirdPartRead()
    })
    source.stream.pause()
    const pulledAtPart: number[] = []
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'UploadPartCommand') return next(args)
        const partNumber = (args.input as { PartNumber: number }).PartNumber
        pulledAtPart[partNumber] = pulled
        if (partNumber <= 2) await withDeadline(readAhead, 30_000, 'the third part read ahead')
        return next(args)
      },
      { step: 'initialize', name: 'holdFirstParts' }
    )
    try {
      await store.putStream('parts/read-ahead.bin', source.stream)
      // The third part was read before either of the first two was sent on.
      assert.isAtLeast(pulled, 17 * MiB)
      assert.isBelow(pulledAtPart[1], 10 * MiB)
      const { body } = await store.get('parts/read-ahead.bin')
      const { hash } = await sha256Of(body)
      assert.equal(hash, source.digest())
      assert.lengthOf(await store.listMultipartUploads(), 0)
    } finally {
      store.client.middlewareStack.remove('holdFirstParts')
    }
  })

  test('a failing source aborts the upload: the old object stays, nothing left open', async ({
    assert,
  }) => {
    await store.put('victim.bin', 'the old content')
    const error = await store.putStream('victim.bin', failingStream(12 * MiB)).then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    assert.include(error.message, 'the source stream failed: client hung up')
    assert.equal(error.cause?.message, 'client hung up')
    assert.isTrue(requests.some(isPart))
    assert.isTrue(requests.some((r) => r.method === 'DELETE' && 'uploadId' in r.query))
    assert.lengthOf(await store.listMultipartUploads(), 0)
    const { body } = await store.get('victim.bin')
    assert.equal(
      Buffer.concat(await Array.fromAsync(body as AsyncIterable<Buffer>)).toString(),
      'the old content'
    )
  })

  test('a part S3 refuses aborts the upload and names the failure (fault injected: S3 500)', async ({
    assert,
  }) => {
    // s3rver cannot be made to fail one part on demand: this middleware
    // answers the third part with S3's 500, in place of the server.
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { PartNumber?: number }
        if (context.commandName === 'UploadPartCommand' && input.PartNumber === 3) {
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
            name: 'InternalError',
            $metadata: { httpStatusCode: 500 },
          })
        }
        return next(args)
      },
      { step: 'initialize', name: 'failThirdPart' }
    )
    try {
      const error = await store.putStream('refused.bin', deterministicStream(20 * MiB).stream).then(
        () => null,
        (e) => e
      )
      assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
      assert.equal(error.cause?.name, 'InternalError')
      assert.isTrue(requests.some((r) => r.method === 'DELETE' && 'uploadId' in r.query))
      assert.lengthOf(await store.listMultipartUploads(), 0)
      assert.isFalse(
        await store.head('refused.bin').then(
          () => true,
          () => false
        )
      )
    } finally {
      store.client.middlewareStack.remove('failThirdPart')
    }
  })

  test('an abort signal mid-upload cancels the parts and aborts the upload', async ({ assert }) => {
    const controller = new AbortController()
    const source = deterministicStream(40 * MiB)
    let read = 0
    source.stream.on('data', (chunk: Buffer) => {
      read += chunk.length
      if (read >= 12 * MiB) controller.abort(new Error('the user cancelled'))
    })
    const error = await store
      .putStream('cancelled.bin', source.stream, { signal: controller.signal })
      .then(
        () => null,
        (e) => e
      )
    assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    assert.include(error.message, 'aborted')
    assert.lengthOf(await store.listMultipartUploads(), 0)
    assert.isFalse(
      await store.head('cancelled.bin').then(
        () => true,
        () => false
      )
    )
  })
})

test.group('S3 store | copies above the threshold use UploadPartCopy (s3rver)', (group) => {
  let s3: S3Server
  let requests: SentRequest[]
  let store: S3Store
  group.setup(async () => {
    s3 = await startS3Server()
    const client = s3.client()
    requests = recordRequests(client)
    // 5 GiB is more than s3rver should hold here: the threshold is lowered
    // to 6 MiB, the path is the same.
    store = new S3Store({ client, bucket: s3.bucket, copyThreshold: 6 * MiB })
    return async () => {
      client.destroy()
      await s3.stop()
    }
  })
  group.each.setup(() => {
    requests.length = 0
  })

  const copiedParts = () =>
    requests.filter((r) => isPart(r) && typeof r.headers['x-amz-copy-source'] === 'string')

  test('above it: parts copied with UploadPartCopy, same bytes and metadata', async ({
    assert,
  }) => {
    const source = deterministicStream(15 * MiB)
    await store.putStream('copy/big source.bin', source.stream, {
      contentType: 'video/mp4',
      cacheControl: 'max-age=60',
      metadata: { owner: 'alice' },
    })
    requests.length = 0
    await store.copy('copy/big source.bin', 'copy/big copy.bin')
    const parts = copiedParts()
    assert.deepEqual(parts.map((part) => part.headers['x-amz-copy-source-range']).sort(), [
      'bytes=0-6291455',
      'bytes=12582912-15728639',
      'bytes=6291456-12582911',
    ])
    assert.isFalse(
      requests.some((r) => r.method === 'PUT' && !isPart(r)),
      'no CopyObject was sent'
    )
    const copy = await store.head('copy/big copy.bin')
    assert.equal(copy.size, 15 * MiB)
    assert.equal(copy.contentType, 'video/mp4')
    assert.equal(copy.cacheControl, 'max-age=60')
    assert.deepEqual(copy.metadata, { owner: 'alice' })
    const copied = await store.get('copy/big copy.bin')
    const read = await sha256Of(copied.body)
    assert.equal(read.hash, source.digest())
    assert.lengthOf(await store.listMultipartUploads(), 0)
  })

  test('at or below it: one CopyObject', async ({ assert }) => {
    await store.put('copy/small.txt', 'small')
    requests.length = 0
    await store.copy('copy/small.txt', 'copy/small copy.txt')
    assert.lengthOf(copiedParts(), 0)
    assert.isTrue(
      requests.some((r) => r.method === 'PUT' && typeof r.headers['x-amz-copy-source'] === 'string')
    )
  })

  test('a source changed between parts fails the copy, which leaves nothing open', async ({
    assert,
  }) => {
    await store.putStream('copy/moving.bin', deterministicStream(13 * MiB).stream)
    const error = await store
      .copy('copy/moving.bin', 'copy/moving copy.bin', {
        ifMatch: '"0123456789abcdef0123456789abcdef"',
      })
      .then(
        () => null,
        (e) => e
      )
    assert.equal(error?.cause?.$metadata?.httpStatusCode, 412)
    assert.lengthOf(await store.listMultipartUploads(), 0)
    assert.isFalse(
      await store.head('copy/moving copy.bin').then(
        () => true,
        () => false
      )
    )
  })
})

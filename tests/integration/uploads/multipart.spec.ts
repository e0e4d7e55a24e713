import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { LocalStore } from '../../../src/store/local_store.ts'
import { S3Store } from '../../../src/store/s3_store.ts'
import type { ObjectStore } from '../../../src/store/types.ts'
import type { DirectUploadOptions, MultipartUploadTarget } from '../../../src/uploads/types.ts'
import { sha256Of } from '../../helpers/direct_upload.ts'
import { driverFixture } from '../../helpers/driver_factory.ts'
import { startUploadRoute } from '../../helpers/upload_route.ts'

/*
 * Multipart direct uploads of docs/uploads.md, on s3rver (over HTTP, its
 * own process) and on the local store behind its upload route: the same
 * calls, the same refusals. s3rver checks neither signatures nor
 * checksums, so there confirm is what catches other bytes.
 */

const SECRET = 'the app key of the test app, 32 chars'
const MIB = 1024 * 1024
const PART = 5 * MIB
const ALICE = 1
const BOB = 2

type Disk = {
  name: string
  driver: DjamazingDriver
  store: ObjectStore
  /**
   * The clock of the store's upload route (the local store's; s3rver
   * checks no expiry).
   */
  clock: { now: Date }
  stop(): Promise<void>
}

const uploadOptions: DirectUploadOptions = {
  secrets: [SECRET],
  multipartThreshold: MIB,
  partSize: PART,
  expiresIn: '10m',
  multipartExpiresIn: '1h',
  confirmWithin: '1h',
  maxSize: 100 * MIB,
}

async function onS3rver(): Promise<Disk> {
  const fixture = await driverFixture()
  return {
    name: 's3rver',
    driver: fixture.driver({ prefix: 'uploads/', uploads: uploadOptions }),
    store: new S3Store({ client: fixture.client, bucket: fixture.s3.bucket }),
    clock: { now: new Date() },
    stop: () => fixture.stop(),
  }
}

async function onLocalStore(): Promise<Disk> {
  const root = await mkdtemp(join(tmpdir(), 'djamazing-multipart-'))
  const clock = { now: new Date() }
  const route = await startUploadRoute({ root, bucket: 'bucket-a', secret: SECRET, clock })
  return {
    name: 'local store',
    driver: new DjamazingDriver({
      store: 'local',
      bucket: 'bucket-a',
      mode: 'public',
      prefix: 'uploads/',
      cdnUrl: route.base,
      localStore: { root, uploadSecret: SECRET },
      uploads: uploadOptions,
    }),
    store: new LocalStore({ root, bucket: 'bucket-a', createBucket: false }),
    clock,
    async stop() {
      route.stop()
      await rm(root, { recursive: true, force: true })
    },
  }
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

for (const [label, makeDisk] of [
  ['s3rver', onS3rver],
  ['the local store', onLocalStore],
] as const) {
  test.group(`Direct uploads | multipart on ${label}`, (group) => {
    let disk: Disk
    group.each.setup(async () => {
      disk = await makeDisk()
      return () => disk.stop()
    })

    /**
     * A multipart upload of `size` random bytes started for alice.
     */
    async function started(size = 2 * PART + 1000) {
      const body = randomBytes(size)
      const key = `alice/${randomBytes(6).toString('hex')}.bin`
      const target = await disk.driver.startUpload(key, {
        userId: ALICE,
        contentType: 'application/octet-stream',
        size,
        now: disk.clock.now,
      })
      if (target.method !== 'multipart') throw new Error('expected a multipart upload')
      const partBytes = (partNumber: number) =>
        body.subarray((partNumber - 1) * target.partSize, partNumber * target.partSize)
      const checksums = Array.from({ length: target.partCount }, (_, index) =>
        sha256Of(partBytes(index + 1))
      )
      return { body, key, target, partBytes, checksums }
    }

    type Started = Awaited<ReturnType<typeof started>>

    /**
     * Signs part `partNumber` for alice and PUTs `bytes` (its own by
     * default) with the signed headers; the store's status.
     */
    async function sendPart(upload: Started, partNumber: number, bytes?: Uint8Array) {
      const part = await disk.driver.signUploadPart(upload.target.token, {
        userId: ALICE,
        partNumber,
        checksum: upload.checksums[partNumber - 1],
        now: disk.clock.now,
      })
      const response = await fetch(part.url, {
        method: part.method,
        headers: part.headers,
        body: bytes ?? upload.partBytes(partNumber),
      })
      await response.arrayBuffer()
      return response.status
    }

    const openUploads = async () => {
      const uploads = await disk.store.listMultipartUploads('uploads/pending-uploads/')
      return uploads.length
    }
    const pendingObjects = async () => {
      const page = await disk.store.list({ prefix: 'uploads/pending-uploads/' })
      return page.objects.length
    }

    test('parts signed one by one, listed, completed: the stored object is the file', async ({
      assert,
    }) => {
      const upload = await started()
      assert.equal(upload.target.partCount, 3)
      assert.equal(upload.target.partSize, PART)
      for (const partNumber of [1, 2, 3]) assert.equal(await sendPart(upload, partNumber), 200)

      const listed = await disk.driver.listUploadParts(upload.target.token, { userId: ALICE })
      assert.deepEqual(
        listed.map((part) => [part.partNumber, part.size]),
        [
          [1, PART],
          [2, PART],
          [3, 1000],
        ]
      )
      const confirmed = await disk.driver.completeUpload(upload.target.token, {
        userId: ALICE,
        checksums: upload.checksums,
      })
      assert.equal(confirmed.key, upload.key)
      assert.equal(confirmed.size, upload.body.length)
      assert.match(confirmed.checksum, /-3$/)
      assert.equal(sha256Hex(await disk.driver.getBytes(upload.key)), sha256Hex(upload.body))
      const stored = await disk.driver.getMetaData(upload.key)
      assert.equal(stored.contentType, 'application/octet-stream')
      assert.equal(await openUploads(), 0)
      assert.equal(await pendingObjects(), 0)
    })

    test("the app's Content-Disposition is fixed at create: parts cannot change it, the file keeps it", async ({
      assert,
    }) => {
      const disposition = 'attachment; filename="report.pdf"'
      // Small enough for one PUT: a disposition makes it multipart.
      const body = randomBytes(1000)
      const key = `alice/${randomBytes(6).toString('hex')}.pdf`
      const target = await disk.driver.startUpload(key, {
        userId: ALICE,
        contentType: 'application/pdf',
        contentDisposition: disposition,
        size: body.length,
        checksum: sha256Of(body),
        now: disk.clock.now,
      })
      assert.equal(target.method, 'multipart')
      if (target.method !== 'multipart') return
      const checksum = sha256Of(body)
      const part = await disk.driver.signUploadPart(target.token, {
        userId: ALICE,
        partNumber: 1,
        checksum,
        now: disk.clock.now,
      })
      // A browser adding its own disposition to the part: not signed, not
      // kept.
      const response = await fetch(part.url, {
        method: part.method,
        headers: { ...part.headers, 'content-disposition': 'inline; filename="page.html"' },
        body,
      })
      await response.arrayBuffer()
      assert.equal(response.status, 200)
      await disk.driver.completeUpload(target.token, { userId: ALICE, checksums: [checksum] })
      const stored = await disk.store.head(`uploads/${key}`)
      assert.equal(stored.contentDisposition, disposition)
      assert.equal(stored.contentType, 'application/pdf')
      assert.equal(sha256Hex(await disk.driver.getBytes(key)), sha256Hex(body))

      for (const bad of ['attachment;\r\nx-evil: 1', 'attachment; filename="résumé.pdf"', '']) {
        const error = await disk.driver
          .startUpload(key, {
            userId: ALICE,
            contentType: 'application/pdf',
            contentDisposition: bad,
            size: body.length,
            checksum,
          })
          .catch((caught) => caught)
        assert.equal(error.code, 'E_DJAMAZING_INVALID_UPLOAD', bad)
        assert.equal(error.status, 400)
      }
    })

    test('a resumed upload sends only the parts the store does not hold', async ({ assert }) => {
      const upload = await started()
      await sendPart(upload, 1)
      await sendPart(upload, 3)
      const held = await disk.driver.listUploadParts(upload.target.token, { userId: ALICE })
      const missing = [1, 2, 3].filter((n) => !held.some((part) => part.partNumber === n))
      assert.deepEqual(missing, [2])
      for (const partNumber of missing) await sendPart(upload, partNumber)
      await disk.driver.completeUpload(upload.target.token, {
        userId: ALICE,
        checksums: upload.checksums,
      })
      assert.equal(sha256Hex(await disk.driver.getBytes(upload.key)), sha256Hex(upload.body))
    })

    test('bob cannot list, sign parts for, complete or abort alice upload (403)', async ({
      assert,
    }) => {
      const upload = await started()
      await sendPart(upload, 1)
      const token = upload.target.token
      const attempts = [
        disk.driver.listUploadParts(token, { userId: BOB }),
        disk.driver.signUploadPart(token, {
          userId: BOB,
          partNumber: 2,
          checksum: upload.checksums[1],
        }),
        disk.driver.completeUpload(token, { userId: BOB, checksums: upload.checksums }),
        disk.driver.abortUpload(token, { userId: BOB }),
      ]
      for (const attempt of attempts) {
        const error = await attempt.catch((e) => e)
        assert.equal(error.code, 'E_DJAMAZING_UPLOAD_FORBIDDEN')
        assert.equal(error.status, 403)
      }
      // Alice's upload is untouched.
      const held = await disk.driver.listUploadParts(token, { userId: ALICE })
      assert.deepEqual(
        held.map((part) => part.partNumber),
        [1]
      )
    })

    test('a forged or edited token is 400', async ({ assert }) => {
      const upload = await started()
      const [body, mac] = upload.target.token.split('.')
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString())
      // The declared size, 1 GiB more: parts beyond the file could be signed.
      claims[5] += 1024 * MIB
      const edited = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${mac}`
      const forged = `${body}.${randomBytes(32).toString('base64url')}`
      for (const token of [edited, forged, 'not a token']) {
        const error = await disk.driver
          .signUploadPart(token, { userId: ALICE, partNumber: 1, checksum: upload.checksums[0] })
          .catch((e) => e)
        assert.equal(error.code, 'E_DJAMAZING_INVALID_UPLOAD')
        assert.equal(error.status, 400)
      }
    })

    test('an expired token is 410: parts, listing, completing', async ({ assert }) => {
      const upload = await started()
      const start = disk.clock.now.getTime()
      const token = upload.target.token
      const afterSigning = new Date(start + 3601 * 1000)
      const signing = await disk.driver
        .signUploadPart(token, {
          userId: ALICE,
          partNumber: 1,
          checksum: upload.checksums[0],
          now: afterSigning,
        })
        .catch((e) => e)
      assert.equal(signing.status, 410)
      // Past the signing window, completing still works within confirmWithin.
      const stillListed = await disk.driver.listUploadParts(token, {
        userId: ALICE,
        now: afterSigning,
      })
      assert.deepEqual(stillListed, [])
      const afterConfirm = new Date(start + 7201 * 1000)
      for (const late of [
        disk.driver.listUploadParts(token, { userId: ALICE, now: afterConfirm }),
        disk.driver.completeUpload(token, {
          userId: ALICE,
          checksums: upload.checksums,
          now: afterConfirm,
        }),
      ]) {
        const error = await late.catch((e) => e)
        assert.equal(error.code, 'E_DJAMAZING_UPLOAD_EXPIRED')
        assert.equal(error.status, 410)
      }
    })

    test('no part beyond the declared size can be signed; each part URL signs its exact length', async ({
      assert,
    }) => {
      const upload = await started()
      for (const partNumber of [0, 4, 1.5, -1, 10_001]) {
        const error = await disk.driver
          .signUploadPart(upload.target.token, {
            userId: ALICE,
            partNumber,
            checksum: upload.checksums[0],
          })
          .catch((e) => e)
        assert.equal(error.code, 'E_DJAMAZING_INVALID_UPLOAD', `part ${partNumber}`)
      }
      const last = await disk.driver.signUploadPart(upload.target.token, {
        userId: ALICE,
        partNumber: 3,
        checksum: upload.checksums[2],
      })
      assert.equal(last.size, 1000)
      const signedHeaders = new URL(last.url).searchParams.get('X-Amz-SignedHeaders')
      if (signedHeaders !== null) {
        assert.includeMembers(signedHeaders.split(';'), ['content-length', 'x-amz-checksum-sha256'])
      }
    })

    test('a part whose bytes differ from its checksum: the upload is refused at complete, nothing left', async ({
      assert,
    }) => {
      const upload = await started()
      await sendPart(upload, 1)
      const other = randomBytes(PART)
      const status = await sendPart(upload, 2, other)
      await sendPart(upload, 3)
      if (disk.name === 'local store') {
        assert.equal(status, 400, 'the local store checks the signed SHA-256 (BadDigest)')
      }
      const error = await disk.driver
        .completeUpload(upload.target.token, { userId: ALICE, checksums: upload.checksums })
        .catch((e) => e)
      assert.equal(error.code, 'E_DJAMAZING_UPLOAD_REJECTED')
      assert.equal(error.status, 422)
      assert.isFalse(await disk.driver.exists(upload.key))
      assert.equal(await openUploads(), 0)
      assert.equal(await pendingObjects(), 0)
    })

    test('checksums other than the parts hashed are refused at complete', async ({ assert }) => {
      const upload = await started()
      for (const partNumber of [1, 2, 3]) await sendPart(upload, partNumber)
      const claimed = [...upload.checksums]
      claimed[0] = sha256Of(randomBytes(16))
      const error = await disk.driver
        .completeUpload(upload.target.token, { userId: ALICE, checksums: claimed })
        .catch((e) => e)
      assert.equal(error.status, 422)
      assert.equal(await openUploads(), 0)
      assert.equal(await pendingObjects(), 0)
    })

    test('a missing part is refused at complete', async ({ assert }) => {
      const upload = await started()
      await sendPart(upload, 1)
      await sendPart(upload, 3)
      const error = await disk.driver
        .completeUpload(upload.target.token, { userId: ALICE, checksums: upload.checksums })
        .catch((e) => e)
      assert.equal(error.status, 422)
      assert.match(error.message, /2 of 3 parts/)
      assert.equal(await openUploads(), 0)
    })

    test('abort deletes the parts; the token then finds nothing', async ({ assert }) => {
      const upload = await started()
      await sendPart(upload, 1)
      assert.equal(await openUploads(), 1)
      await disk.driver.abortUpload(upload.target.token, { userId: ALICE })
      assert.equal(await openUploads(), 0)
      assert.equal(await pendingObjects(), 0)
      const error = await disk.driver
        .listUploadParts(upload.target.token, { userId: ALICE })
        .catch((e) => e)
      assert.equal(error.status, 422)
      // Aborting twice is fine.
      await disk.driver.abortUpload(upload.target.token, { userId: ALICE })
    })

    test('prune aborts multipart uploads started before the cutoff, and only those', async ({
      assert,
    }) => {
      const upload = await started()
      await sendPart(upload, 1)
      assert.deepEqual(await disk.driver.prunePendingUploads({ olderThan: '1h' }), [])
      assert.equal(await openUploads(), 1)
      const later = new Date(Date.now() + 2 * 3600 * 1000)
      const pruned = await disk.driver.prunePendingUploads({ olderThan: '1h', now: later })
      assert.lengthOf(pruned, 1)
      assert.equal(await openUploads(), 0)
    })

    test('below the threshold with a checksum: one PUT; without a checksum: multipart', async ({
      assert,
    }) => {
      const small = randomBytes(1000)
      const put = await disk.driver.startUpload('alice/small.bin', {
        userId: ALICE,
        contentType: 'application/octet-stream',
        size: small.length,
        checksum: sha256Of(small),
      })
      assert.equal(put.method, 'PUT')
      const multipart = (await disk.driver.startUpload('alice/small2.bin', {
        userId: ALICE,
        contentType: 'application/octet-stream',
        size: small.length,
      })) as MultipartUploadTarget
      assert.equal(multipart.method, 'multipart')
      assert.equal(multipart.partCount, 1)
      const single = (await disk.driver
        .confirmUpload(multipart.token, { userId: ALICE })
        .catch((e) => e)) as Error & { status: number }
      assert.equal(single.status, 400)
    })
  })
}

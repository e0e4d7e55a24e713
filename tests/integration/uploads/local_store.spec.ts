import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { text } from 'node:stream/consumers'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { LocalStore } from '../../../src/store/local_store.ts'
import {
  asPut,
  pendingKeyOf,
  putStatus,
  putToTarget,
  sha256Of,
} from '../../helpers/direct_upload.ts'
import { startUploadRoute } from '../../helpers/upload_route.ts'

/*
 * The direct uploads of docs/uploads.md on the local store of development:
 * the store itself refuses what S3 refuses (its upload route checks the
 * signed type, length, SHA-256 and expiry), and confirm behaves as on S3.
 */

const SECRET = 'the app key of the test app, 32 chars'
const BUCKET = 'bucket-a'
const ALICE = 1
const BOB = 2

/**
 * A local store disk and its upload route, the route's clock frozen at
 * `clock.now`.
 */
async function startLocalDisk() {
  const root = await mkdtemp(join(tmpdir(), 'djamazing-direct-'))
  const clock = { now: new Date() }
  const route = await startUploadRoute({ root, bucket: BUCKET, secret: SECRET, clock })
  const driver = new DjamazingDriver({
    store: 'local',
    bucket: BUCKET,
    mode: 'public',
    prefix: 'uploads/',
    cdnUrl: route.base,
    localStore: { root, uploadSecret: SECRET },
    uploads: { secrets: [SECRET] },
  })
  return {
    root,
    clock,
    driver,
    file: (objectKey: string) => join(root, BUCKET, ...objectKey.split('/')),
    async stop() {
      route.stop()
      await rm(root, { recursive: true, force: true })
    },
  }
}

test.group('Direct uploads | on the local store', (group) => {
  let disk: Awaited<ReturnType<typeof startLocalDisk>>
  group.each.setup(async () => {
    disk = await startLocalDisk()
    return () => disk.stop()
  })

  async function started(size = 1000) {
    const body = randomBytes(size)
    const key = `alice/${randomBytes(6).toString('hex')}.png`
    const target = asPut(
      await disk.driver.startUpload(key, {
        userId: ALICE,
        contentType: 'image/png',
        size,
        checksum: sha256Of(body),
        now: disk.clock.now,
      })
    )
    return { body, key, target, pendingKey: pendingKeyOf(target, 'cdn') }
  }

  const exists = (key: string) => disk.driver.exists(key)

  /**
   * The store refused the PUT; confirm then finds nothing and answers 422.
   */
  async function assertNothingToConfirm(assert: any, token: string, key: string) {
    const error = await disk.driver.confirmUpload(token, { userId: ALICE }).catch((e) => e)
    assert.equal(error.code, 'E_DJAMAZING_UPLOAD_REJECTED')
    assert.equal(error.status, 422)
    assert.isFalse(await exists(key))
  }

  test('the PUT goes to the upload route; confirm moves the file to its key', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started()
    assert.match(pendingKey, /^uploads\/pending-uploads\/[0-9a-f-]{36}$/)
    assert.equal(
      new URL(target.url).searchParams.get('X-Djamazing-SignedHeaders'),
      'content-length;content-type;x-amz-checksum-sha256'
    )
    assert.equal(await putStatus(target, body), 200)
    assert.deepEqual(await readFile(disk.file(pendingKey)), body)

    const confirmed = await disk.driver.confirmUpload(target.token, { userId: ALICE })
    assert.equal(confirmed.key, key)
    assert.deepEqual(Buffer.from(await disk.driver.getBytes(key)), body)
    assert.isFalse(await exists(pendingKey.slice('uploads/'.length)))
  })

  test('another size, another type, other bytes: the store refuses them, confirm finds nothing', async ({
    assert,
  }) => {
    const { body, key, target } = await started(1000)
    const bigger = await putToTarget(target, randomBytes(2000))
    assert.equal(bigger.status, 403)
    assert.include(await bigger.text(), 'SignatureDoesNotMatch')

    const html = await putToTarget(target, body, { 'content-type': 'text/html' })
    assert.equal(html.status, 403)

    // Other bytes with the signed checksum: the store hashes them.
    const other = randomBytes(1000)
    const digest = await putToTarget(target, other)
    assert.equal(digest.status, 400)
    assert.include(await digest.text(), 'BadDigest')
    // Other bytes with their own checksum: not the signed header.
    const resigned = await putToTarget(target, other, { 'x-amz-checksum-sha256': sha256Of(other) })
    assert.equal(resigned.status, 403)

    await assertNothingToConfirm(assert, target.token, key)
  })

  test('an expired target is refused by the store (clock frozen past it)', async ({ assert }) => {
    const { body, key, target } = await started()
    disk.clock.now = new Date(target.expiresAt.getTime() + 1000)
    const late = await putToTarget(target, body)
    assert.equal(late.status, 403)
    assert.include(await late.text(), 'Request has expired')
    await assertNothingToConfirm(assert, target.token, key)
  })

  test('a second PUT after confirm is stored as pending again; confirming it again is refused', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started()
    await putToTarget(target, body)
    await disk.driver.confirmUpload(target.token, { userId: ALICE })
    assert.equal(await putStatus(target, body), 200)
    const error = await disk.driver.confirmUpload(target.token, { userId: ALICE }).catch((e) => e)
    assert.equal(error.status, 422)
    assert.match(error.message, /already taken/)
    assert.isFalse(await exists(pendingKey.slice('uploads/'.length)))
    assert.deepEqual(Buffer.from(await disk.driver.getBytes(key)), body)
  })

  test('50 concurrent confirms: one succeeds, the rest 409; the final copy is exclusive in the file system itself', async ({
    assert,
  }) => {
    const { body, key, target } = await started()
    assert.equal(await putStatus(target, body), 200)
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => disk.driver.confirmUpload(target.token, { userId: ALICE }))
    )
    assert.lengthOf(
      results.filter((result) => result.status === 'fulfilled'),
      1
    )
    for (const result of results) {
      if (result.status === 'rejected') assert.equal(result.reason.status, 409)
    }
    assert.deepEqual(Buffer.from(await disk.driver.getBytes(key)), body)

    // What holds across app processes: an exclusive create, one winner,
    // also between stores that do not share their in-process queue.
    const store = new LocalStore({ root: disk.root, bucket: BUCKET })
    await store.put('race/source', 'the source')
    const copies = await Promise.all(
      Array.from({ length: 50 }, () =>
        new LocalStore({ root: disk.root, bucket: BUCKET })
          .copy('race/source', 'race/destination', { ifNoneMatch: '*' })
          .then(
            () => true,
            (error) => {
              if (error.cause?.$metadata?.httpStatusCode === 412) return false
              throw error
            }
          )
      )
    )
    assert.lengthOf(
      copies.filter((copied) => copied),
      1
    )
    const copied = await store.get('race/destination')
    assert.equal(await text(copied.body), 'the source')
  })

  test("bob cannot confirm alice's upload (403), and it stays for her", async ({ assert }) => {
    const { body, key, target } = await started()
    await putToTarget(target, body)
    const error = await disk.driver.confirmUpload(target.token, { userId: BOB }).catch((e) => e)
    assert.equal(error.status, 403)
    await disk.driver.confirmUpload(target.token, { userId: ALICE })
    assert.isTrue(await exists(key))
  })

  test('pruning deletes pending uploads past the limit, never confirmed files', async ({
    assert,
  }) => {
    const pending = await started()
    await putToTarget(pending.target, pending.body)
    const confirmed = await started()
    await putToTarget(confirmed.target, confirmed.body)
    await disk.driver.confirmUpload(confirmed.target.token, { userId: ALICE })
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000)
    await utimes(disk.file(`uploads/${confirmed.key}`), twoDaysAgo, twoDaysAgo)

    assert.deepEqual(await disk.driver.prunePendingUploads({ olderThan: '1d' }), [])
    const deleted = await disk.driver.prunePendingUploads({
      olderThan: '1d',
      now: new Date(Date.now() + 2 * 86_400_000),
    })
    assert.deepEqual(deleted, [pending.pendingKey])
    assert.isTrue(await exists(confirmed.key))
  })
})

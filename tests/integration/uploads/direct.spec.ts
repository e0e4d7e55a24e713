import { randomBytes } from 'node:crypto'
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { test } from '@japa/runner'
import type { DjamazingDriver } from '../../../src/driver.ts'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'
import {
  asPut,
  pendingKeyOf,
  putStatus,
  putToTarget,
  sha256Of,
} from '../../helpers/direct_upload.ts'
import { SECRET } from '../../helpers/links.ts'
import { expectedSignature } from '../../helpers/sigv4.ts'

const ALICE = 1
const BOB = 2

test.group('Direct uploads | start, PUT to the store, confirm', (group) => {
  let fixture: DriverFixture
  let driver: DjamazingDriver
  group.setup(async () => {
    fixture = await driverFixture()
    driver = fixture.driver({ prefix: 'uploads/', uploads: { secrets: [SECRET] } })
    return () => fixture.stop()
  })

  const exists = async (objectKey: string) => {
    try {
      await fixture.client.send(
        new HeadObjectCommand({ Bucket: fixture.s3.bucket, Key: objectKey })
      )
      return true
    } catch {
      return false
    }
  }
  const credentials = () => fixture.s3.clientConfig.credentials

  /**
   * A started upload of random bytes for alice, and those bytes.
   */
  async function started(size = 1000, contentType = 'image/png', options = {}) {
    const body = randomBytes(size)
    const key = `alice/${randomBytes(8).toString('hex')}.png`
    const target = asPut(
      await driver.startUpload(key, {
        userId: ALICE,
        contentType,
        size,
        checksum: sha256Of(body),
        ...options,
      })
    )
    return { body, key, target, pendingKey: pendingKeyOf(target, fixture.s3.bucket) }
  }

  /**
   * Confirm refuses with 422 and the pending object is gone.
   */
  async function assertRefusedByConfirm(
    assert: any,
    token: string,
    pendingKey: string,
    finalKey: string,
    reason: RegExp
  ) {
    assert.isTrue(await exists(pendingKey), 'the store accepted the PUT')
    const error = await driver.confirmUpload(token, { userId: ALICE }).catch((e) => e)
    assert.equal(error.code, 'E_DJAMAZING_UPLOAD_REJECTED')
    assert.equal(error.status, 422)
    assert.match(error.message, reason)
    assert.isFalse(await exists(pendingKey), 'confirm deleted the pending object')
    assert.isFalse(await exists(`uploads/${finalKey}`))
  }

  test('the target is a PUT under the pending prefix, signing type, length and SHA-256; confirm moves it to its key', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started(2048)
    assert.equal(target.method, 'PUT')
    assert.equal(target.key, key)
    assert.match(pendingKey, /^uploads\/pending-uploads\/[0-9a-f-]{36}$/)
    const params = new URL(target.url).searchParams
    assert.equal(
      params.get('X-Amz-SignedHeaders'),
      'content-length;content-type;host;x-amz-checksum-sha256'
    )
    assert.equal(params.get('X-Amz-Expires'), '600')
    assert.deepEqual(target.headers, {
      'content-type': 'image/png',
      'x-amz-checksum-sha256': sha256Of(body),
    })
    // The request the browser sends is the one that was signed.
    assert.equal(
      await expectedSignature(
        target.url,
        { ...target.headers, 'content-length': String(body.length) },
        credentials()
      ),
      params.get('X-Amz-Signature')
    )

    assert.equal(await putStatus(target, body), 200)
    assert.isFalse(await exists(`uploads/${key}`), 'not final before confirm')
    const confirmed = await driver.confirmUpload(target.token, { userId: String(ALICE) })
    assert.deepEqual(confirmed, {
      key,
      contentType: 'image/png',
      size: 2048,
      checksum: sha256Of(body),
    })
    assert.deepEqual(Buffer.from(await driver.getBytes(key)), body)
    const metaData = await driver.getMetaData(key)
    assert.equal(metaData.contentType, 'image/png')
    assert.isFalse(await exists(pendingKey))
  })

  test('another size: S3 refuses it through the signature; confirm deletes it and answers 422', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started(1000)
    const bigger = randomBytes(5000)
    const signed = new URL(target.url).searchParams.get('X-Amz-Signature')
    assert.notEqual(
      await expectedSignature(
        target.url,
        { ...target.headers, 'content-length': String(bigger.length) },
        credentials()
      ),
      signed
    )
    assert.lengthOf(body, 1000)
    // s3rver checks no signature: it stores the wrong size, confirm catches it.
    assert.equal(await putStatus(target, bigger), 200)
    await assertRefusedByConfirm(assert, target.token, pendingKey, key, /5000 bytes/)
  })

  test('another type: S3 refuses it through the signature; confirm deletes it and answers 422', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started(1000, 'image/png')
    const headers = { 'content-type': 'text/html' }
    assert.notEqual(
      await expectedSignature(
        target.url,
        { ...target.headers, ...headers, 'content-length': String(body.length) },
        credentials()
      ),
      new URL(target.url).searchParams.get('X-Amz-Signature')
    )
    assert.equal(await putStatus(target, body, headers), 200)
    await assertRefusedByConfirm(assert, target.token, pendingKey, key, /"text\/html"/)
  })

  test('other bytes of the same size: S3 checks them against the signed SHA-256; confirm deletes them and answers 422', async ({
    assert,
  }) => {
    const { key, target, pendingKey } = await started(1000)
    const other = randomBytes(1000)
    // Declaring their real checksum breaks the signature...
    assert.notEqual(
      await expectedSignature(
        target.url,
        { ...target.headers, 'x-amz-checksum-sha256': sha256Of(other), 'content-length': '1000' },
        credentials()
      ),
      new URL(target.url).searchParams.get('X-Amz-Signature')
    )
    // ...and keeping the signed one makes S3 compare it with the body
    // (BadDigest). s3rver does not: confirm recomputes it.
    assert.equal(await putStatus(target, other), 200)
    await assertRefusedByConfirm(assert, target.token, pendingKey, key, /SHA-256 differs/)
  })

  test('an expired target: the store refuses the PUT; stretching its expiry breaks the signature; an object stored late is refused by confirm', async ({
    assert,
  }) => {
    // Started half an hour ago for one minute: still within confirm's window.
    const halfAnHourAgo = new Date(Date.now() - 30 * 60_000)
    const { body, key, target, pendingKey } = await started(1000, 'image/png', {
      now: halfAnHourAgo,
      expiresIn: '1m',
    })
    assert.equal(
      target.expiresAt.getTime(),
      Math.floor(halfAnHourAgo.getTime() / 1000) * 1000 + 60_000
    )
    const put = await putToTarget(target, body)
    assert.equal(put.status, 403)
    assert.include(await put.text(), 'Request has expired')
    assert.notEqual(
      await expectedSignature(
        target.url,
        { ...target.headers, 'content-length': '1000' },
        credentials(),
        { expiresIn: 3 * 3600 }
      ),
      new URL(target.url).searchParams.get('X-Amz-Signature')
    )

    // A store that let it through late: confirm still refuses it.
    await fixture.client.send(
      new PutObjectCommand({
        Bucket: fixture.s3.bucket,
        Key: pendingKey,
        Body: body,
        ContentType: 'image/png',
      })
    )
    await assertRefusedByConfirm(
      assert,
      target.token,
      pendingKey,
      key,
      /stored after its upload target expired/
    )
  })

  test('a second PUT after confirm lands in the pending prefix; confirming it again is refused and the file is unchanged', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started(1000)
    assert.equal(await putStatus(target, body), 200)
    await driver.confirmUpload(target.token, { userId: ALICE })

    assert.equal(await putStatus(target, randomBytes(1000)), 200)
    const error = await driver.confirmUpload(target.token, { userId: ALICE }).catch((e) => e)
    assert.equal(error.status, 422)
    assert.isFalse(await exists(pendingKey))
    assert.deepEqual(Buffer.from(await driver.getBytes(key)), body)
  })

  test('50 concurrent confirms of one token: exactly one succeeds, the rest get 409 saying why', async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started(4096)
    assert.equal(await putStatus(target, body), 200)
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => driver.confirmUpload(target.token, { userId: ALICE }))
    )
    const confirmed = results.filter((result) => result.status === 'fulfilled')
    assert.lengthOf(confirmed, 1)
    for (const result of results) {
      if (result.status === 'fulfilled') continue
      const error = result.reason
      assert.equal(error.code, 'E_DJAMAZING_UPLOAD_CONFLICT', error.message)
      assert.equal(error.status, 409)
      assert.match(error.message, /being confirmed by another request|already confirmed/)
    }
    assert.deepEqual(Buffer.from(await driver.getBytes(key)), body)
    assert.isFalse(await exists(pendingKey))
    // Later confirms of the same token say the same.
    const again = await driver.confirmUpload(target.token, { userId: ALICE }).catch((e) => e)
    assert.equal(again.code, 'E_DJAMAZING_UPLOAD_CONFLICT')
    assert.match(again.message, /already confirmed/)
  })

  test('bytes swapped in after the checks never become the file: what was checked is what is copied', async ({
    assert,
  }) => {
    // s3rver checks no signature and no checksum: anyone holding the PUT
    // URL can store other bytes at any time, as on stores that do not
    // enforce the signed checksum.
    const { body, key, target } = await started(1000)
    assert.equal(await putStatus(target, body), 200)
    const swapped = Buffer.from(`<html><script>alert(1)</script>${'x'.repeat(969)}`)
    const confirmed = await driver.confirmUpload(target.token, {
      userId: ALICE,
      // The app's content check runs last of the checks; the attacker's
      // PUT lands while it runs, before anything is copied.
      checkContent: async (firstBytes) => {
        assert.equal(await putStatus(target, swapped), 200)
        return Buffer.from(firstBytes).equals(body.subarray(0, firstBytes.length))
      },
    })
    assert.equal(confirmed.key, key)
    assert.deepEqual(Buffer.from(await driver.getBytes(key)), body, 'the checked bytes')
  })

  test('a prune while a confirm runs: the confirm answers 422 saying so, never a 500', async ({
    assert,
  }) => {
    const { body, key, target } = await started(1000)
    assert.equal(await putStatus(target, body), 200)
    const error = await driver
      .confirmUpload(target.token, {
        userId: ALICE,
        // Everything under the pending prefix, the copy being checked included.
        checkContent: async () => {
          await driver.prunePendingUploads({ olderThan: 1, now: new Date(Date.now() + 60_000) })
          return true
        },
      })
      .catch((e) => e)
    assert.equal(error.code, 'E_DJAMAZING_UPLOAD_REJECTED', error.message)
    assert.match(error.message, /deleted while it was being confirmed/)
    assert.isFalse(await exists(`uploads/${key}`))
  })

  test("bob cannot confirm alice's upload (403), and his attempt leaves it for her", async ({
    assert,
  }) => {
    const { body, key, target, pendingKey } = await started(1000)
    await putToTarget(target, body)
    const error = await driver.confirmUpload(target.token, { userId: BOB }).catch((e) => e)
    assert.equal(error.code, 'E_DJAMAZING_UPLOAD_FORBIDDEN')
    assert.equal(error.status, 403)
    assert.isTrue(await exists(pendingKey))
    assert.isFalse(await exists(`uploads/${key}`))
    await driver.confirmUpload(target.token, { userId: ALICE })
    assert.isTrue(await exists(`uploads/${key}`))
  })

  test('a tampered, foreign or stale token is refused before the store is touched', async ({
    assert,
  }) => {
    const { body, target, pendingKey } = await started(1000)
    await putToTarget(target, body)
    const [claims, mac] = target.token.split('.')
    const changed = JSON.parse(Buffer.from(claims, 'base64url').toString())
    changed[5] = 999_999 // the size
    for (const token of [
      `${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${mac}`,
      `${claims}.${mac.slice(0, -2)}AA`,
      'not a token',
      '',
    ]) {
      const error = await driver.confirmUpload(token, { userId: ALICE }).catch((e) => e)
      assert.equal(error.code, 'E_DJAMAZING_INVALID_UPLOAD', token)
      assert.equal(error.status, 400)
    }
    const otherDisk = fixture.driver({
      disk: 'other',
      prefix: 'uploads/',
      uploads: { secrets: [SECRET] },
    })
    const foreign = await otherDisk.confirmUpload(target.token, { userId: ALICE }).catch((e) => e)
    assert.equal(foreign.code, 'E_DJAMAZING_INVALID_UPLOAD')
    const otherSecret = fixture.driver({
      prefix: 'uploads/',
      uploads: { secrets: ['another app secret, long enough'] },
    })
    const forged = await otherSecret.confirmUpload(target.token, { userId: ALICE }).catch((e) => e)
    assert.equal(forged.code, 'E_DJAMAZING_INVALID_UPLOAD')

    const late = await driver
      .confirmUpload(target.token, { userId: ALICE, now: new Date(Date.now() + 2 * 3600_000) })
      .catch((e) => e)
    assert.equal(late.code, 'E_DJAMAZING_UPLOAD_EXPIRED')
    assert.equal(late.status, 410)
    assert.isTrue(await exists(pendingKey), 'left to the cleanup')
  })

  test('fractional durations give a token confirm still reads', async ({ assert }) => {
    const short = fixture.driver({
      prefix: 'uploads/',
      uploads: { secrets: [SECRET], expiresIn: '1.5s', confirmWithin: '0.5s' },
    })
    const body = randomBytes(10)
    const target = asPut(
      await short.startUpload('alice/short.bin', {
        userId: ALICE,
        contentType: 'application/octet-stream',
        size: 10,
        checksum: sha256Of(body),
      })
    )
    const error = await short.confirmUpload(target.token, { userId: ALICE }).catch((e) => e)
    assert.equal(error.code, 'E_DJAMAZING_UPLOAD_REJECTED')
    assert.match(error.message, /nothing was uploaded/)
  })

  test("the app's content check sees the first bytes and can refuse them", async ({ assert }) => {
    const { body, key, target, pendingKey } = await started(10_000)
    await putToTarget(target, body)
    let seen: Uint8Array | undefined
    const error = await driver
      .confirmUpload(target.token, {
        userId: ALICE,
        checkContent(firstBytes) {
          seen = firstBytes
          return false
        },
      })
      .catch((e) => e)
    assert.deepEqual(Buffer.from(seen!), body.subarray(0, 4100))
    assert.equal(error.status, 422)
    assert.match(error.message, /content check/)
    assert.isFalse(await exists(pendingKey))
    assert.isFalse(await exists(`uploads/${key}`))
  })

  test('start refuses what it cannot bind: a bad checksum, size or type, a key in the pending prefix', async ({
    assert,
  }) => {
    const small = fixture.driver({ uploads: { secrets: [SECRET], maxSize: 1000 } })
    const valid = {
      userId: ALICE,
      contentType: 'image/png',
      size: 10,
      checksum: sha256Of(randomBytes(10)),
    }
    for (const [key, options] of [
      ['a.png', { checksum: 'abc' }],
      ['a.png', { checksum: Buffer.alloc(32).toString('hex') }],
      ['a.png', { size: 1001 }],
      ['a.png', { size: -1 }],
      ['a.png', { size: 1.5 }],
      ['a.png', { contentType: 'image/png\r\nx-evil: 1' }],
      ['a.png', { contentType: '' }],
      ['a.png', { userId: '' }],
      ['pending-uploads/a.png', {}],
    ] as const) {
      const error = await small.startUpload(key, { ...valid, ...options } as any).catch((e) => e)
      assert.equal(error.code, 'E_DJAMAZING_INVALID_UPLOAD', JSON.stringify(options))
    }
    const traversal = await small.startUpload('../a.png', valid).catch((e) => e)
    assert.equal(traversal.code, 'E_DJAMAZING_INVALID_KEY')

    const error = await fixture
      .driver()
      .startUpload('a.png', valid)
      .catch((e) => e)
    assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.match(error.message, /secret/)
  })
})

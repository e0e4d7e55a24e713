import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { putStatus, sha256Of } from '../../helpers/direct_upload.ts'
import { startUploadRoute } from '../../helpers/upload_route.ts'

/*
 * The local store keeps objects as files. On a case-insensitive or
 * normalising file system (macOS and Windows by default) keys differing
 * only by case or Unicode normalisation would be one file: bob's
 * "Alice/avatar.png" would overwrite alice's "alice/avatar.png". S3 keeps
 * them apart. So the local store refuses such a second key on every
 * machine, this one included (case-sensitive): what works in development
 * works the same on a colleague's Mac.
 */

const SECRET = 'the app key of the test app, 32 chars'
const NFC = 'caf\u00e9.png'
const NFD = 'cafe\u0301.png'

test.group('Local store | keys that one file system would merge', (group) => {
  let root: string
  let driver: DjamazingDriver
  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-spelling-'))
    driver = new DjamazingDriver({
      store: 'local',
      bucket: 'bucket-a',
      mode: 'public',
      prefix: 'media/',
      cdnUrl: 'http://127.0.0.1:1/cdn',
      localStore: { root, uploadSecret: SECRET },
    })
    return () => rm(root, { recursive: true, force: true })
  })

  test('a key differing from a stored one only by case, in any segment, is refused', async ({
    assert,
  }) => {
    await driver.put('alice/avatar.png', 'alice')
    const stored = { 'alice/Avatar.png': 'alice/avatar.png', 'Alice/avatar.png': 'alice' }
    for (const twin of ['alice/Avatar.png', 'Alice/avatar.png', 'ALICE/other.png']) {
      const error = await driver.put(twin, 'bob').catch((e) => e)
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY', twin)
      assert.include(error.message, 'only by case', twin)
      // The message names the stored twin by its path from the bucket.
      const path = stored[twin as keyof typeof stored] ?? 'alice'
      assert.include(error.message, `stored "media/${path}"`, twin)
    }
    assert.equal(await driver.get('alice/avatar.png'), 'alice')
    // The same key again is an overwrite, as on S3.
    await driver.put('alice/avatar.png', 'alice again')
    assert.equal(await driver.get('alice/avatar.png'), 'alice again')
    assert.deepEqual(await readdir(join(root, 'bucket-a', 'media')), ['alice'])
  })

  test('Unicode normalisation: keys are kept as NFC; an NFD key is refused', async ({ assert }) => {
    await driver.put(NFC, 'composed')
    const error = await driver.put(NFD, 'decomposed').catch((e) => e)
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY')
    assert.include(error.message, 'NFC')
    assert.equal(await driver.get(NFC), 'composed')
  })

  test('copy, move and direct uploads are refused the same way', async ({ assert }) => {
    await driver.put('alice/avatar.png', 'alice')
    await driver.put('bob/avatar.png', 'bob')
    for (const attempt of [
      () => driver.copy('bob/avatar.png', 'alice/AVATAR.png'),
      () => driver.move('bob/avatar.png', 'Alice/avatar.png'),
    ]) {
      const error = await attempt().catch((e) => e)
      assert.equal(error?.code ?? error?.cause?.code, 'E_DJAMAZING_INVALID_KEY')
    }
    assert.equal(await driver.get('alice/avatar.png'), 'alice')
    assert.equal(await driver.get('bob/avatar.png'), 'bob')

    // A signed upload URL for a twin key: the store's PUT route refuses it.
    const clock = { now: new Date() }
    const route = await startUploadRoute({ root, bucket: 'bucket-a', secret: SECRET, clock })
    try {
      const uploads = new DjamazingDriver({
        store: 'local',
        bucket: 'bucket-a',
        mode: 'public',
        prefix: 'media/',
        cdnUrl: route.base,
        localStore: { root, uploadSecret: SECRET },
      })
      const body = Buffer.from('bob again')
      const signedFor = (key: string) =>
        uploads.getSignedUploadUrl(key, { contentType: 'image/png', contentLength: body.length })
      const headers = { 'content-type': 'image/png', 'x-amz-checksum-sha256': sha256Of(body) }
      const carol = await signedFor('carol/avatar.png')
      assert.equal(await putStatus({ url: carol, method: 'PUT', headers }, body), 200)
      const url = await signedFor('Alice/avatar.png')
      const status = await putStatus(
        {
          url,
          method: 'PUT',
          headers: { 'content-type': 'image/png', 'x-amz-checksum-sha256': sha256Of(body) },
        },
        body
      )
      assert.equal(status, 400)
      assert.equal(await driver.get('alice/avatar.png'), 'alice')
    } finally {
      route.stop()
    }
  })
})

import { randomBytes } from 'node:crypto'
import { utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import DjamazingUploadsPrune from '../../../commands/djamazing_uploads_prune.ts'
import type { DjamazingDriver } from '../../../src/driver.ts'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'
import {
  asPut,
  documentedBlock,
  pendingKeyOf,
  putToTarget,
  sha256Of,
} from '../../helpers/direct_upload.ts'

const DAY = 86_400_000

/**
 * The lifecycle rule of docs/uploads.md (set with the `aws s3api
 * put-bucket-lifecycle-configuration` command shown there), and its
 * `node ace djamazing:uploads:prune` command line.
 */
const [LIFECYCLE] = JSON.parse(documentedBlock('"Rules"')).Rules
const COMMAND_LINE = documentedBlock('node ace djamazing:uploads:prune').trim().split(' ')

test.group('Direct uploads | pruning pending uploads', (group) => {
  let app: AdonisTestApp
  let driver: DjamazingDriver
  group.setup(async () => {
    app = await startAdonisApp()
    driver = app.drive.use('uploads').driver as DjamazingDriver
    return () => app.stop()
  })

  /**
   * Makes an object look stored at `date`: s3rver reports its file's
   * modification time as LastModified, as S3 reports the time of the PUT.
   */
  async function storedAt(objectKey: string, date: Date) {
    const parts = objectKey.split('/')
    const file = `${parts.pop()}._S3rver_object`
    await utimes(join(app.s3.directory, app.s3.bucket, ...parts, file), date, date)
  }

  async function uploaded(confirm: boolean) {
    const body = randomBytes(100)
    const key = `1/${randomBytes(6).toString('hex')}.bin`
    const target = asPut(
      await driver.startUpload(key, {
        userId: 1,
        contentType: 'application/octet-stream',
        size: body.length,
        checksum: sha256Of(body),
      })
    )
    await putToTarget(target, body)
    if (confirm) await driver.confirmUpload(target.token, { userId: 1 })
    return { key, pendingKey: pendingKeyOf(target, app.s3.bucket) }
  }

  const exists = (key: string) => app.drive.use('uploads').exists(key)
  const pendingExists = async (pendingKey: string) =>
    app.drive.use('uploads').exists(pendingKey.slice('uploads/'.length))

  test('the ace command deletes pending uploads past the limit; fresh ones and confirmed files stay', async ({
    assert,
  }) => {
    const old = await uploaded(false)
    const fresh = await uploaded(false)
    const confirmed = await uploaded(true)
    const twoDaysAgo = new Date(Date.now() - 2 * DAY)
    await storedAt(old.pendingKey, twoDaysAgo)
    await storedAt(`uploads/${confirmed.key}`, twoDaysAgo)

    const ace = await app.app.container.make('ace')
    const command = await ace.create(DjamazingUploadsPrune, [])
    command.ui.switchMode('raw')
    await command.exec()
    assert.equal(command.exitCode, 0)

    assert.isFalse(await pendingExists(old.pendingKey))
    assert.isTrue(await pendingExists(fresh.pendingKey))
    assert.isTrue(await exists(confirmed.key))
    const logs = command.logger.getLogs().map((log) => log.message)
    assert.include(logs.join('\n'), 'uploads: deleted 1 pending upload(s) older than 1d')
  })

  test('--older-than and an injected clock set the limit; confirmed files are never touched', async ({
    assert,
  }) => {
    const pending = await uploaded(false)
    const confirmed = await uploaded(true)

    const ace = await app.app.container.make('ace')
    const command = await ace.create(DjamazingUploadsPrune, ['uploads', '--older-than=1h'])
    command.ui.switchMode('raw')
    await command.exec()
    assert.isTrue(await pendingExists(pending.pendingKey), 'stored just now')

    // A day later, with a clock injected into the driver call.
    const deleted = await driver.prunePendingUploads({
      olderThan: '1h',
      now: new Date(Date.now() + DAY),
    })
    assert.include(deleted, pending.pendingKey)
    assert.isFalse(await pendingExists(pending.pendingKey))
    assert.isTrue(await exists(confirmed.key))
    assert.isTrue(deleted.every((key) => key.startsWith('uploads/pending-uploads/')))
  })

  test('the documented lifecycle rule and command cover exactly the pending uploads of the disk', async ({
    assert,
  }) => {
    const pending = await uploaded(false)
    const confirmed = await uploaded(true)
    assert.equal(LIFECYCLE.Status, 'Enabled')
    assert.isTrue(pending.pendingKey.startsWith(LIFECYCLE.Filter.Prefix))
    assert.isFalse(`uploads/${confirmed.key}`.startsWith(LIFECYCLE.Filter.Prefix))
    assert.deepEqual(LIFECYCLE.Expiration, { Days: 1 })

    // The command line as documented, one day after the pending upload.
    assert.deepEqual(COMMAND_LINE.slice(0, 3), ['node', 'ace', DjamazingUploadsPrune.commandName])
    await storedAt(pending.pendingKey, new Date(Date.now() - 2 * DAY))
    const ace = await app.app.container.make('ace')
    const command = await ace.create(DjamazingUploadsPrune, COMMAND_LINE.slice(3))
    command.ui.switchMode('raw')
    await command.exec()
    assert.isFalse(await pendingExists(pending.pendingKey))
    assert.isTrue(await exists(confirmed.key))
  })
})

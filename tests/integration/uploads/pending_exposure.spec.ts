import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import type { DjamazingDriver } from '../../../src/driver.ts'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'
import { asPut, putStatus, sha256Of } from '../../helpers/direct_upload.ts'

/*
 * A public disk's direct uploads wait under its own prefix until
 * confirmed. Served there by the public behavior, unconfirmed bytes would
 * skip `confirmUpload` and its content check (HTML stored as "image/png",
 * free hosting on the CDN's domain until prune): the pending prefix is
 * restricted on the local edge, as the CloudFront set-up restricts it.
 */
for (const store of ['s3', 'local'] as const) {
  test.group(
    `Direct uploads | a public disk's pending uploads are never public (${store})`,
    (group) => {
      let app: AdonisTestApp
      let root: string | undefined
      group.setup(async () => {
        root = store === 'local' ? await mkdtemp(join(tmpdir(), 'djamazing-pending-')) : undefined
        app = await startAdonisApp({
          ...(root ? { localStore: { root } } : {}),
          static: { uploads: { pendingPrefix: 'incoming' } },
        })
        return async () => {
          await app.stop()
          if (root) await rm(root, { recursive: true, force: true })
        }
      })

      test('before confirm the edge answers 403 for the pending object; after it, the file is public', async ({
        assert,
      }) => {
        const driver = app.drive.use('static').driver as DjamazingDriver
        const html = Buffer.from(
          `<html><script>alert(document.domain)</script>${randomBytes(8).toString('hex')}`
        )
        const key = `avatars/${randomBytes(6).toString('hex')}.png`
        const target = asPut(
          await driver.startUpload(key, {
            userId: 1,
            contentType: 'image/png',
            size: html.length,
            checksum: sha256Of(html),
          })
        )
        assert.equal(await putStatus(target, html), 200)
        // The object key is the target's path after its first segment
        // (the bucket on S3, the edge's path on the local store).
        const pendingKey = new URL(target.url).pathname.split('/').slice(2).join('/')
        assert.match(pendingKey, /^static\/incoming\/[0-9a-f-]{36}$/)

        for (const path of [pendingKey, 'static/incoming/', 'static/incoming/x']) {
          const response = await fetch(`${app.baseUrl}/cdn/${path}`)
          assert.equal(response.status, 403, path)
          assert.notInclude(await response.text(), 'alert(', path)
        }
        await driver.confirmUpload(target.token, { userId: 1 })
        const served = await fetch(`${app.baseUrl}/cdn/static/${key}`)
        assert.equal(served.status, 200, 'a confirmed file of the public disk is public')
      })
    }
  )
}

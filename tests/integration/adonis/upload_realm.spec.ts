import { randomBytes } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import { test } from '@japa/runner'
import type { DjamazingDriver } from '../../../src/driver.ts'
import { startAdonisApp } from '../../helpers/adonis_app.ts'
import { putStatus, sha256Of } from '../../helpers/direct_upload.ts'
import type { PutUploadTarget } from '../../../src/uploads/types.ts'

/*
 * Upload tokens are bound to the user and to the guard the user was
 * authenticated with, as links are: admin #1 and web user #1 share an id,
 * not an account. (Attack: the web user confirms the admin's upload, and
 * the app lists the admin's file as the web user's.)
 */
test.group('AdonisJS | upload tokens bound to the guard (attack: colliding ids)', () => {
  test("web user #1 cannot confirm admin #1's upload, nor the reverse; each confirms their own", async ({
    assert,
    cleanup,
  }) => {
    const app = await startAdonisApp({
      uploads: { guards: ['web', 'admin'], uploads: {} },
      routes(router) {
        const driverOf = async (ctx: HttpContext) => {
          await (ctx as any).auth.authenticateUsing([ctx.request.input('as', 'web')])
          const drive = await app.app.container.make('drive.manager')
          return (drive as any).use('uploads').driver as DjamazingDriver
        }
        router.post('/direct/start', async (ctx: HttpContext) => {
          const driver = await driverOf(ctx)
          const { key, size, checksum } = ctx.request.only(['key', 'size', 'checksum'])
          return driver.startUpload(key, {
            userId: (ctx as any).auth.user.id,
            contentType: 'image/png',
            size,
            checksum,
          })
        })
        router.post('/direct/confirm', async (ctx: HttpContext) => {
          const driver = await driverOf(ctx)
          try {
            return await driver.confirmUpload(ctx.request.input('token'), {
              userId: (ctx as any).auth.user.id,
            })
          } catch (error: any) {
            return ctx.response.status(error.status ?? 500).send({ code: error.code })
          }
        })
      },
    })
    cleanup(() => app.stop())
    const web = await app.login('alice')
    const admin = await app.login('root', 'admin')
    const post = async (path: string, cookie: string, as: string, body: unknown) => {
      const response = await fetch(`${app.baseUrl}${path}?as=${as}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as any }
    }
    const started = async (cookie: string, as: string) => {
      const bytes = randomBytes(100)
      const key = `shared/${randomBytes(6).toString('hex')}.png`
      const start = await post('/direct/start', cookie, as, {
        key,
        size: bytes.length,
        checksum: sha256Of(bytes),
      })
      assert.equal(start.status, 200)
      const target = start.body as PutUploadTarget
      assert.equal(await putStatus(target, bytes), 200)
      return target
    }

    const adminUpload = await started(admin, 'admin')
    const byWeb = await post('/direct/confirm', web, 'web', { token: adminUpload.token })
    assert.deepEqual(byWeb, { status: 403, body: { code: 'E_DJAMAZING_UPLOAD_FORBIDDEN' } })
    const byAdminItself = await post('/direct/confirm', admin, 'admin', adminUpload)
    assert.equal(byAdminItself.status, 200)

    const webUpload = await started(web, 'web')
    const byAdmin = await post('/direct/confirm', admin, 'admin', { token: webUpload.token })
    assert.deepEqual(byAdmin, { status: 403, body: { code: 'E_DJAMAZING_UPLOAD_FORBIDDEN' } })
    const byWebItself = await post('/direct/confirm', web, 'web', webUpload)
    assert.equal(byWebItself.status, 200)
  })
})

import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS | signed uploads on a protected disk', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('drive.use("uploads").getSignedUploadUrl gives a URL a browser can PUT to', async ({
    assert,
  }) => {
    const body = Buffer.from('uploaded straight to the bucket')
    const url = await app.drive.use('uploads').getSignedUploadUrl('alice/direct.txt', {
      expiresIn: '5m',
      contentType: 'text/plain',
      contentSize: body.length,
    })
    assert.isTrue(url.startsWith(`${app.s3.endpoint}/${app.s3.bucket}/uploads/alice/direct.txt?`))

    const put = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/plain', 'content-length': String(body.length) },
    })
    assert.equal(put.status, 200)
    assert.equal(await app.drive.use('uploads').get('alice/direct.txt'), body.toString())
  })
})

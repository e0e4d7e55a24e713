import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS | the public disk next to a protected one', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    await app.drive.use('static').put('logo.svg', '<svg/>', { contentType: 'image/svg+xml' })
    return () => app.stop()
  })

  test('getUrl is a plain CDN URL, the same for a guest and for alice', async ({ assert }) => {
    const alice = await app.login('alice')
    const forGuest = await app.urlFor(null, 'logo.svg', 'static')
    const forAlice = await app.urlFor(alice, 'logo.svg', 'static')
    assert.equal(forGuest, `${app.baseUrl}/cdn/static/logo.svg`)
    assert.equal(forAlice, forGuest)
    const url = new URL(forGuest)
    assert.equal(url.search, '')
  })

  test('the CDN URL opens the file with no signature', async ({ assert }) => {
    const response = await fetch(`${app.baseUrl}/cdn/static/logo.svg`)
    assert.equal(response.status, 200)
    assert.equal(await response.text(), '<svg/>')
  })
})

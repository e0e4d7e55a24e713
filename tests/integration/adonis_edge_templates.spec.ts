import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../helpers/adonis_app.ts'

test.group('AdonisJS | Edge templates', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('Edge templates get both kinds of URL from driveUrl', async ({ assert }) => {
    const alice = await app.login('alice')
    const response = await fetch(`${app.baseUrl}/edge-template?key=logo.svg`, {
      headers: { cookie: alice },
    })
    const html = await response.text()
    const [protectedUrl, publicUrl] = html.split('|')
    assert.match(protectedUrl, /^\/djamazing\/uploads\/logo\.svg\?/)
    assert.equal(publicUrl, `${app.baseUrl}/cdn/static/logo.svg`)
  })
})

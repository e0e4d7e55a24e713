import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS | Edge templates', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp({
      routes(router) {
        // The guard of docs/configure.md: protected links for logged-in users only.
        router.get('/guarded', async (ctx: any) => {
          const edge = await import('edge.js')
          await ctx.auth.check()
          const template = [
            `<h1>Photos</h1>`,
            `@if(auth.user)`,
            `  <img src="{{ await driveUrl(photo.key, 'uploads') }}" alt="" />`,
            `@end`,
          ].join('\n')
          return edge.default.renderRaw(template, { auth: ctx.auth, photo: { key: 'a.png' } })
        })
      },
    })
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

  test('the template guard: a guest gets the page without the link, a user with it', async ({
    assert,
  }) => {
    const guest = await fetch(`${app.baseUrl}/guarded`)
    assert.equal(guest.status, 200)
    assert.notInclude(await guest.text(), '<img')

    const alice = await app.login('alice')
    const user = await fetch(`${app.baseUrl}/guarded`, { headers: { cookie: alice } })
    assert.equal(user.status, 200)
    assert.match(await user.text(), /<img src="\/djamazing\/uploads\/a\.png\?[^"]+" alt="" \/>/)
  })
})

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
        // Without the guard: what a guest's request raises, as Edge re-throws it.
        router.get('/unguarded', async () => {
          const edge = await import('edge.js')
          const template = `<img src="{{ await driveUrl('a.png', 'uploads') }}" alt="" />`
          try {
            return await edge.default.renderRaw(template, {})
          } catch (error) {
            return { message: (error as Error).message }
          }
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

  test("without the guard, Edge raises the reason a guest has no link, not flydrive's wrapper", async ({
    assert,
  }) => {
    // Edge keeps only the message of a template's error: driveUrl must
    // raise E_DJAMAZING_GUEST_LINK itself for the error page to say why.
    const response = await fetch(`${app.baseUrl}/unguarded`)
    const { message } = (await response.json()) as { message: string }
    assert.include(message, 'Cannot make a protected link for a guest on disk "uploads"')
    assert.include(message, 'guestLinks: true')
  })
})

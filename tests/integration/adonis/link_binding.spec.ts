import { test } from '@japa/runner'
import { LinkSigner } from '../../../src/links/main.ts'
import { APP_KEY, startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

const KEY = 'alice/report.pdf'

test.group(
  'AdonisJS redirect route | a link only works for its user, disk and lifetime',
  (group) => {
    let app: AdonisTestApp
    let alice: string
    let bob: string
    let link: string

    group.setup(async () => {
      app = await startAdonisApp()
      alice = await app.login('alice')
      bob = await app.login('bob')
      link = await app.urlFor(alice, KEY)
      return () => app.stop()
    })

    test('bob following alice’s link gets 403', async ({ client, assert }) => {
      const response = await client.get(`${app.baseUrl}${link}`).header('cookie', bob).redirects(0)
      assert.equal(response.status(), 403)
      assert.isUndefined(response.header('location'))
      assert.equal(response.header('cache-control'), 'private, no-store')
    })

    test('a guest following alice’s link gets 401', async ({ client, assert }) => {
      const response = await client.get(`${app.baseUrl}${link}`).redirects(0)
      assert.equal(response.status(), 401)
      assert.isUndefined(response.header('location'))
    })

    test('after alice logs out, her link no longer works in that session', async ({
      client,
      assert,
    }) => {
      const session = await app.login('alice')
      const own = await app.urlFor(session, KEY)
      await fetch(`${app.baseUrl}/logout`, { method: 'POST', headers: { cookie: session } })
      const response = await client
        .get(`${app.baseUrl}${own}`)
        .header('cookie', session)
        .redirects(0)
      assert.equal(response.status(), 401)
    })

    test('an expired link gets 403', async ({ client, assert }) => {
      // A genuine link for alice, signed with the app key, made two hours ago.
      const signer = new LinkSigner({ secrets: [APP_KEY], expiresIn: '1h' })
      const expired = signer.linkFor('uploads', KEY, {
        userId: 1,
        realm: 'web',
        now: new Date(Date.now() - 2 * 3600_000),
      })
      const fresh = signer.linkFor('uploads', KEY, { userId: 1, realm: 'web' })

      const refused = await client
        .get(`${app.baseUrl}${expired}`)
        .header('cookie', alice)
        .redirects(0)
      assert.equal(refused.status(), 403)
      // The same signer's fresh link works: the 403 is the expiry, not the key.
      const accepted = await client
        .get(`${app.baseUrl}${fresh}`)
        .header('cookie', alice)
        .redirects(0)
      assert.equal(accepted.status(), 302)
    })

    test('the same key on another protected disk gets 403, on a public disk 404', async ({
      client,
      assert,
    }) => {
      const onOther = link.replace('/djamazing/uploads/', '/djamazing/other/')
      const other = await client
        .get(`${app.baseUrl}${onOther}`)
        .header('cookie', alice)
        .redirects(0)
      assert.equal(other.status(), 403)

      const onStatic = link.replace('/djamazing/uploads/', '/djamazing/static/')
      const publicDisk = await client
        .get(`${app.baseUrl}${onStatic}`)
        .header('cookie', alice)
        .redirects(0)
      assert.equal(publicDisk.status(), 404)
    })

    test('a link made for alice on one disk is not a link for another key', async ({
      client,
      assert,
    }) => {
      const otherKey = link.replace('/report.pdf?', '/report2.pdf?')
      const response = await client
        .get(`${app.baseUrl}${otherKey}`)
        .header('cookie', alice)
        .redirects(0)
      assert.equal(response.status(), 403)
    })
  }
)

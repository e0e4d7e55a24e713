import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

const KEY = 'shared/report.pdf'

async function open(app: AdonisTestApp, link: string, cookie: string) {
  const response = await fetch(`${app.baseUrl}${link}`, { headers: { cookie }, redirect: 'manual' })
  await response.arrayBuffer()
  return response.status
}

async function urlError(app: AdonisTestApp, cookie: string, as: 'web' | 'admin') {
  const query = new URLSearchParams({ disk: 'uploads', key: KEY, as })
  const response = await fetch(`${app.baseUrl}/url?${query}`, { headers: { cookie } })
  const body = (await response.json()) as { url?: string; error?: string }
  return body.error
}

test.group('AdonisJS | links bound to the guard (attack: colliding ids)', () => {
  test('with guards web and admin, web user #1 and admin #1 get different links, and neither opens the other', async ({
    assert,
    cleanup,
  }) => {
    const app = await startAdonisApp({ uploads: { guards: ['web', 'admin'] } })
    cleanup(() => app.stop())
    await app.drive.use('uploads').put(KEY, 'quarterly numbers')
    const alice = await app.login('alice')
    const root = await app.login('root', 'admin')

    const aliceLink = await app.urlFor(alice, KEY)
    const rootLink = await app.urlFor(root, KEY, 'uploads', 'admin')
    assert.notEqual(aliceLink.replace(/e=\d+/, ''), rootLink.replace(/e=\d+/, ''))

    assert.equal(await open(app, aliceLink, alice), 302)
    assert.equal(await open(app, rootLink, root), 302)
    assert.equal(await open(app, rootLink, alice), 403, 'web #1 opens admin #1 link')
    assert.equal(await open(app, aliceLink, root), 403, 'admin #1 opens web #1 link')
  })

  test('with guards [web], no link is made for an admin, and an admin opens no web link', async ({
    assert,
    cleanup,
  }) => {
    const app = await startAdonisApp({ uploads: { guards: ['web'] } })
    cleanup(() => app.stop())
    await app.drive.use('uploads').put(KEY, 'quarterly numbers')
    const alice = await app.login('alice')
    const root = await app.login('root', 'admin')

    assert.equal(await urlError(app, root, 'admin'), 'E_DJAMAZING_FOREIGN_GUARD')
    const aliceLink = await app.urlFor(alice, KEY)
    assert.equal(await open(app, aliceLink, root), 401, 'an admin is nobody on this disk')
    assert.equal(await open(app, aliceLink, alice), 302)
  })
})

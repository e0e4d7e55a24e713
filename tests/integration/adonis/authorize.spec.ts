import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS redirect route | the authorize hook', (group) => {
  let app: AdonisTestApp
  const seen: { disk: string; key: string; user: unknown }[] = []

  group.setup(async () => {
    app = await startAdonisApp({
      uploads: {
        // Files under "archived/" were withdrawn: links made before stay dead.
        authorize: (ctx, { disk, key }) => {
          seen.push({ disk, key, user: (ctx as any).auth.user?.name })
          return !key.startsWith('archived/')
        },
      },
    })
    return () => app.stop()
  })

  test('runs after the link is verified, with the context and the file, and can refuse', async ({
    assert,
  }) => {
    const alice = await app.login('alice')
    const allowed = await app.urlFor(alice, 'current/a.txt')
    const withdrawn = await app.urlFor(alice, 'archived/a.txt')

    const ok = await fetch(`${app.baseUrl}${allowed}`, {
      headers: { cookie: alice },
      redirect: 'manual',
    })
    const refused = await fetch(`${app.baseUrl}${withdrawn}`, {
      headers: { cookie: alice },
      redirect: 'manual',
    })
    assert.equal(ok.status, 302)
    assert.equal(refused.status, 403)
    assert.equal(refused.headers.get('cache-control'), 'private, no-store')
    assert.deepEqual(seen, [
      { disk: 'uploads', key: 'current/a.txt', user: 'alice' },
      { disk: 'uploads', key: 'archived/a.txt', user: 'alice' },
    ])

    // Not reached for a link that does not verify (bob's request).
    const bob = await app.login('bob')
    await fetch(`${app.baseUrl}${allowed}`, { headers: { cookie: bob }, redirect: 'manual' })
    assert.lengthOf(seen, 2)
  })
})

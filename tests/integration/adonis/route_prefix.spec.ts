import { test } from '@japa/runner'
import { startAdonisApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS provider | a route prefix of its own', () => {
  test('a protected disk with its own route prefix gets its route and links there', async ({
    assert,
  }) => {
    const app = await startAdonisApp({ uploads: { routePrefix: 'files/' } })
    try {
      const router = await app.app.container.make('router')
      const routes = router.toJSON().root
      const uploads = routes.find((route) => route.name === 'djamazing.uploads.redirect')
      assert.equal(uploads?.pattern, '/files/uploads/*')
      // Every method: GET and HEAD are served, the rest get 405 with Allow.
      assert.includeMembers(uploads?.methods ?? [], ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'])
      const other = routes.find((route) => route.name === 'djamazing.other.redirect')
      assert.equal(other?.pattern, '/djamazing/other/*')

      const alice = await app.login('alice')
      const link = await app.urlFor(alice, 'alice/a.txt')
      assert.match(link, /^\/files\/uploads\/alice\/a\.txt\?/)
      const response = await fetch(`${app.baseUrl}${link}`, {
        headers: { cookie: alice },
        redirect: 'manual',
      })
      assert.equal(response.status, 302)
    } finally {
      await app.stop()
    }
  })
})

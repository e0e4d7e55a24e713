import { test } from '@japa/runner'
import { startAdonisAppWithAliceLink } from '../../helpers/adonis_app.ts'
import { rawRequest } from '../../helpers/edge.ts'

const KEY = 'alice/report.txt'

/**
 * Methods other than GET and HEAD, as a client (or a scanner) sends them.
 */
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL']

test.group('AdonisJS | other methods on the redirect route and the mounted edge', () => {
  test('every other method gets 405 with Allow and private, no-store, never the HTML 404', async ({
    assert,
    cleanup,
  }) => {
    const { app, alice, link } = await startAdonisAppWithAliceLink(KEY)
    cleanup(() => app.stop())
    await app.drive.use('uploads').put(KEY, 'numbers')
    await app.drive.use('static').put('logo.txt', 'public')

    const targets = {
      'redirect route': link,
      'mounted edge': '/cdn/static/logo.txt',
      'mounted edge, protected key': '/cdn/uploads/alice/report.txt',
    }
    for (const [where, target] of Object.entries(targets)) {
      for (const method of METHODS) {
        const response = await rawRequest(app.baseUrl, target, {
          method,
          headers: { cookie: alice },
        })
        const label = `${method} on the ${where}`
        assert.equal(response.status, 405, label)
        assert.equal(response.headers['allow'], 'GET, HEAD', label)
        assert.equal(response.headers['cache-control'], 'private, no-store', label)
        assert.notMatch(response.body.toString(), /<html|<!doctype/i, label)
      }
    }
    // GET and HEAD still work.
    const redirect = await rawRequest(app.baseUrl, link, { headers: { cookie: alice } })
    assert.equal(redirect.status, 302)
    const head = await rawRequest(app.baseUrl, '/cdn/static/logo.txt', { method: 'HEAD' })
    assert.equal(head.status, 200)
  })
})

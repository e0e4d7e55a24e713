import { test } from '@japa/runner'
import { startAdonisAppWithAliceLink } from '../../helpers/adonis_app.ts'
import { rawRequest } from '../../helpers/edge.ts'

const KEY = 'alice/report.txt'

/**
 * Methods other than GET and HEAD, as a client (or a scanner) sends them.
 */
const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL']

test.group('AdonisJS | other methods on the redirect route and the mounted edge', () => {
  test('the redirect route answers 405 with Allow; the mounted edge answers as CloudFront does (403 page)', async ({
    assert,
    cleanup,
  }) => {
    const { app, alice, link } = await startAdonisAppWithAliceLink(KEY)
    cleanup(() => app.stop())
    await app.drive.use('uploads').put(KEY, 'numbers')
    await app.drive.use('static').put('logo.txt', 'public')

    for (const method of METHODS) {
      const response = await rawRequest(app.baseUrl, link, {
        method,
        headers: { cookie: alice },
      })
      const label = `${method} on the redirect route`
      assert.equal(response.status, 405, label)
      assert.equal(response.headers['allow'], 'GET, HEAD', label)
      assert.equal(response.headers['cache-control'], 'private, no-store', label)
      assert.notMatch(response.body.toString(), /<html|<!doctype/i, label)
    }
    // A behavior allowing GET and HEAD, as CloudFront's default: its own
    // 403 page, never the app's HTML 404, and the origin is not asked.
    const edgeTargets = {
      'mounted edge': '/cdn/static/logo.txt',
      'mounted edge, protected key': '/cdn/uploads/alice/report.txt',
    }
    for (const [where, target] of Object.entries(edgeTargets)) {
      for (const method of METHODS) {
        const response = await rawRequest(app.baseUrl, target, {
          method,
          headers: { cookie: alice },
        })
        const label = `${method} on the ${where}`
        assert.equal(response.status, 403, label)
        assert.equal(response.headers['x-cache'], 'Error from cloudfront', label)
        assert.include(
          response.body.toString(),
          'This distribution is not configured to allow the HTTP request method',
          label
        )
      }
    }
    assert.equal(await app.drive.use('static').get('logo.txt'), 'public')
    // GET and HEAD still work.
    const redirect = await rawRequest(app.baseUrl, link, { headers: { cookie: alice } })
    assert.equal(redirect.status, 302)
    const head = await rawRequest(app.baseUrl, '/cdn/static/logo.txt', { method: 'HEAD' })
    assert.equal(head.status, 200)
  })
})

import { test } from '@japa/runner'
import { USER_CONTENT_CSP } from '../../../src/active_content.ts'
import { startEdgeFixture } from '../../helpers/edge.ts'
import { driverFixture } from '../../helpers/driver_factory.ts'

test.group('Local edge | user content is never run on its origin', () => {
  test("row 31: the response headers policy's headers, from the cache and the origin alike", async ({
    assert,
    cleanup,
  }) => {
    const fixture = await startEdgeFixture({
      defaultBehavior: {
        signed: false,
        cors: {
          accessControlAllowOrigins: ['https://app.example.com'],
          accessControlAllowMethods: ['GET', 'HEAD'],
          accessControlAllowCredentials: false,
          accessControlExposeHeaders: ['ETag'],
        },
      },
    })
    cleanup(() => fixture.stop())
    await fixture.put('notes.txt', 'notes', { ContentType: 'text/plain' })
    for (const expected of ['Miss from cloudfront', 'Hit from cloudfront']) {
      const response = await fetch(`${fixture.edge.url}/notes.txt`, {
        headers: { origin: 'https://app.example.com' },
      })
      assert.equal(await response.text(), 'notes')
      assert.equal(response.headers.get('x-cache'), expected)
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff')
      assert.equal(response.headers.get('content-security-policy'), USER_CONTENT_CSP)
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example.com')
      assert.equal(response.headers.get('access-control-expose-headers'), 'ETag')
    }
  })

  test('every object gets nosniff and the sandbox; active types become attachments', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await startEdgeFixture({
      defaultBehavior: { signed: false },
      behaviors: [{ pathPattern: 'site/*', signed: false, inlineActiveContent: true }],
    })
    cleanup(() => fixture.stop())
    const cases: [key: string, type: string, stored: string | undefined, served: string | null][] =
      [
        ['a.png', 'image/png', undefined, null],
        ['a.txt', 'text/plain; charset=utf-8', undefined, null],
        ['a.html', 'text/html; charset=utf-8', undefined, 'attachment'],
        ['a.svg', 'image/svg+xml', 'inline; filename="a.svg"', 'attachment; filename="a.svg"'],
        ['a.xml', 'application/atom+xml', undefined, 'attachment'],
        ['a.js', 'text/javascript', undefined, 'attachment'],
        ['a.xhtml', 'Application/XHTML+XML', undefined, 'attachment'],
        ['a.bin', 'not a type', undefined, 'attachment'],
        ['site/page.html', 'text/html', undefined, null],
      ]
    for (const [key, type, stored, served] of cases) {
      await fixture.put(key, 'body', { ContentType: type, ContentDisposition: stored })
      for (const method of ['GET', 'HEAD']) {
        const response = await fetch(`${fixture.edge.url}/${key}`, { method })
        await response.arrayBuffer()
        assert.equal(response.status, 200, key)
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff', key)
        // row 31: the documented response headers policy's Referrer-Policy too.
        assert.equal(response.headers.get('referrer-policy'), 'no-referrer', key)
        assert.equal(response.headers.get('content-security-policy'), USER_CONTENT_CSP, key)
        assert.equal(response.headers.get('content-disposition'), served, `${method} ${key}`)
      }
    }
    const ranged = await fetch(`${fixture.edge.url}/a.html`, { headers: { range: 'bytes=0-1' } })
    assert.equal(ranged.status, 206)
    assert.equal(ranged.headers.get('content-disposition'), 'attachment')
    assert.equal(await ranged.text(), 'bo')
  })
})

async function storedType(
  disk: { getMetaData(key: string): Promise<{ contentType?: string }> },
  key: string
) {
  const meta = await disk.getMetaData(key)
  return meta.contentType ?? ''
}

test.group('Driver | no active content type from a key on a protected disk', () => {
  test('x.html and x.svg without a contentType are stored as binary on a protected disk only', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await driverFixture()
    cleanup(() => fixture.stop())
    const publicDisk = fixture.driver({ prefix: 'public' })
    const protectedDisk = fixture.driver({ mode: 'protected', prefix: 'private', disk: 'private' })
    const trusted = fixture.driver({
      mode: 'protected',
      prefix: 'trusted',
      disk: 'trusted',
      inlineActiveContent: true,
    })
    for (const key of ['x.html', 'x.svg', 'x.js', 'x.xml']) {
      await protectedDisk.put(key, '<x/>')
      await publicDisk.put(key, '<x/>')
      await trusted.put(key, '<x/>')
      const stored = await storedType(protectedDisk, key)
      assert.notMatch(stored!, /html|svg|javascript|xml/, key)
      assert.match(await storedType(publicDisk, key), /html|svg|javascript|xml/)
      assert.match(await storedType(trusted, key), /html|svg|javascript|xml/)
    }
    await protectedDisk.put('x.png', 'png')
    assert.equal(await storedType(protectedDisk, 'x.png'), 'image/png')
    await protectedDisk.put('named.html', '<x/>', { contentType: 'text/html' })
    assert.equal(await storedType(protectedDisk, 'named.html'), 'text/html')
  })
})

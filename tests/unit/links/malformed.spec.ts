import { test } from '@japa/runner'
import fc from 'fast-check'
import { handleLinkRequest } from '../../../src/links/redirect.ts'
import { makeDisks, makeSigner, openLink } from '../../helpers/links.ts'
import { malformedLinks } from '../../helpers/malformed_links.ts'

test.group('Protected links: malformed links', () => {
  test('at least 50 kinds of malformed links: a 4xx with the headers, never a throw', async ({
    assert,
  }) => {
    const cases = malformedLinks()
    assert.isAtLeast(cases.length, 50)
    for (const [what, target] of cases) {
      for (const userId of ['alice', null]) {
        const response = await openLink(target, { userId })
        assert.isAtLeast(response.status, 400, what)
        assert.isBelow(response.status, 500, what)
        if (response.status !== 404 || target.startsWith('/djamazing/')) {
          assert.equal(response.headers['Cache-Control'], 'private, no-store', what)
        }
      }
    }
  })

  test('verify refuses odd query values without throwing', ({ assert }) => {
    const signer = makeSigner()
    const queries: unknown[] = [
      null,
      undefined,
      42,
      ['e', 's'],
      { e: ['1', '2'], s: 'x' },
      { e: { nested: '1' }, s: 'x' },
      { e: 1767229200, s: 'x'.repeat(43) },
      JSON.parse('{"__proto__": {"e": "1"}}'),
      Object.create(null),
      new URLSearchParams('e=1&e=2'),
      new URLSearchParams('s=a+b'),
    ]
    for (const query of queries) {
      const result = signer.verify({
        disk: 'uploads',
        key: 'a.txt',
        query: query as any,
        userId: 'alice',
      })
      assert.deepEqual(result, { ok: false, reason: 'malformed' })
    }
    for (const [disk, key] of [
      ['', 'a.txt'],
      ['uploads', ''],
      ['uploads', '../a'],
      [null, 'a'],
      ['uploads', 42],
    ]) {
      const link = signer.linkFor('uploads', 'a.txt', { userId: 'alice' })
      const query = link.slice(link.indexOf('?') + 1)
      const result = signer.verify({ disk, key, query, userId: 'alice' } as any)
      assert.deepEqual(result, { ok: false, reason: 'malformed' })
    }
  })

  test('random paths and queries (property test): a 4xx, never a throw', async ({ assert }) => {
    const disks = makeDisks()
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }))
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('uploads', 'static', '', '__proto__'),
        text,
        text,
        fc.constantFrom('alice', null),
        async (disk, rawKey, query, userId) => {
          const response = await handleLinkRequest(
            { method: 'GET', disk, rawKey, query, userId },
            disks
          )
          assert.oneOf(response.status, [401, 403, 404])
        }
      ),
      { numRuns: 300 }
    )
  })
})

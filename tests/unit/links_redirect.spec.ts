import { test } from '@japa/runner'
import type { LinkedDisk, RedirectResponse } from '../../src/links/types.ts'
import { AWKWARD_KEYS } from '../helpers/awkward_keys.ts'
import {
  CDN_ORIGIN,
  NOW,
  cdnSigner,
  cdnVerifier,
  makeDisks,
  makeSigner,
  openLink,
} from '../helpers/links.ts'

const alice = { userId: 'alice' }

function assertCommonHeaders(assert: any, response: RedirectResponse) {
  assert.equal(response.headers['Cache-Control'], 'private, no-store')
  assert.equal(response.headers['Referrer-Policy'], 'no-referrer')
}

test.group('Redirect core', () => {
  test("alice's link redirects alice to the CDN, with the signature timeout", async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a b.txt', { userId: 'alice', now: NOW })
    const response = await openLink(link, alice)
    assert.equal(response.status, 302)
    assertCommonHeaders(assert, response)
    assert.isUndefined(response.body)
    const location = new URL(response.headers.Location)
    assert.equal(location.origin, CDN_ORIGIN)
    assert.equal(location.pathname, '/media/a%20b.txt')
    // 1.5 s rounded up: two seconds from the frozen clock, checked as CloudFront would.
    assert.equal(location.searchParams.get('Expires'), String(NOW / 1000 + 2))
    const at = (ms: number) => cdnVerifier.verify({ url: location.href, now: new Date(NOW + ms) })
    assert.isTrue(at(1999).ok)
    assert.deepInclude(at(2000), { ok: false, reason: 'expired' })
  })

  test('the signature timeout and the overrides reach the CDN signer', async ({ assert }) => {
    const seen: unknown[] = []
    const disks = (name: string): LinkedDisk | undefined =>
      name === 'uploads'
        ? {
            mode: 'protected',
            links: makeSigner(),
            cdnOrigin: CDN_ORIGIN,
            signatureTimeout: 600,
            signCdnUrl: (key, options) => {
              seen.push({ key, ...options })
              return cdnSigner()(key, options)
            },
          }
        : undefined
    const link = makeSigner().linkFor('uploads', 'v.mp4', {
      userId: 'alice',
      now: NOW,
      contentDisposition: 'attachment',
    })
    const response = await openLink(link, alice, { disks })
    assert.equal(response.status, 302)
    assert.deepEqual(seen, [
      { key: 'v.mp4', expiresIn: 600, now: new Date(NOW), contentDisposition: 'attachment' },
    ])
    const location = new URL(response.headers.Location)
    assert.equal(location.searchParams.get('response-content-disposition'), 'attachment')
    assert.equal(location.searchParams.get('Expires'), String(NOW / 1000 + 600))
    assert.isTrue(cdnVerifier.verify({ url: location.href, now: new Date(NOW) }).ok)
  })

  test('bob, a guest, an expired link, another disk, a public disk: refused', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: NOW })
    const cases: [RedirectResponse, number][] = [
      [await openLink(link, { userId: 'bob' }), 403],
      [await openLink(link, { userId: null }), 401],
      [await openLink(link, alice, { now: NOW + 3_600_000 }), 403],
      [await openLink(link.replace('/uploads/', '/private/'), alice), 403],
      [await openLink(link.replace('/uploads/', '/static/'), alice), 404],
      [await openLink(link.replace('/uploads/', '/nope/'), alice), 404],
    ]
    for (const [response, status] of cases) {
      assert.equal(response.status, status)
      assertCommonHeaders(assert, response)
      assert.equal(response.headers['Content-Type'], 'text/plain; charset=utf-8')
      assert.notProperty(response.headers, 'Location')
      assert.notProperty(response.headers, 'WWW-Authenticate')
      // No detail: the body is the status phrase only.
      assert.oneOf(response.body, ['Forbidden', 'Unauthorized', 'Not Found'])
    }
  })

  test('HEAD is answered like GET, without a body; other methods get 405', async ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: NOW })
    const head = await openLink(link, alice, { method: 'HEAD' })
    assert.equal(head.status, 302)
    assert.equal(new URL(head.headers.Location).origin, CDN_ORIGIN)
    const refusedHead = await openLink(link, { userId: 'bob' }, { method: 'HEAD' })
    assert.equal(refusedHead.status, 403)
    assert.isUndefined(refusedHead.body)
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'get']) {
      const response = await openLink(link, alice, { method })
      assert.equal(response.status, 405)
      assert.equal(response.headers.Allow, 'GET, HEAD')
      assertCommonHeaders(assert, response)
    }
  })

  test('authorize runs after the link checks and can refuse', async ({ assert }) => {
    const calls: unknown[] = []
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: NOW })
    const allow = await openLink(link, alice, {
      authorize: (file) => {
        calls.push(file)
        return true
      },
    })
    assert.equal(allow.status, 302)
    assert.deepEqual(calls, [{ disk: 'uploads', key: 'a.txt', userId: 'alice' }])
    const deny = await openLink(link, alice, { authorize: async () => false })
    assert.equal(deny.status, 403)
    // Not called for a link that does not verify.
    await openLink(link, { userId: 'bob' }, { authorize: (file) => !!calls.push(file) })
    assert.lengthOf(calls, 1)
  })

  test('the Location origin is the CDN origin for every awkward key', async ({ assert }) => {
    const signer = makeSigner()
    for (const { key } of AWKWARD_KEYS) {
      const link = signer.linkFor('uploads', key, { userId: 'alice', now: NOW })
      const response = await openLink(link, alice)
      assert.equal(response.status, 302, key)
      const location = new URL(response.headers.Location)
      assert.equal(location.origin, CDN_ORIGIN, key)
      assert.isTrue(response.headers.Location.startsWith(`${CDN_ORIGIN}/media/`), key)
      const checked = cdnVerifier.verify({ url: response.headers.Location, now: new Date(NOW) })
      assert.isTrue(checked.ok, key)
    }
  })

  test('a CDN signer answering with another origin is a named error, not a redirect', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: NOW })
    for (const target of [
      'https://d111111abcdef8.cloudfront.net@evil.com/a.txt',
      'https://evil.com/a.txt',
      '//evil.com/a.txt',
      'not a url',
    ]) {
      const disks = makeDisks(makeSigner(), () => target)
      await assert.rejects(() => openLink(link, alice, { disks }), /not on the configured CDN/)
    }
  })

  test('a protected disk without a signer is treated as unknown', async ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: NOW })
    const disks = () => ({
      mode: 'protected' as const,
      cdnOrigin: CDN_ORIGIN,
      signCdnUrl: cdnSigner(),
    })
    const response = await openLink(link, alice, { disks })
    assert.equal(response.status, 404)
  })
})

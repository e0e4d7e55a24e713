import { test } from '@japa/runner'
import type { SignUrlOptions } from '../../../src/cloudfront/types.ts'
import type { RedirectResponse } from '../../../src/links/types.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import {
  CDN_ORIGIN,
  CDN_URL,
  NOW,
  cdnSigner,
  cdnVerifier,
  makeDisks,
  makeSigner,
  openLink,
  protectedLinks,
} from '../../helpers/links.ts'

const alice = { userId: 'alice' }

function assertCommonHeaders(assert: any, response: RedirectResponse) {
  assert.equal(response.headers['Cache-Control'], 'private, no-store')
  assert.equal(response.headers['Referrer-Policy'], 'no-referrer')
}

test.group('Redirect core', () => {
  test("alice's link redirects alice to the CDN, with the signature timeout", async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a b.txt', { userId: 'alice', now: new Date(NOW) })
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
    const recording = {
      signUrlAsync(url: string, options: SignUrlOptions) {
        seen.push({ url, expiresIn: options.expiresIn })
        return cdnSigner.signUrlAsync(url, options)
      },
    }
    const links = protectedLinks(makeSigner(), recording, 600)
    const disks = (name: string) => (name === 'uploads' ? { protectedLinks: links } : undefined)
    const link = makeSigner().linkFor('uploads', 'v.mp4', {
      userId: 'alice',
      now: new Date(NOW),
      contentDisposition: 'attachment',
    })
    const response = await openLink(link, alice, { disks })
    assert.equal(response.status, 302)
    assert.deepEqual(seen, [
      { url: `${CDN_URL}/v.mp4?response-content-disposition=attachment`, expiresIn: 600 },
    ])
    const location = new URL(response.headers.Location)
    assert.equal(location.searchParams.get('response-content-disposition'), 'attachment')
    assert.equal(location.searchParams.get('Expires'), String(NOW / 1000 + 600))
    assert.isTrue(cdnVerifier.verify({ url: location.href, now: new Date(NOW) }).ok)
  })

  test('bob, a guest, an expired link, another disk, a public disk: refused', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    const cases: [RedirectResponse, number][] = [
      [await openLink(link, { userId: 'bob' }), 403],
      [await openLink(link, { userId: null }), 401],
      [await openLink(link, alice, { now: new Date(NOW + 3_600_000) }), 403],
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

  test('each answer carries its decision as an event, the reason only there', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    const events = [
      await openLink(link, alice),
      await openLink(link, { userId: 'bob' }),
      await openLink(link, { userId: null }),
      await openLink(link, alice, { now: new Date(NOW + 3_600_000) }),
      await openLink(link.replace('e=', 'e=0'), alice),
      await openLink(link.replace('/a.txt', '/a%2ftxt'), alice),
      await openLink(link, alice, { authorize: () => false }),
      await openLink(link.replace('/uploads/', '/static/'), alice),
      await openLink(link.replace('/uploads/', '/no%20pe/'), alice),
      await openLink(link, alice, { method: 'POST' }),
    ].map((response) => response.event)
    const refused = (reason: string, status: number, disk: string | null = 'uploads') => ({
      outcome: 'refused',
      ...(disk === null ? {} : { disk }),
      reason,
      status,
    })
    assert.deepEqual(events, [
      { outcome: 'redirected', disk: 'uploads', key: 'a.txt', userId: 'alice' },
      refused('bad-signature', 403),
      refused('login-required', 401),
      refused('expired', 403),
      refused('malformed', 403),
      refused('malformed', 403),
      refused('not-authorized', 403),
      refused('unknown-disk', 404, 'static'),
      refused('unknown-disk', 404, null),
      refused('method-not-allowed', 405),
    ])
  })

  test('HEAD is answered like GET, without a body; other methods get 405', async ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
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
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
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
      const link = signer.linkFor('uploads', key, { userId: 'alice', now: new Date(NOW) })
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
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    for (const target of [
      'https://d111111abcdef8.cloudfront.net@evil.com/a.txt',
      'https://evil.com/a.txt',
      '//evil.com/a.txt',
      'not a url',
    ]) {
      // A stand-in for a misconfigured signer: the real one cannot be made to do this.
      const disks = makeDisks(makeSigner(), { signUrlAsync: async () => target })
      await assert.rejects(() => openLink(link, alice, { disks }), /not on the configured CDN/)
    }
  })

  test('a protected disk without a signer is treated as unknown', async ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    const response = await openLink(link, alice, { disks: () => ({}) })
    assert.equal(response.status, 404)
  })

  test('a disk signs the CloudFront URL of a link its verify accepted, nothing else', async ({
    assert,
  }) => {
    const links = protectedLinks()
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    const query = link.slice(link.indexOf('?') + 1)
    const input = { disk: 'uploads', key: 'a.txt', query, userId: 'alice', now: new Date(NOW) }
    const verified = links.verify(input)
    assert.equal(new URL(await links.redirectUrl(verified, 'uploads')).pathname, '/media/a.txt')

    // A look-alike result, a refusal, or a result for another key never gets signed.
    const forged = { ok: true as const, expiresAt: new Date(NOW + 60_000), overrides: {} }
    const refused = links.verify({ ...input, userId: 'bob' })
    for (const result of [forged, refused, { ...verified }]) {
      await assert.rejects(() => links.redirectUrl(result, 'uploads'), /Invalid argument "link"/)
    }
  })
})

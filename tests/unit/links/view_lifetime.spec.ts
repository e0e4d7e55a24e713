import { test } from '@japa/runner'
import { cdnLifetime } from '../../../src/links/cdn_lifetime.ts'
import { viewerIpv4 } from '../../../src/cloudfront/policy.ts'
import { parseCdnUrl } from '../../../src/cdn_url.ts'
import { ProtectedLinks } from '../../../src/links/protected_links.ts'
import { CDN_URL, NOW, cdnSigner, cdnVerifier, makeSigner, openLink } from '../../helpers/links.ts'

type Settings = { signatureTimeout?: number; signatureWindow?: number; maxViewFor?: number }

const alice = { userId: 'alice' }

/**
 * The `uploads` disk with the lifetime settings under test (RSA test key,
 * frozen clock). NOW is a whole minute, so 60 s windows start on it.
 */
function disksWith(settings: Settings) {
  const protectedLinks = new ProtectedLinks({
    disk: 'uploads',
    signer: makeSigner(),
    cloudfront: cdnSigner,
    cdn: parseCdnUrl(CDN_URL, 'cdnUrl'),
    redirects: {
      expiresIn: settings.signatureTimeout ?? 1.5,
      window: settings.signatureWindow,
      maxViewFor: settings.maxViewFor,
    },
  })
  return (name: string) => (name === 'uploads' ? { protectedLinks } : undefined)
}

async function locationAt(
  link: string,
  offsetMs: number,
  settings: Settings,
  clientIp = '198.51.100.7'
) {
  const response = await openLink(link, alice, {
    disks: disksWith(settings),
    now: new Date(NOW + offsetMs),
    clientIp,
  })
  if (response.status !== 302) throw new Error(`expected a redirect, got ${response.status}`)
  return new URL(response.headers.Location)
}

const policyOf = (location: URL) =>
  JSON.parse(
    Buffer.from(
      location.searchParams.get('Policy')!.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'),
      'base64'
    ).toString()
  )

test.group('Redirect lifetimes: windows', () => {
  test('within a window every redirect gets the same URL, expiring on the boundary', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'photo.jpg', {
      userId: 'alice',
      now: new Date(NOW),
    })
    const settings = { signatureTimeout: 2, signatureWindow: 60 }
    const first = await locationAt(link, 0, settings)
    for (const offset of [1, 17_500, 57_999]) {
      const again = await locationAt(link, offset, settings)
      assert.equal(again.href, first.href, `+${offset} ms`)
    }
    assert.equal(first.searchParams.get('Expires'), String(NOW / 1000 + 60))
    // Less than signatureTimeout before the boundary: the next boundary.
    const late = await locationAt(link, 58_001, settings)
    assert.equal(late.searchParams.get('Expires'), String(NOW / 1000 + 120))
    assert.notEqual(late.href, first.href)
  })

  test('a windowed URL lives at least signatureTimeout and at most window + signatureTimeout', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'photo.jpg', {
      userId: 'alice',
      now: new Date(NOW),
    })
    const settings = { signatureTimeout: 2, signatureWindow: 60 }
    for (let offset = 0; offset < 180_000; offset += 7_321) {
      const location = await locationAt(link, offset, settings)
      const verify = (at: number) =>
        cdnVerifier.verify({ url: location.href, now: new Date(NOW + at) })
      assert.isTrue(verify(offset + 1_999).ok, `+${offset}: alive signatureTimeout later`)
      // A copy of the URL is refused once window + signatureTimeout have passed.
      assert.deepInclude(verify(offset + 62_000), { ok: false, reason: 'expired' }, `+${offset}`)
    }
  })

  test('without a window, redirects one second apart get different URLs (the default)', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'photo.jpg', {
      userId: 'alice',
      now: new Date(NOW),
    })
    const first = await locationAt(link, 0, {})
    const second = await locationAt(link, 1_000, {})
    assert.notEqual(first.href, second.href)
    assert.equal(first.searchParams.get('Expires'), String(NOW / 1000 + 2))
  })
})

test.group('Redirect lifetimes: viewFor and IP binding', () => {
  test("the link's viewFor sets the lifetime, capped by the disk's maxViewFor", async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'talk.webm', {
      userId: 'alice',
      viewFor: '2h',
      now: new Date(NOW),
    })
    const capped = await locationAt(link, 0, { maxViewFor: 600 })
    assert.equal(capped.searchParams.get('Expires'), String(NOW / 1000 + 600))
    const full = await locationAt(link, 0, { maxViewFor: 7200 })
    assert.equal(full.searchParams.get('Expires'), String(NOW / 1000 + 7200))
    // A disk that allows no longer views (any more) keeps the short timeout.
    const none = await locationAt(link, 0, {})
    assert.equal(none.searchParams.get('Expires'), String(NOW / 1000 + 2))
    // With a window too: the boundary after the view lifetime.
    const windowed = await locationAt(link, 30_000, { maxViewFor: 7200, signatureWindow: 300 })
    assert.equal(windowed.searchParams.get('Expires'), String(NOW / 1000 + 7500))
  })

  test('an IP-bound link binds the URL to the viewer; another address is refused', async ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'talk.webm', {
      userId: 'alice',
      viewFor: 600,
      bindIp: true,
      now: new Date(NOW),
    })
    const location = await locationAt(link, 0, { maxViewFor: 600 }, '::ffff:198.51.100.7')
    assert.isNull(location.searchParams.get('Expires'))
    const policy = policyOf(location)
    assert.deepEqual(policy.Statement[0].Condition.IpAddress, { 'AWS:SourceIp': '198.51.100.7/32' })
    assert.equal(policy.Statement[0].Condition.DateLessThan['AWS:EpochTime'], NOW / 1000 + 600)
    const from = (clientIp: string) =>
      cdnVerifier.verify({ url: location.href, now: new Date(NOW + 300_000), clientIp })
    assert.isTrue(from('198.51.100.7').ok)
    assert.deepInclude(from('198.51.100.8'), { ok: false, reason: 'ip-not-allowed' })
    assert.deepInclude(from('203.0.113.7'), { ok: false, reason: 'ip-not-allowed' })
  })

  test('an IPv6 viewer of an IP-bound link gets the short, unbound default', async ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'talk.webm', {
      userId: 'alice',
      viewFor: 600,
      bindIp: true,
      now: new Date(NOW),
    })
    for (const address of ['2001:db8::7', '::1', 'unknown']) {
      const location = await locationAt(link, 0, { maxViewFor: 600 }, address)
      assert.equal(location.searchParams.get('Expires'), String(NOW / 1000 + 2), address)
      assert.isNull(location.searchParams.get('Policy'))
    }
  })

  test('viewerIpv4 takes IPv4 and IPv4-mapped IPv6 only', ({ assert }) => {
    assert.equal(viewerIpv4('192.0.2.1'), '192.0.2.1')
    assert.equal(viewerIpv4('::ffff:192.0.2.1'), '192.0.2.1')
    assert.equal(viewerIpv4('::FFFF:192.0.2.1'), '192.0.2.1')
    for (const other of ['::1', '2001:db8::1', '', 'localhost', '192.0.2.1/24', '999.0.0.1']) {
      assert.isUndefined(viewerIpv4(other), other)
    }
  })

  test('viewFor never shortens below signatureTimeout', ({ assert }) => {
    const timing = cdnLifetime(
      { ok: true, expiresAt: new Date(0), overrides: {}, viewFor: 1 },
      { expiresIn: 5, maxViewFor: 600 },
      NOW,
      undefined
    )
    assert.deepEqual(timing, { expiresIn: 5 })
  })
})

import { test } from '@japa/runner'
import { parseCdnUrl } from '../../../src/cdn_url.ts'
import { LinkSigner } from '../../../src/links/signer.ts'
import { ProtectedLinks } from '../../../src/links/protected_links.ts'
import type { VerifyInput } from '../../../src/links/types.ts'
import { SignedUrlCache } from '../../../src/signed_url_cache.ts'
import { CDN_URL, NOW, SECRET, cdnSigner, openLink } from '../../helpers/links.ts'

/**
 * A real link signer that counts the links it checks, so a test can tell
 * a remembered answer from a computed one.
 */
class CountingSigner extends LinkSigner {
  checked = 0
  override verify(input: VerifyInput) {
    this.checked++
    return super.verify(input)
  }
}

/**
 * A windowed disk (one-minute window, a cache of `size` URLs, `maxViewFor`
 * if given) and a link of alice's to `key` on it, made with revision 1 in
 * the `web` realm.
 */
function windowedDisk(size = 100, maxViewFor?: number) {
  const signer = new CountingSigner({ secrets: [SECRET] })
  const links = new ProtectedLinks({
    disk: 'uploads',
    signer,
    cloudfront: cdnSigner,
    cdn: parseCdnUrl(CDN_URL, 'cdnUrl'),
    redirects: { expiresIn: 1.5, window: 60, maxViewFor },
    cache: new SignedUrlCache(size),
  })
  const disks = (name: string) => (name === 'uploads' ? { protectedLinks: links } : undefined)
  const linkTo = (key: string, expiresIn: number | string = '10m') =>
    signer.linkFor('uploads', key, {
      userId: 1,
      realm: 'web',
      revision: 1,
      expiresIn,
      now: new Date(NOW),
    })
  const alice = { userId: 1, realm: 'web', revision: 1 }
  return { signer, disks, linkTo, alice }
}

/**
 * The status of opening `link` (see `openLink`).
 */
async function statusOf(...args: Parameters<typeof openLink>): Promise<number> {
  const { status } = await openLink(...args)
  return status
}

test.group('Links | a windowed disk remembers the links it verified', () => {
  test('the second opening of a link skips the MAC and gets the same Location', async ({
    assert,
  }) => {
    const { signer, disks, linkTo, alice } = windowedDisk()
    const link = linkTo('photos/cat.jpg')
    const first = await openLink(link, alice, { disks })
    const second = await openLink(link, alice, { disks, now: new Date(NOW + 5_000) })
    assert.equal(first.status, 302)
    assert.equal(second.status, 302)
    assert.equal(second.headers.Location, first.headers.Location)
    assert.equal(signer.checked, 1)
  })

  test('a remembered link gets a new URL for the next window, and keeps its own expiry', async ({
    assert,
  }) => {
    const { disks, linkTo, alice } = windowedDisk()
    const link = linkTo('photos/cat.jpg')
    const expiryAt = async (ms: number) => {
      const response = await openLink(link, alice, { disks, now: new Date(NOW + ms) })
      return new URL(response.headers.Location).searchParams.get('Expires')
    }
    // NOW is a minute boundary: the URL expires at the next one while 1.5 s still fit before it.
    const first = await expiryAt(0)
    assert.equal(first, String(NOW / 1000 + 60))
    assert.equal(await expiryAt(58_500), first)
    assert.equal(await expiryAt(58_501), String(NOW / 1000 + 120))
    assert.equal(await expiryAt(59_000), String(NOW / 1000 + 120))
  })

  test('a remembered IP-bound link is signed for each viewer address', async ({ assert }) => {
    const { signer, disks } = windowedDisk(100, 3600)
    const link = signer.linkFor('uploads', 'talk.wav', {
      userId: 1,
      viewFor: 600,
      bindIp: true,
      now: new Date(NOW),
    })
    const policyFor = async (clientIp: string) => {
      const response = await openLink(link, { userId: 1 }, { disks, clientIp })
      const policy = new URL(response.headers.Location).searchParams.get('Policy')!
      return Buffer.from(
        policy.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'),
        'base64'
      ).toString()
    }
    assert.include(await policyFor('203.0.113.7'), '203.0.113.7/32')
    assert.include(await policyFor('198.51.100.2'), '198.51.100.2/32')
    assert.include(await policyFor('203.0.113.7'), '203.0.113.7/32')
    assert.equal(signer.checked, 1)
  })

  test('a remembered link still opens for nobody else: {name}')
    .with([
      { name: 'bob', user: { userId: 2, realm: 'web', revision: 1 }, status: 403 },
      { name: 'a guest', user: { userId: null }, status: 401 },
      { name: 'alice as "1"', user: { userId: '1', realm: 'web', revision: 1 }, status: 302 },
      { name: 'alice, revoked', user: { userId: 1, realm: 'web', revision: 2 }, status: 403 },
      { name: 'admin #1', user: { userId: 1, realm: 'admin', revision: 1 }, status: 403 },
      { name: 'alice, no revision', user: { userId: 1, realm: 'web' }, status: 403 },
    ])
    .run(async ({ assert }, { user, status }) => {
      const { disks, linkTo, alice } = windowedDisk()
      const link = linkTo('photos/cat.jpg')
      assert.equal(await statusOf(link, alice, { disks }), 302)
      // Each is checked in full (not remembered for alice), and the
      // remembered answer is not given to anyone but the same user.
      const { realm, ...rest } = user as typeof user & { realm?: string }
      const response = await openLink(link, rest, { disks, ...(realm ? { realm } : {}) })
      assert.equal(response.status, status)
      assert.equal(await statusOf(link, alice, { disks }), 302, 'alice still opens it')
    })

  test('a changed link is checked in full and refused', async ({ assert }) => {
    const { disks, linkTo, alice } = windowedDisk()
    const link = linkTo('photos/cat.jpg')
    assert.equal(await statusOf(link, alice, { disks }), 302)
    const expiry = Number(new URL(link, 'https://app.test').searchParams.get('e'))
    for (const changed of [
      link.replace(`e=${expiry}`, `e=${expiry + 3600}`),
      link.replace('photos/cat.jpg', 'photos/dog.jpg'),
      `${link}&ct=text%2Fhtml`,
    ]) {
      const response = await openLink(changed, alice, { disks })
      assert.equal(response.status, 403, changed)
    }
  })

  test('a remembered link asked for under another disk name is checked in full', async ({
    assert,
  }) => {
    const { signer, disks, linkTo, alice } = windowedDisk()
    const link = linkTo('photos/cat.jpg')
    assert.equal(await statusOf(link, alice, { disks }), 302)
    const query = link.slice(link.indexOf('?') + 1)
    const input = { key: 'photos/cat.jpg', query, ...alice, now: new Date(NOW) }
    const links = disks('uploads')!.protectedLinks
    assert.isTrue(links.verify({ disk: 'uploads', ...input }).ok)
    assert.deepEqual(links.verify({ disk: 'archive', ...input }), {
      ok: false,
      reason: 'bad-signature',
    })
    assert.equal(signer.checked, 2, 'only the first request and the other disk were checked')
  })

  test('a remembered link expires on time (frozen clock)', async ({ assert }) => {
    const { signer, disks, linkTo, alice } = windowedDisk()
    const link = linkTo('photos/cat.jpg', 30)
    assert.equal(await statusOf(link, alice, { disks }), 302)
    const at = (ms: number) => openLink(link, alice, { disks, now: new Date(NOW + ms) })
    const before = await at(29_999)
    const expired = await at(30_000)
    assert.equal(before.status, 302)
    assert.equal(expired.status, 403)
    assert.deepInclude(expired.event, { reason: 'expired' })
    assert.equal(signer.checked, 1, 'both answered from memory')
  })

  test('it remembers at most the cache size, least recently used out first', async ({ assert }) => {
    const { signer, disks, linkTo, alice } = windowedDisk(3)
    const first = linkTo('k/0')
    await openLink(first, alice, { disks })
    for (let i = 1; i <= 50; i++) await openLink(linkTo(`k/${i}`), alice, { disks })
    assert.equal(signer.checked, 51)
    assert.equal(await statusOf(first, alice, { disks }), 302)
    assert.equal(signer.checked, 52, 'the first link had been forgotten')
  })
})

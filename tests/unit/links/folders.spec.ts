// The folder links of docs/protected-links.md (folders by signed cookies).
import { test } from '@japa/runner'
import { CloudFrontVerifier } from '../../../src/cloudfront/verifier.ts'
import { DjamazingDriver } from '../../../src/driver.ts'
import { folderCookieClearing, rememberFolder } from '../../../src/links/folder_cookies.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'
import { SECRET, openLink } from '../../helpers/links.ts'

const CDN = 'https://cdn.example.com/media'

function disk(options: Partial<DjamazingOptions> = {}) {
  return new DjamazingDriver(
    protectedDiskOptions({
      prefix: 'uploads/',
      cdnUrl: CDN,
      links: { secrets: [SECRET], currentUserId: () => 'alice' },
      folderCookies: { expiresIn: '30m', domain: '.example.com' },
      ...options,
    })
  )
}

const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })

/**
 * A cookie jar's view of `Set-Cookie` values: name → value.
 */
function jar(setCookies: string[]): Record<string, string> {
  return Object.fromEntries(
    setCookies.map((header) => header.split(';')[0].split('=') as [string, string])
  )
}

test.group('Folder links', () => {
  test('the redirect sets signed cookies for the folder and sends the browser to the unsigned entry', async ({
    assert,
  }) => {
    const uploads = disk()
    const link = await uploads.linkForFolder('courses/12/hls', { entry: 'index.m3u8' })
    assert.match(
      link,
      /^\/djamazing\/uploads\/courses\/12\/hls\/index\.m3u8\?e=\d+&f=courses%2F12%2Fhls%2F&s=/
    )
    const response = await openLink(
      link,
      { userId: 'alice' },
      { disks: () => uploads, now: new Date() }
    )
    assert.equal(response.status, 302)
    assert.equal(response.headers['Cache-Control'], 'private, no-store')
    assert.equal(response.headers.Location, `${CDN}/uploads/courses/12/hls/index.m3u8`)
    const setCookies = response.setCookies!
    for (const header of setCookies.filter((value) => value.startsWith('CloudFront-'))) {
      assert.include(
        header,
        '; Path=/media/uploads/courses/12/hls/; Domain=.example.com; Max-Age=1800; Secure; HttpOnly; SameSite=Lax'
      )
    }
    const cookies = jar(setCookies)
    const at = (url: string, ms = 0) =>
      verifier.verify({ url, cookies, now: new Date(Date.now() + ms) })
    assert.isTrue(at(`${CDN}/uploads/courses/12/hls/segment-000.ts`).ok)
    assert.isTrue(at(`${CDN}/uploads/courses/12/hls/720p/segment-019.ts`).ok)
    assert.deepInclude(at(`${CDN}/uploads/courses/12/other.ts`), {
      ok: false,
      reason: 'resource-mismatch',
    })
    assert.deepInclude(at(`${CDN}/uploads/courses/123/hls/a.ts`), {
      ok: false,
      reason: 'resource-mismatch',
    })
    assert.deepInclude(at(`${CDN}/uploads/courses/12/hls/a.ts`, 1_801_000), {
      ok: false,
      reason: 'expired',
    })
    // The app remembers where it put them, for logout.
    // As long as the folder cookies, so a browser restart keeps it too.
    assert.match(
      setCookies.at(-1)!,
      /^djamazing-folders=\/media\/uploads\/courses\/12\/hls\/\|\.example\.com\|\d+; Path=\/; Max-Age=1800; HttpOnly/
    )
  })

  test('bob and a guest get no cookies; a disk without folderCookies refuses folder links', async ({
    assert,
  }) => {
    const uploads = disk()
    const link = await uploads.linkForFolder('courses/12/hls/', { entry: 'index.m3u8' })
    const bob = await openLink(link, { userId: 'bob' }, { disks: () => uploads, now: new Date() })
    assert.equal(bob.status, 403)
    assert.isUndefined(bob.setCookies)
    const guest = await openLink(link, { userId: null }, { disks: () => uploads, now: new Date() })
    assert.equal(guest.status, 401)
    assert.isUndefined(guest.setCookies)

    const plain = disk({ folderCookies: undefined })
    await assert.rejects(
      () => plain.linkForFolder('courses/12/hls/', { entry: 'index.m3u8' }),
      /Invalid link option "folder": this disk has no folderCookies setting/
    )
    // A genuine folder link presented to a disk that no longer opens folders.
    const refused = await openLink(
      link,
      { userId: 'alice' },
      { disks: () => plain, now: new Date() }
    )
    assert.equal(refused.status, 403)
    assert.isUndefined(refused.setCookies)
  })

  test('bindIp: an IPv4 viewer gets bound cookies; a viewer that cannot be bound gets no more than an unbound redirect', async ({
    assert,
  }) => {
    const uploads = disk()
    const link = await uploads.linkForFolder('courses/12/hls', {
      entry: 'index.m3u8',
      bindIp: true,
    })
    const now = new Date()
    const open = (clientIp: string | undefined) =>
      openLink(link, { userId: 'alice' }, { disks: () => uploads, now, clientIp })
    const segment = `${CDN}/uploads/courses/12/hls/segment-000.ts`
    const at = (cookies: Record<string, string>, clientIp: string, ms = 0) =>
      verifier.verify({ url: segment, cookies, clientIp, now: new Date(now.getTime() + ms) })

    // IPv4 (also IPv4-mapped): bound, for the folder's whole lifetime.
    for (const viewer of ['203.0.113.5', '::ffff:203.0.113.5']) {
      const bound = await open(viewer)
      assert.equal(bound.status, 302)
      const cookies = jar(bound.setCookies!)
      assert.isTrue(at(cookies, '203.0.113.5', 1_700_000).ok)
      assert.deepInclude(at(cookies, '198.51.100.9'), { ok: false, reason: 'ip-not-allowed' })
    }

    // IPv6 or no address: the IP condition cannot be written, so the
    // cookies are what an unbound redirect hands out (redirects.expiresIn,
    // 1.5 s here), never the folder's 30 minutes unbound.
    for (const viewer of ['2001:db8::7', '::1', undefined]) {
      const unbindable = await open(viewer)
      assert.equal(unbindable.status, 302, String(viewer))
      for (const header of unbindable.setCookies!.filter((v) => v.startsWith('CloudFront-'))) {
        assert.include(header, '; Max-Age=2;', String(viewer))
      }
      const cookies = jar(unbindable.setCookies!)
      assert.isTrue(at(cookies, '198.51.100.9').ok, 'usable right away, from anywhere')
      assert.deepInclude(at(cookies, '198.51.100.9', 3_000), { ok: false, reason: 'expired' })
    }
  })

  test('logout clears every remembered folder, and only well-formed ones', ({ assert }) => {
    let header = ''
    const now = new Date(1_900_000_000_000)
    for (const path of ['/media/a/', '/media/b/', '/media/a/']) {
      const remembered = rememberFolder(
        header,
        { path, domain: '.example.com' },
        {
          maxAge: 60,
          now,
        }
      )
      header = remembered.at(-1)!.split(';')[0]
    }
    assert.equal(
      header,
      'djamazing-folders=/media/b/|.example.com|1900000060,/media/a/|.example.com|1900000060'
    )
    const clearing = folderCookieClearing(`session=1; ${header},evil;path|x y`)
    assert.lengthOf(clearing, 2 * 5 + 1)
    assert.include(
      clearing,
      'CloudFront-Policy=; Path=/media/a/; Domain=.example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT'
    )
    assert.equal(
      clearing.at(-1),
      'djamazing-folders=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT'
    )
    assert.deepEqual(folderCookieClearing(undefined), [clearing.at(-1)])
  })

  test('logout removes every folder cookie: after 21 folders, and after a browser restart', async ({
    assert,
  }) => {
    const uploads = disk()
    /**
     * A browser's cookie jar, as RFC 6265 keeps it: one cookie per name,
     * path and domain; `Max-Age=0` deletes; a cookie without `Max-Age`
     * or `Expires` is a session cookie, dropped when the browser restarts.
     */
    const browser = new Map<string, { value: string; persistent: boolean }>()
    const store = (setCookies: string[]) => {
      for (const header of setCookies) {
        const [pair, ...attributes] = header.split('; ')
        const name = pair.slice(0, pair.indexOf('='))
        const attribute = (wanted: string) =>
          attributes.find((a) => a.toLowerCase().startsWith(`${wanted}=`))?.split('=')[1]
        const id = `${name} ${attribute('path') ?? '/'} ${attribute('domain') ?? ''}`
        const maxAge = attribute('max-age')
        if (maxAge === '0') browser.delete(id)
        else
          browser.set(id, { value: pair.slice(name.length + 1), persistent: maxAge !== undefined })
      }
    }
    const cookieHeader = () =>
      [...browser].map(([id, cookie]) => `${id.split(' ')[0]}=${cookie.value}`).join('; ')
    const restart = () => {
      for (const [id, cookie] of browser) if (!cookie.persistent) browser.delete(id)
    }
    const cloudFrontCookies = () => [...browser.keys()].filter((id) => id.startsWith('CloudFront-'))
    const openFolders = async (count: number) => {
      for (let n = 0; n < count; n++) {
        const link = await uploads.linkForFolder(`courses/${n}/hls/`, { entry: 'index.m3u8' })
        const response = await openLink(
          link,
          { userId: 'alice' },
          { disks: () => uploads, now: new Date(), cookies: cookieHeader() }
        )
        assert.equal(response.status, 302)
        store(response.setCookies!)
      }
    }

    await openFolders(21)
    assert.isAbove(cloudFrontCookies().length, 0)
    store(folderCookieClearing(cookieHeader()))
    assert.deepEqual(cloudFrontCookies(), [], 'after 21 folders, logout leaves none')

    await openFolders(1)
    restart()
    assert.isAbove(cloudFrontCookies().length, 0, 'the CloudFront cookies persist')
    store(folderCookieClearing(cookieHeader()))
    assert.deepEqual(cloudFrontCookies(), [], 'after a restart, logout leaves none')
  })

  test('a cookie domain the CDN is not under fails when the disk is created', ({ assert }) => {
    assert.throws(
      () => disk({ folderCookies: { domain: '.other.com' } }),
      /"services.uploads.folderCookies.domain": the CDN host "cdn.example.com" must be under the cookie domain/
    )
    assert.throws(() => disk({ folderCookies: { domain: 'com' } }), /folderCookies.domain/)
  })
})

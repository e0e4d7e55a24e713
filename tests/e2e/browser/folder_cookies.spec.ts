// Runs what docs/protected-links.md (folders by signed cookies) describes.
import { test } from '@japa/runner'
import type { HttpContext } from '@adonisjs/core/http'
import type { Page } from 'playwright-core'
import { clearFolderCookies } from '../../../index.ts'
import type { DjamazingDriver } from '../../../src/driver.ts'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'
import {
  launchChromium,
  skipBrowserTests,
  skipBrowserTestsReason,
  type Chromium,
} from '../../helpers/chromium.ts'
import { makeHlsFolder } from '../../helpers/hls.ts'

const FOLDER = 'courses/12/hls/'

/**
 * The app's pages for this test: one with alice's folder link, and a
 * logout that clears the folder cookies (the one line apps add).
 */
function routes(router: any, app: AdonisTestApp['app']) {
  router.get('/course', async (ctx: HttpContext) => {
    const drive = (await app.container.make('drive.manager')) as any
    const driver = drive.use('uploads').driver as DjamazingDriver
    const link = await driver.linkForFolder(FOLDER, { entry: 'index.m3u8' })
    ctx.response.header('content-type', 'text/html')
    return `<!doctype html><body><a id="course" href="${link}">course</a></body>`
  })
  router.post('/sign-out', async (ctx: HttpContext) => {
    await (ctx as any).auth.use('web').logout()
    clearFolderCookies(ctx)
    return { ok: true }
  })
}

/**
 * Runs in the page: follows the folder link with fetch (the redirect sets
 * the cookies and lands on the playlist), then fetches every segment the
 * playlist names, relative to it, as a player does.
 */
async function playFolder(page: Page, link: string) {
  return page.evaluate(async (href) => {
    const playlist = await fetch(href)
    const text = await playlist.text()
    const segments = text.split('\n').filter((line) => line && !line.startsWith('#'))
    const fetched = []
    for (const segment of segments) {
      const url = new URL(segment, playlist.url).href
      const response = await fetch(url)
      fetched.push({
        url,
        status: response.status,
        bytes: await response.arrayBuffer().then((body) => body.byteLength),
      })
    }
    return { playlistUrl: playlist.url, playlistStatus: playlist.status, fetched }
  }, link)
}

/**
 * Runs in the page: the edge's answer for `url` now (not a copy from the
 * browser's cache, which a logout does not empty).
 */
const statusOf = (page: Page, url: string) =>
  page.evaluate((href) => fetch(href, { cache: 'no-store' }).then((r) => r.status), url)

test.group('Folder links in a real browser: signed cookies for HLS', (group) => {
  let app: AdonisTestApp | undefined
  const browsers: Chromium[] = []
  group.each.teardown(async () => {
    for (const browser of browsers.splice(0)) await browser.close()
    await app?.stop()
    app = undefined
  })

  test(
    'a playlist and 20 segments load with cookies only; bob, a guest and alice after logout get 403'
  )
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(90_000)
    .run(async ({ assert }) => {
      app = await startAdonisApp({ routes, uploads: { folderCookies: { expiresIn: '10m' } } })
      const files = makeHlsFolder(20)
      for (const [name, bytes] of files) {
        await app.drive.use('uploads').put(`${FOLDER}${name}`, bytes, {
          contentType: name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
        })
      }
      const start = async (user: string | null) => {
        const browser = await launchChromium()
        browsers.push(browser)
        if (user) {
          const login = await browser.context.request.post(`${app!.baseUrl}/login`, {
            data: { name: user },
          })
          assert.equal(login.status(), 200)
        }
        const page = await browser.context.newPage()
        await page.goto(`${app!.baseUrl}/course`)
        return { browser, page }
      }

      const alice = await start('alice')
      const link = (await alice.page.getAttribute('#course', 'href'))!
      assert.include(link, `&f=${encodeURIComponent(FOLDER)}`)
      const played = await playFolder(alice.page, link)
      assert.equal(played.playlistStatus, 200)
      assert.equal(played.playlistUrl, `${app.baseUrl}/cdn/uploads/${FOLDER}index.m3u8`)
      assert.lengthOf(played.fetched, 20)
      for (const segment of played.fetched) {
        assert.equal(segment.status, 200, segment.url)
        assert.equal(segment.bytes, 20 * 188)
        // Cookies only: nothing signed in the URL.
        assert.notMatch(segment.url, /[?&](Signature|Policy|Expires|Key-Pair-Id)=/)
      }
      const cookies = await alice.browser.context.cookies(`${app.baseUrl}/cdn/uploads/${FOLDER}`)
      const policy = cookies.find((cookie) => cookie.name === 'CloudFront-Policy')!
      assert.exists(policy)
      assert.equal(policy.path, `/cdn/uploads/${FOLDER}`)
      assert.isTrue(policy.httpOnly)
      assert.equal(policy.sameSite, 'Lax')
      assert.isFalse(policy.secure, 'the test CDN is http')
      const segmentUrl = played.fetched[7].url

      // Bob: his own session, no cookies for alice's folder; alice's link refuses him.
      const bob = await start('bob')
      assert.equal(await statusOf(bob.page, segmentUrl), 403)
      assert.equal(await statusOf(bob.page, link), 403)
      // A guest: 403 for the segment, 401 for the link.
      const guest = await start(null)
      assert.equal(await statusOf(guest.page, segmentUrl), 403)
      assert.equal(await statusOf(guest.page, link), 401)

      // Alice logs out: the cookies are gone from her browser.
      assert.equal(await statusOf(alice.page, segmentUrl), 200)
      const signOut = await alice.browser.context.request.post(`${app.baseUrl}/sign-out`)
      assert.equal(signOut.status(), 200)
      const left = await alice.browser.context.cookies(`${app.baseUrl}/cdn/uploads/${FOLDER}`)
      assert.deepEqual(
        left.map((cookie) => cookie.name).filter((name) => name.startsWith('CloudFront-')),
        []
      )
      assert.equal(await statusOf(alice.page, segmentUrl), 403)
    })
})

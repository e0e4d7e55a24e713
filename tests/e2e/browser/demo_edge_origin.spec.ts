// The demo with the edge on its own origin (`npm run demo -- --edge-origin`,
// docs/development.md; the set-up of docs/local-edge.md, "On its own origin"),
// and the set-up mistakes a CDN on another origin shows.
import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import type { Page, Response } from 'playwright-core'
import { skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { PAST_DEFAULT_LIFETIME_MS, startDemoApp, type DemoApp } from '../../helpers/demo_app.ts'
import { demoInChromium, logIn } from '../../helpers/demo_browser.ts'
import { makePng } from '../../helpers/png.ts'

/**
 * Two host names, as app.example.com and cdn.example.com in production:
 * cookies are per host, not per port, so one host on two ports would
 * share every cookie and hide a cookie-domain mistake.
 */
const APP_HOST = 'app.djamazing.test'
const CDN_HOST = 'cdn.djamazing.test'
const HOSTS = {
  env: { DEMO_APP_HOST: APP_HOST, DEMO_EDGE_HOST: CDN_HOST },
  chromiumArgs: (demo: DemoApp) => [
    `--host-resolver-rules=MAP ${APP_HOST} 127.0.0.1, MAP ${CDN_HOST} 127.0.0.1`,
    // Production is https, a secure context; http on a name other than
    // localhost is not one, and the upload page's checksum needs one.
    `--unsafely-treat-insecure-origin-as-secure=${demo.url},${cdnUrlOf(demo.output()).replace(/\/cdn$/, '')}`,
  ],
}

type WireResponse = { url: string; status: number; headers: Record<string, string> }

/**
 * The responses as they came over the wire, also those the browser then
 * hid from the page (a CORS failure is a network error to scripts, and
 * Playwright reports no response for it): from Chromium's DevTools protocol.
 */
async function wireResponses(page: Page): Promise<WireResponse[]> {
  const cdp = await page.context().newCDPSession(page)
  const urls = new Map<string, string>()
  const seen: WireResponse[] = []
  cdp.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url))
  cdp.on('Network.responseReceivedExtraInfo', (event) => {
    const headers = Object.fromEntries(
      Object.entries(event.headers).map(([name, value]) => [name.toLowerCase(), String(value)])
    )
    seen.push({ url: urls.get(event.requestId) ?? '', status: event.statusCode, headers })
  })
  await cdp.send('Network.enable')
  return seen
}

const naturalWidth = (image: unknown) => (image as { naturalWidth: number }).naturalWidth

/**
 * The CDN URL the demo printed.
 */
function cdnUrlOf(output: string): string {
  return output.match(/CloudFront edge {2}(http:\/\/\S+)/)![1]
}

/**
 * Runs in the page: plays the sample stream with the page's hls.js, then
 * seeks it near its end. Resolves with where it got, or hls.js's fatal error.
 */
function playSampleStream(page: Page) {
  return page.evaluate(async () => {
    const document = (globalThis as any).document
    const video = document.querySelector('#stream')
    const status = document.querySelector('#stream-status')
    const deadline = Date.now() + 30_000
    // Resolves when `done()` holds, checked on each of the events that can
    // change it; fails at the deadline.
    const until = (done: () => boolean, subscribe: (check: () => void) => () => void) =>
      new Promise<void>((resolve, reject) => {
        let unsubscribe = () => {}
        const timer = setTimeout(() => {
          unsubscribe()
          reject(new Error(`stuck: ${video.currentTime}, "${status.textContent}"`))
        }, deadline - Date.now())
        const check = () => {
          if (!done()) return
          clearTimeout(timer)
          unsubscribe()
          resolve()
        }
        unsubscribe = subscribe(check)
        check()
      })
    const onStatusChange = (check: () => void) => {
      const observer = new (globalThis as any).MutationObserver(check)
      observer.observe(status, { childList: true, characterData: true, subtree: true })
      return () => observer.disconnect()
    }
    const onTimeUpdate = (check: () => void) => {
      video.addEventListener('timeupdate', check)
      return () => video.removeEventListener('timeupdate', check)
    }
    await until(() => status.textContent !== '', onStatusChange)
    if (status.textContent !== 'Ready') return { error: status.textContent }
    await video.play()
    await until(() => video.currentTime > 1, onTimeUpdate)
    const played = video.currentTime
    const seeked = new Promise((resolve) => video.addEventListener('seeked', resolve))
    video.currentTime = 10
    await seeked
    await until(() => video.currentTime > 10.5, onTimeUpdate)
    return { played, time: video.currentTime, duration: video.duration, error: null }
  })
}

/**
 * Runs in the page: a new hls.js on the sample stream's folder link,
 * configured by `credentials` (whether its requests carry cookies across
 * origins), resolving with the first fatal error or `parsed`.
 */
function loadWithHls(page: Page, credentials: boolean) {
  return page.evaluate(async (withCredentials) => {
    const Hls = (globalThis as any).Hls
    const link = (globalThis as any).document.querySelector('#stream').dataset.src
    const hls = new Hls({
      ...(withCredentials && {
        xhrSetup: (xhr: { withCredentials: boolean }) => (xhr.withCredentials = true),
      }),
      manifestLoadPolicy: {
        default: {
          maxTimeToFirstByteMs: 10_000,
          maxLoadTimeMs: 10_000,
          timeoutRetry: null,
          errorRetry: null,
        },
      },
    })
    const outcome = await new Promise<string>((resolve) => {
      hls.on(Hls.Events.MANIFEST_PARSED, () => resolve('parsed'))
      hls.on(Hls.Events.ERROR, (_event: unknown, data: any) => {
        if (data.fatal) resolve(`${data.details} ${data.response?.code ?? ''}`.trim())
      })
      hls.loadSource(link)
    })
    hls.destroy()
    return outcome
  }, credentials)
}

/**
 * Alice's user id: the folder of her sample stream, from its folder link.
 */
async function aliceId(page: Page): Promise<string> {
  const link = (await page.getAttribute('#stream', 'data-src'))!
  return new URL(link, 'http://app.invalid').searchParams.get('f')!.split('/')[0]
}

test.group('Demo in a real browser, the edge on its own origin', (group) => {
  const open = demoInChromium(group)

  test(
    'row 48: images, a download, a video seek and a folder link through hls.js, with CORS and cookies on the CDN host'
  )
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(180_000)
    .run(async ({ assert }) => {
      const { demo, page } = await open({ edgeOrigin: true, ...HOSTS })
      const cdnUrl = cdnUrlOf(demo.output())
      assert.match(demo.url, new RegExp(`^http://${APP_HOST}:\\d+$`))
      assert.match(cdnUrl, new RegExp(`^http://${CDN_HOST}:\\d+/cdn$`))
      assert.notEqual(new URL(cdnUrl).port, new URL(demo.url).port)
      const responses: Response[] = []
      page.on('response', (response) => responses.push(response))

      await logIn(page, demo, 'alice')
      // The public logo, from the CDN's origin.
      const logo = page.locator('#logo')
      assert.equal(await logo.getAttribute('src'), `${cdnUrl}/static/logo.svg`)
      await page.waitForFunction("document.querySelector('#logo').complete")
      assert.isAbove(await logo.evaluate(naturalWidth), 0)
      // The app itself no longer answers the CDN's paths.
      const onApp = await page.evaluate(
        (url) => fetch(url).then((response) => response.status),
        `${demo.url}/cdn/static/logo.svg`
      )
      assert.equal(onApp, 404)

      // An image: app link, 302 to the CDN's origin, 200 there.
      const png = makePng(24, 16, Date.now() % 251)
      await page.setInputFiles('#file', { name: 'pixels.png', mimeType: 'image/png', buffer: png })
      await Promise.all([page.waitForURL(`${demo.url}/files`), page.click('#upload')])
      await page.waitForFunction("document.querySelector('#gallery img')?.complete")
      assert.equal(await page.locator('#gallery img').first().evaluate(naturalWidth), 24)
      const hop = responses.find(
        (response) =>
          response.status() === 302 && response.url().includes('/djamazing/uploads/variants/')
      )!
      const location = (await hop.headerValue('location'))!
      assert.isTrue(location.startsWith(`${cdnUrl}/uploads/`), location)
      assert.equal(responses.find((response) => response.url() === location)?.status(), 200)

      // A download: a navigation to the CDN's origin, named by its signed Content-Disposition.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#gallery a.download >> nth=0'),
      ])
      assert.equal(download.suggestedFilename(), 'pixels.png')
      assert.deepEqual(await readFile((await download.path())!), png)

      // A video, seeked after the short signature timeout has passed.
      await page.setInputFiles('#file', {
        name: 'clip.webm',
        mimeType: 'video/webm',
        buffer: await readFile(new URL('../../fixtures/testsrc-12s.webm', import.meta.url)),
      })
      await Promise.all([page.waitForURL(`${demo.url}/files`), page.click('#upload')])
      const video = page.locator('#gallery video').first()
      await page.waitForFunction("document.querySelector('#gallery video')?.readyState >= 1")
      // The demo's clock past its window and its redirects.expiresIn.
      await demo.advanceClock(PAST_DEFAULT_LIFETIME_MS)
      const seek = await video.evaluate(async (element: any) => {
        // Seeked, or failed (a refused Range request): no wait until the test's timeout.
        const seeked = new Promise((resolve) => {
          element.addEventListener('seeked', resolve, { once: true })
          element.addEventListener('error', resolve, { once: true })
        })
        element.currentTime = element.duration * 0.9
        await seeked
        return {
          time: element.currentTime,
          duration: element.duration,
          error: element.error?.message ?? null,
        }
      })
      assert.isNull(seek.error)
      assert.isAtLeast(seek.time, seek.duration * 0.89)
      const ranges = responses.filter(
        (response) => response.status() === 206 && response.url().startsWith(cdnUrl)
      )
      assert.isNotEmpty(ranges, 'the seek read ranges from the CDN')

      // The folder link through hls.js: cookies on the CDN's host, CORS with credentials.
      await page.click('#play-stream')
      const stream = await playSampleStream(page)
      assert.isNull(stream.error)
      assert.closeTo(stream.duration!, 12, 0.2)
      assert.isAbove(stream.time!, 10.5)
      const segments = responses.filter((response) => /segment-\d+\.ts$/.test(response.url()))
      assert.isAtLeast(segments.length, 5)
      for (const segment of segments) {
        assert.equal(segment.status(), 200, segment.url())
        assert.isTrue(segment.url().startsWith(`${cdnUrl}/uploads/`), segment.url())
        // Cookies only: nothing signed in the URL.
        assert.notMatch(segment.url(), /[?&](Signature|Policy|Key-Pair-Id)=/)
        assert.equal(await segment.headerValue('access-control-allow-origin'), demo.url)
        assert.equal(await segment.headerValue('access-control-allow-credentials'), 'true')
      }
      const cookies = await page.context().cookies(segments[0].url())
      const policy = cookies.find((cookie) => cookie.name === 'CloudFront-Policy')
      assert.equal(policy?.domain, '.djamazing.test')
      // The app's session cookie stays on the app's host.
      const session = await page.context().cookies(`${cdnUrl}/`)
      assert.notInclude(
        session.map((cookie) => cookie.name),
        'djamazing-demo-session'
      )
      assert.deepEqual(
        responses.filter((response) => response.status() === 403).map((r) => r.url()),
        []
      )
    })

  test(
    "row 48: a CDN whose CORS settings lack the app's origin: the browser blocks hls.js and fetch, images still show"
  )
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(120_000)
    .run(async ({ assert }) => {
      const { demo, page } = await open({
        edgeOrigin: true,
        ...HOSTS,
        env: { ...HOSTS.env, CLOUDFRONT_CORS_ORIGINS: 'http://www.djamazing.test' },
      })
      const cdnUrl = cdnUrlOf(demo.output())
      const blocked: string[] = []
      page.on('console', (message) => {
        if (/blocked by CORS policy/.test(message.text())) blocked.push(message.text())
      })
      const wire = await wireResponses(page)
      await logIn(page, demo, 'alice')
      const userId = await aliceId(page)

      // hls.js: the playlist arrives (200 on the wire) and the page may not read it.
      await page.click('#play-stream')
      const status = page.locator('#stream-status')
      await status.filter({ hasText: /./ }).waitFor()
      assert.equal(await status.textContent(), 'Cannot play: manifestLoadError')
      const playlistUrl = `${cdnUrl}/uploads/${userId}/sample-stream/index.m3u8`
      const playlist = wire.find((response) => response.url === playlistUrl)
      assert.equal(playlist?.status, 200)
      assert.notProperty(
        playlist!.headers,
        'access-control-allow-origin',
        'no CORS header for an origin the policy does not name'
      )
      assert.isTrue(blocked.some((message) => message.includes(playlistUrl)))

      // fetch: a TypeError, where the same request from the allowed origin reads the body.
      const fetched = await page.evaluate(async (url) => {
        try {
          await fetch(url)
          return 'read'
        } catch (error) {
          return (error as Error).name
        }
      }, `${cdnUrl}/static/logo.svg`)
      assert.equal(fetched, 'TypeError')

      // What needs no CORS still works: the logo.
      await page.waitForFunction("document.querySelector('#logo').complete")
      assert.isAbove(await page.locator('#logo').evaluate(naturalWidth), 0)
    })

  test('row 10: folder cookies reach the CDN only from requests with credentials')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(120_000)
    .run(async ({ assert }) => {
      const { demo, page } = await open({ edgeOrigin: true, ...HOSTS })
      const wire = await wireResponses(page)
      await logIn(page, demo, 'alice')
      await page.click('#play-stream')
      await page.locator('#stream-status', { hasText: 'Ready' }).waitFor()
      assert.deepEqual(
        wire.filter((response) => response.status === 403),
        []
      )

      // hls.js without `withCredentials`: the redirect sets the cookies, and
      // the cross-origin request for the playlist goes out without them. (Not
      // from the browser's cache, which the page's own player filled.)
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Network.clearBrowserCache')
      // The page sees a network error (status 0): the 403 carries no CORS headers.
      assert.equal(await loadWithHls(page, false), 'manifestLoadError 0')
      const refused = wire.filter((response) => response.status === 403)
      assert.lengthOf(refused, 1)
      assert.match(refused[0].url, /\/sample-stream\/index\.m3u8$/)
      assert.isTrue(refused[0].url.startsWith(cdnUrlOf(demo.output())))
      // The same with credentials plays.
      assert.equal(await loadWithHls(page, true), 'parsed')
    })

  // No browser: djamazing refuses the set-up before any page is served.
  test('row 10: a cookie domain that does not cover the CDN host stops the app at boot')
    .timeout(120_000)
    .run(async ({ assert }) => {
      const error = await startDemoApp({
        edgeOrigin: true,
        env: { ...HOSTS.env, CLOUDFRONT_COOKIE_DOMAIN: APP_HOST },
      }).then(
        async (demo) => {
          await demo.stop()
          return undefined
        },
        (failure: Error) => failure
      )
      assert.exists(error, 'the demo started')
      assert.include(error!.message, 'E_DJAMAZING_INVALID_CONFIG')
      assert.include(
        error!.message,
        `"services.uploads.folderCookies.domain": the CDN host "${CDN_HOST}" must be under the cookie domain`
      )
    })
})

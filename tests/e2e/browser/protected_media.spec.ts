// Runs what docs/protected-links.md (repeat views, media and downloads) describes.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import type { HttpContext } from '@adonisjs/core/http'
import type { Page } from 'playwright-core'
import type { DjamazingDriver } from '../../../src/driver.ts'
import type { DjamazingServiceConfig } from '../../../src/adonis/types.ts'
import {
  startAdonisApp,
  type AdonisTestApp,
  type AdonisTestAppOptions,
} from '../../helpers/adonis_app.ts'
import { networkBytes, watchCdnTraffic, type CdnTraffic } from '../../helpers/cdn_traffic.ts'
import {
  launchChromium,
  skipBrowserTests,
  skipBrowserTestsReason,
  type Chromium,
} from '../../helpers/chromium.ts'
import { forwardingProxy, type ProxiedRequest } from '../../helpers/fault_servers.ts'
import { makePng } from '../../helpers/png.ts'
import { makeWav } from '../../helpers/wav.ts'
import { installTestClock, type TestClock } from '../../helpers/test_clock.ts'

/**
 * A real VP8/Vorbis WebM, 12 s, 320x180, made with Debian's ffmpeg 5.1:
 * `ffmpeg -f lavfi -i testsrc2=size=320x180:rate=15:duration=12 -f lavfi
 * -i sine=frequency=440:duration=12 -c:v libvpx -b:v 200k -g 15 -c:a
 * libvorbis -q:a 1 -shortest testsrc-12s.webm`
 */
const WEBM = new URL('../../fixtures/testsrc-12s.webm', import.meta.url)

/**
 * What the tests read of an `<audio>` or `<video>` element in the page
 * (the project compiles without the DOM library).
 */
type MediaElement = {
  duration: number
  currentTime: number
  readyState: number
  muted: boolean
  error: { message: string } | null
  play(): Promise<void>
  pause(): void
  addEventListener(
    type: string,
    listener: (event: unknown) => void,
    options?: { once: boolean }
  ): void
}

/**
 * Test pages: a gallery of `getUrl` links, a media page, a download link.
 */
function pages(router: any, app: AdonisTestApp['app']) {
  const urlOf = async (disk: string, key: string) => {
    const drive = (await app.container.make('drive.manager')) as any
    return drive.use(disk).getUrl(key)
  }
  router.get('/gallery', async (ctx: HttpContext) => {
    const disk = ctx.request.input('disk')
    const keys = String(ctx.request.input('keys')).split(',')
    const images = await Promise.all(
      keys.map(async (key) => `<img src="${await urlOf(disk, key)}">`)
    )
    ctx.response.header('content-type', 'text/html')
    return `<!doctype html><body>${images.join('')}</body>`
  })
  router.get('/media', async (ctx: HttpContext) => {
    const audio = await urlOf('uploads', ctx.request.input('audio'))
    const video = await urlOf('uploads', ctx.request.input('video'))
    ctx.response.header('content-type', 'text/html')
    return `<!doctype html><body>
      <audio id="audio" preload="metadata" src="${audio}"></audio>
      <video id="video" preload="metadata" src="${video}"></video></body>`
  })
  // A download link, as a page offers one: the attachment disposition is
  // signed into the link, then into the CloudFront URL it redirects to.
  router.get('/download', async (ctx: HttpContext) => {
    const drive = (await app.container.make('drive.manager')) as any
    const key = ctx.request.input('key')
    const link = await (drive.use('uploads').driver as DjamazingDriver).linkFor(key, {
      contentDisposition: `attachment; filename="${key}"`,
    })
    ctx.response.header('content-type', 'text/html')
    return `<!doctype html><body><a id="download" href="${link.replaceAll('&', '&amp;')}">${key}</a></body>`
  })
}

async function logIn(browser: Chromium, app: AdonisTestApp, name: string) {
  const response = await browser.context.request.post(`${app.baseUrl}/login`, { data: { name } })
  if (response.status() !== 200) throw new Error(`login failed: ${response.status()}`)
}

/**
 * Moves the clock to just after a window began for a redirect made now,
 * so that the views of one test step fall in one window on a slow machine
 * too.
 */
function toWindowStart(clock: TestClock, window: number, timeout: number) {
  const phase = (Date.now() / 1000 + timeout) % window
  clock.advance((window - phase) * 1000 + 100)
}

async function viewGallery(
  page: Page,
  app: AdonisTestApp,
  traffic: CdnTraffic,
  disk: string,
  keys: string[]
) {
  const response = await page.goto(`${app.baseUrl}/gallery?disk=${disk}&keys=${keys.join(',')}`)
  if (response?.status() !== 200) throw new Error(`gallery: ${await response?.text()}`)
  await page.waitForFunction(
    (count) => {
      const images = [...(globalThis as any).document.images]
      return (
        images.length === count && images.every((image) => image.complete && image.naturalWidth > 0)
      )
    },
    keys.length,
    { timeout: 10_000 }
  )
  await traffic.settled(keys.length)
}

const mediaState = (selector: string) => (page: Page) =>
  page.$eval(selector, (element) => {
    const media = element as MediaElement
    return {
      duration: media.duration,
      currentTime: media.currentTime,
      readyState: media.readyState,
      error: media.error?.message ?? null,
    }
  })

/**
 * The media and download tests' disk: a 2 s window, a 1 s timeout.
 */
const WINDOW = 2
const TIMEOUT = 1
const MEDIA_VIEWS = { contentTypes: ['audio/*', 'video/*'], viewFor: '10m' }

/**
 * Where the fault proxy cuts a download: about 1 MB into a 7.9 MB file.
 */
const CUT_AFTER = 1_000_000

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * What the fault proxy saw of each request, in order.
 */
const seen = (requests: ProxiedRequest[]) =>
  requests.map(({ method, path, range, ifRange, status }) => ({
    method,
    path,
    range,
    ifRange,
    status,
  }))

/**
 * The CloudFront URL path of the downloaded file, behind the fault proxy.
 */
const WAV_PATH = '/cdn/uploads/talk.wav'

test.group('Protected files in a real browser: windows, media, downloads', (group) => {
  // What a test started, stopped last first.
  const started: Array<() => Promise<unknown>> = []
  group.each.teardown(async () => {
    for (const stop of started.splice(0).reverse()) await stop()
  })

  /**
   * The test app with the test pages and `options`, a page of a fresh
   * Chromium where alice is logged in, and the app's clock (this
   * process's), which the test moves instead of waiting for the time to
   * pass. Expiry is the edge's to check: the browser's clock plays no part.
   */
  async function open(options: AdonisTestAppOptions) {
    const clock = installTestClock()
    started.push(async () => clock.restore())
    const app = await startAdonisApp({ routes: pages, ...options })
    started.push(() => app.stop())
    const browser = await launchChromium()
    started.push(() => browser.close())
    await logIn(browser, app, 'alice')
    return { app, clock, page: await browser.context.newPage() }
  }

  /**
   * Alice clicks her download link to a 7.9 MB WAV on the `uploads` disk
   * (a 2 s window, a 1 s timeout, then `uploads`), with a proxy in front of
   * the CloudFront URLs that sends 1 MB of the first full response, holds
   * the connection until a default URL is dead, and closes it. What follows
   * is Chromium's own doing: a body cut short of its `Content-Length`, with
   * a strong ETag, is one of the interruptions its download manager
   * resumes by itself, with `Range` and `If-Range` at the URL it was
   * redirected to (a connection reset instead waits for the user).
   */
  async function cutDownload(uploads: Partial<DjamazingServiceConfig>) {
    let appUrl = ''
    let clock: TestClock | undefined
    const proxy = await forwardingProxy(() => appUrl, {
      cut: {
        when: (path) => path === WAV_PATH,
        after: CUT_AFTER,
        // While the connection hangs, a default URL dies.
        hold: () => clock!.advance((TIMEOUT + WINDOW + 1) * 1000),
      },
    })
    started.push(() => proxy.close())
    const opened = await open({
      // The edge answers at the proxy's URL, as CloudFront does in front of S3.
      cdnUrl: `${proxy.endpoint}/cdn`,
      uploads: {
        localEdge: true,
        ...uploads,
        redirects: { window: WINDOW, expiresIn: TIMEOUT, ...uploads.redirects },
      },
    })
    const { app, page } = opened
    clock = opened.clock
    appUrl = app.baseUrl
    const wav = makeWav(90)
    await app.drive.use('uploads').put('talk.wav', wav)
    await page.goto(`${app.baseUrl}/download?key=talk.wav`)
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')])
    const failure = await download.failure()
    return { wav, download, failure, requests: proxy.requests }
  }

  test('repeat views within the window transfer 0 image bytes; the default re-downloads every time')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(90_000)
    .run(async ({ assert }) => {
      const window = 6
      const timeout = 1
      const { app, clock, page } = await open({
        uploads: {
          redirects: { window, expiresIn: timeout },
          cacheControl: 'private, max-age=3600',
        },
      })
      const keys = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png']
      let imageBytes = 0
      for (const [index, key] of keys.entries()) {
        const png = makePng(200, 150, index)
        imageBytes += png.length
        // Written through the windowed disk: its default Cache-Control.
        await app.drive.use('uploads').put(key, png)
        // The default disk, with the same Cache-Control given per write.
        await app.drive.use('other').put(key, png, { cacheControl: 'private, max-age=3600' })
      }
      const traffic = await watchCdnTraffic(page, `${app.baseUrl}/cdn/`)

      toWindowStart(clock, window, timeout)
      await viewGallery(page, app, traffic, 'uploads', keys)
      const first = traffic.take()
      await viewGallery(page, app, traffic, 'uploads', keys)
      const second = traffic.take()
      assert.lengthOf(first, 5)
      assert.lengthOf(second, 5)
      assert.isAtLeast(networkBytes(first), imageBytes, 'the first view downloads the images')
      assert.equal(networkBytes(second), 0, 'the second view downloads no image byte')
      assert.isTrue(second.every((response) => response.fromCache))
      assert.sameMembers(
        second.map((response) => response.url),
        first.map((response) => response.url),
        'the same Location for every key'
      )

      // Today's behaviour, side by side: a new URL per redirect, a full
      // download on every view (views a second apart, as a user clicks).
      await viewGallery(page, app, traffic, 'other', keys)
      const defaultFirst = traffic.take()
      clock.advance(1100)
      await viewGallery(page, app, traffic, 'other', keys)
      const defaultSecond = traffic.take()
      assert.lengthOf(defaultSecond, 5)
      assert.isTrue(defaultSecond.every((response) => !response.fromCache))
      assert.equal(networkBytes(defaultSecond), networkBytes(defaultFirst))
      assert.notIncludeMembers(
        defaultSecond.map((response) => response.url),
        defaultFirst.map((response) => response.url)
      )

      // After the window: new URLs, a fresh transfer.
      toWindowStart(clock, window, timeout)
      await viewGallery(page, app, traffic, 'uploads', keys)
      const third = traffic.take()
      assert.equal(networkBytes(third), networkBytes(first))
      assert.notIncludeMembers(
        third.map((response) => response.url),
        first.map((response) => response.url)
      )
    })

  test('audio and video seek to 90% after the window and the timeout have passed')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(90_000)
    .run(async ({ assert }) => {
      const { app, clock, page } = await open({
        uploads: { redirects: { window: WINDOW, expiresIn: TIMEOUT, mediaViews: MEDIA_VIEWS } },
      })
      await app.drive.use('uploads').put('talk.wav', makeWav(90))
      await app.drive.use('uploads').put('clip.webm', await readFile(WEBM))
      const traffic = await watchCdnTraffic(page, `${app.baseUrl}/cdn/`)

      await page.goto(`${app.baseUrl}/media?audio=talk.wav&video=clip.webm`)
      const audio = mediaState('#audio')
      const video = mediaState('#video')
      await page.waitForFunction(() =>
        ['#audio', '#video'].every(
          (selector) =>
            ((globalThis as any).document.querySelector(selector) as MediaElement).readyState >= 1
        )
      )
      const [audioLoaded, videoLoaded] = [await audio(page), await video(page)]
      assert.closeTo(audioLoaded.duration, 90, 0.1)
      assert.closeTo(videoLoaded.duration, 12, 0.1)

      // Past redirects.expiresIn + window: a default URL would be dead.
      clock.advance((TIMEOUT + WINDOW + 1) * 1000)
      traffic.take()

      for (const selector of ['#audio', '#video']) {
        await page.$eval(selector, async (element) => {
          const media = element as MediaElement
          const seeked = new Promise((resolve, reject) => {
            media.addEventListener('seeked', resolve, { once: true })
            media.addEventListener('error', () => reject(new Error(media.error?.message)), {
              once: true,
            })
          })
          media.currentTime = media.duration * 0.9
          await seeked
          media.muted = true
          // Played on from the seek: a time update past it, within 10 s.
          const from = media.currentTime
          const playedOn = new Promise((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`no time update past ${from}: ${media.currentTime}`)),
              10_000
            )
            media.addEventListener('timeupdate', function check() {
              if (media.currentTime <= from) return
              clearTimeout(timer)
              resolve(undefined)
            })
          })
          await media.play()
          await playedOn
          media.pause()
        })
      }
      const seekTraffic = traffic.take()
      for (const [name, state] of [
        ['audio', await audio(page)],
        ['video', await video(page)],
      ] as const) {
        assert.isNull(state.error, name)
        assert.isAtLeast(state.readyState, 2, name)
        assert.isAbove(state.currentTime, state.duration * 0.9, `${name} played after the seek`)
      }
      assert.isTrue(
        seekTraffic.every((response) => response.status !== 403),
        JSON.stringify(seekTraffic)
      )
      // The WAV is too long to be buffered whole: the seek went to the network.
      const audioRange = seekTraffic.find(
        (response) => response.url.includes('talk.wav') && response.range
      )
      assert.exists(audioRange, 'the audio seek sent a Range request after the wait')
      assert.equal(audioRange!.status, 206)
    })

  test(
    'a download cut after 1 MB (fault proxy) resumes with Range after the window and the timeout; the file is whole'
  )
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(90_000)
    .run(async ({ assert }) => {
      const { wav, download, failure, requests } = await cutDownload({
        redirects: { mediaViews: MEDIA_VIEWS },
      })
      assert.isNull(failure)
      assert.equal(sha256(await readFile((await download.path())!)), sha256(wav))

      // Chromium resumed on its own, at the CloudFront URL, from the byte
      // it had, pinned to the ETag it saw; the edge honoured the Range.
      const etag = requests[0]?.etag
      assert.match(
        etag ?? '',
        /^"[^"]+"$/,
        'a strong ETag, without which Chromium would not resume'
      )
      assert.deepEqual(seen(requests), [
        { method: 'GET', path: WAV_PATH, range: undefined, ifRange: undefined, status: 200 },
        { method: 'GET', path: WAV_PATH, range: `bytes=${CUT_AFTER}-`, ifRange: etag, status: 206 },
      ])
      assert.isAbove(requests[1].at - requests[0].at, (TIMEOUT + WINDOW) * 1000)
    })

  test(
    'with the default URL lifetime, the same resume (fault proxy) gets 403 and the download fails'
  )
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(90_000)
    .run(async ({ assert }) => {
      const { failure, requests } = await cutDownload({})
      assert.isNotNull(failure)
      assert.deepEqual(seen(requests), [
        { method: 'GET', path: WAV_PATH, range: undefined, ifRange: undefined, status: 200 },
        {
          method: 'GET',
          path: WAV_PATH,
          range: `bytes=${CUT_AFTER}-`,
          ifRange: requests[0]?.etag,
          status: 403,
        },
      ])
      assert.isAbove(requests[1].at - requests[0].at, (TIMEOUT + WINDOW) * 1000)
    })
})

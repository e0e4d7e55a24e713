import { test } from '@japa/runner'
import type { Page, Response } from 'playwright-core'
import type { PutUploadTarget } from '../../../src/uploads/types.ts'
import { skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { watchCdnTraffic, networkBytes } from '../../helpers/cdn_traffic.ts'
import { CookieClient } from '../../helpers/cookie_client.ts'
import { DEMO_REDIRECTS, type DemoApp } from '../../helpers/demo_app.ts'
import { demoInChromium, logIn } from '../../helpers/demo_browser.ts'
import { putStatus, sha256Of } from '../../helpers/direct_upload.ts'
import { hasExifGps, imageFacts, PHOTOS_WITH_GPS } from '../../helpers/images.ts'

/**
 * 24 real camera photos with GPS: the two of tests/fixtures/photos, 12
 * times each under their own names (keeping the repository small).
 */
const PHOTOS = Array.from({ length: 24 }, (_, index) => ({
  name: `photo-${String(index + 1).padStart(2, '0')}.jpg`,
  bytes: index % 2 === 0 ? PHOTOS_WITH_GPS.iphone : PHOTOS_WITH_GPS.lumia,
}))

async function loggedIn(demo: DemoApp, user: 'alice' | 'bob') {
  const client = new CookieClient(demo.url)
  const login = await client.postForm('/login', { username: user, password: demo.passwords[user] })
  if (login.headers.get('location') !== '/files') throw new Error(`${user} could not log in`)
  return client
}

/**
 * A direct upload through the demo's own routes, as its page does it.
 */
async function upload(client: CookieClient, name: string, bytes: Buffer) {
  const start = await client.postJson('/uploads', {
    name,
    type: 'image/jpeg',
    size: bytes.length,
    checksum: sha256Of(bytes),
  })
  const target = (await start.json()) as PutUploadTarget
  if ((await putStatus(target, bytes)) !== 200) throw new Error('the PUT failed')
  const confirm = await client.postJson('/uploads/confirm', { token: target.token, name })
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${await confirm.text()}`)
}

/**
 * Opens the gallery and waits until every image shows.
 */
async function viewGallery(page: Page, demo: DemoApp, navigate = true) {
  if (navigate) await page.goto(`${demo.url}/files`)
  await page.waitForFunction(
    (count) => {
      const images = [...(globalThis as any).document.querySelectorAll('#gallery img')]
      return (
        images.length === count && images.every((image) => image.complete && image.naturalWidth > 0)
      )
    },
    PHOTOS.length,
    { timeout: 60_000 }
  )
  return page.$$eval('#gallery img', (images) =>
    images.map((image) => (image as unknown as { currentSrc: string }).currentSrc)
  )
}

/**
 * Moves the demo's clock to just after the start of a signature window
 * (its CloudFront URLs expire at the window's end plus the timeout): the
 * repeat view must fall in the same window as the first to get the same
 * CloudFront URLs, and now has the whole window for it.
 */
async function toWindowStart(demo: DemoApp) {
  const { window, expiresIn } = DEMO_REDIRECTS
  const phase = ((Date.now() + demo.clockOffset()) / 1000 + expiresIn) % window
  await demo.advanceClock((window - phase) * 1000 + 100)
}

/**
 * The demo on s3rver, and on the local store (files in a folder, served
 * by the app's own local edge).
 */
const STORES: { store: string; options: { store?: 'local' } }[] = [
  { store: 's3rver', options: {} },
  { store: 'the local store', options: { store: 'local' } },
]

// docs/variants.md: the demo's gallery of thumbnails, through the local edge.
test.group('Variants | the demo gallery in a real browser', (group) => {
  const open = demoInChromium(group)

  test(
    '24 camera photos on {store}: thumbnails at a tenth of the bytes, none on a repeat view, 2x at scale 2, no GPS, bound to alice'
  )
    .with(STORES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(240_000)
    .run(async ({ assert }, { options }) => {
      const { demo, page } = await open(options)
      const alice = await loggedIn(demo, 'alice')
      for (const photo of PHOTOS) await upload(alice, photo.name, photo.bytes)
      const originalBytes = PHOTOS.reduce((sum, photo) => sum + photo.bytes.length, 0)
      assert.isTrue(
        PHOTOS.every((photo) => hasExifGps(photo.bytes)),
        'the originals carry GPS'
      )

      await toWindowStart(demo)
      const traffic = await watchCdnTraffic(page, `${demo.url}/cdn/uploads/`)
      const served: Response[] = []
      const record = (response: Response) => {
        const url = response.url()
        if (url.startsWith(`${demo.url}/cdn/uploads/`) && response.status() === 200) {
          served.push(response)
        }
      }
      page.on('response', record)

      // Logging in opens the gallery: the first view.
      await logIn(page, demo, 'alice')
      const sources = await viewGallery(page, demo, false)
      const first = traffic.take()
      assert.lengthOf(first, PHOTOS.length)
      assert.isTrue(first.every((response) => !response.fromCache))
      // The bodies the edge sent (Chromium's own byte count reads 0 for the
      // local edge's small responses).
      const bodies = await Promise.all(
        served.splice(0).map(async (response) => {
          const body = await response.body()
          return { url: response.url(), size: body.length }
        })
      )
      const firstBytes = Math.max(
        networkBytes(first),
        first.reduce(
          (sum, response) => sum + bodies.find((body) => body.url === response.url)!.size,
          0
        )
      )
      console.log(
        `first view: ${firstBytes} image bytes for ${originalBytes} bytes of originals (${((100 * firstBytes) / originalBytes).toFixed(1)} %)`
      )
      assert.isAbove(firstBytes, 0)
      assert.isAtMost(firstBytes, originalBytes / 10)
      // At scale 1 the browser takes the 240-pixel thumbnail of each srcset.
      for (const source of sources)
        assert.match(source, /\/djamazing\/uploads\/variants\/.*\/thumb-/)
      for (const response of first) {
        assert.equal(response.status, 200)
        assert.match(response.url, /\/cdn\/uploads\/variants\//)
      }

      const second = await viewGallery(page, demo).then(() => traffic.take())
      // Every image from the browser's cache: the same CloudFront URLs within the window.
      assert.isTrue(second.every((response) => response.fromCache))
      assert.equal(networkBytes(second), 0, 'the repeat view downloads no image byte')

      // A screen of scale factor 2 takes the 480-pixel variant.
      const retina = await page.context().newPage()
      retina.on('response', record)
      const cdp = await page.context().newCDPSession(retina)
      await cdp.send('Emulation.setDeviceMetricsOverride', {
        width: 1280,
        height: 900,
        deviceScaleFactor: 2,
        mobile: false,
      })
      const sharp = await viewGallery(retina, demo)
      for (const source of sharp)
        assert.match(source, /\/djamazing\/uploads\/variants\/.*\/thumb2x-/)
      const retinaImages = served.filter((response) => response.url().includes('/thumb2x-'))
      assert.lengthOf(retinaImages, PHOTOS.length)
      for (const response of retinaImages) {
        const facts = await imageFacts(await response.body())
        assert.deepInclude(facts, { format: 'webp', width: 480, height: 480 })
      }

      // No variant served carries GPS (or any EXIF block).
      const variants = served.filter((response) => response.url().includes('/variants/'))
      assert.isAtLeast(variants.length, PHOTOS.length)
      for (const response of variants) {
        const body = await response.body()
        assert.isFalse(hasExifGps(body), response.url())
        assert.equal(body.indexOf('Exif\0\0'), -1)
      }
      for (const body of bodies) {
        assert.match(body.url, /\/cdn\/uploads\/variants\/.*\/thumb-/)
      }
      // What lets the browser keep them: the disk's Cache-Control, stored
      // with each variant and sent by the edge, on either store.
      for (const response of variants) {
        assert.equal(response.headers()['cache-control'], 'private, max-age=86400, immutable')
      }

      // The variant links are alice's: bob gets 403, a guest 401.
      const bob = await loggedIn(demo, 'bob')
      const guest = new CookieClient(demo.url)
      for (const link of [...sources.slice(0, 6), ...sharp.slice(0, 6)]) {
        const path = new URL(link).pathname + new URL(link).search
        const asBob = await bob.get(path)
        assert.equal(asBob.status, 403)
        const asGuest = await guest.get(path)
        assert.equal(asGuest.status, 401)
      }
    })
})

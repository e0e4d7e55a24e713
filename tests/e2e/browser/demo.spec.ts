import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from '@japa/runner'
import type { Page, Response } from 'playwright-core'
import { skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { PAST_DEFAULT_LIFETIME_MS, type DemoApp } from '../../helpers/demo_app.ts'
import { demoInChromium, logIn } from '../../helpers/demo_browser.ts'
import { makePng } from '../../helpers/png.ts'

/**
 * Not committed: the gallery screenshot and the downloaded file.
 */
const OUTPUT = fileURLToPath(new URL('../../../test-output/', import.meta.url))

/**
 * Runs in the page: the image's intrinsic width, 0 until it decoded.
 */
const naturalWidth = (image: unknown) => (image as { naturalWidth: number }).naturalWidth
const currentSrc = (image: unknown) => (image as { currentSrc: string }).currentSrc

async function logOut(page: Page, demo: DemoApp) {
  await Promise.all([page.waitForURL(`${demo.url}/login`), page.click('#logout')])
}

// The demo of docs/development.md: its gallery, uploads and download links.
test.group('Demo in a real browser', (group) => {
  const open = demoInChromium(group)

  test(
    'alice sees her image through app link, 302 and edge; downloads keep their name; bob and guests are refused'
  )
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(120_000)
    .run(async ({ assert }) => {
      const { demo, page } = await open()
      const responses: Response[] = []
      page.on('response', (response) => responses.push(response))

      await logIn(page, demo, 'alice')
      assert.equal(await page.textContent('#current-user'), 'alice')

      // The public disk's logo comes through the edge with no signature.
      const logo = page.locator('#logo')
      const logoUrl = new URL((await logo.getAttribute('src'))!, demo.url)
      assert.equal(logoUrl.href, `${demo.url}/cdn/static/logo.svg`)
      assert.isAbove(await logo.evaluate(naturalWidth), 0)

      const png = makePng(24, 16, Date.now() % 251)
      const name = "Zoë's pixel art (1).png"
      await page.setInputFiles('#file', { name, mimeType: 'image/png', buffer: png })
      await Promise.all([page.waitForURL(`${demo.url}/files`), page.click('#upload')])

      const image = page.locator('#gallery img').first()
      await image.waitFor()
      await page.waitForFunction("document.querySelector('#gallery img')?.complete")
      assert.isAbove(await image.evaluate(naturalWidth), 0)
      assert.equal(await image.evaluate(naturalWidth), 24)

      await mkdir(OUTPUT, { recursive: true })
      await page.screenshot({ path: join(OUTPUT, 'demo-gallery.png'), fullPage: true })

      // The gallery shows the image's thumbnail variant (docs/variants.md): app link -> 302 -> edge -> 200.
      const link = new URL((await image.evaluate(currentSrc))!, demo.url).href
      assert.isTrue(link.startsWith(`${demo.url}/djamazing/uploads/variants/`), link)
      const hop = responses.find((response) => response.url() === link)
      assert.exists(hop, 'the browser requested the protected link')
      assert.equal(hop!.status(), 302)
      const location = (await hop!.headerValue('location'))!
      assert.isTrue(location.startsWith(`${demo.url}/cdn/uploads/variants/`), location)
      const target = new URL(location)
      assert.includeMembers(
        [...target.searchParams.keys()],
        ['Expires', 'Signature', 'Key-Pair-Id']
      )
      const edge = responses.find((response) => response.url() === location)
      assert.exists(edge, 'the browser followed the redirect to the edge')
      assert.equal(edge!.status(), 200)
      assert.equal(await edge!.headerValue('content-type'), 'image/webp')

      // A click on the thumbnail opens the original, through its own link.
      await Promise.all([page.waitForURL(/\/cdn\/uploads\/(?!variants\/)/), image.click()])
      const original = responses.find((response) => response.url() === page.url())
      assert.deepEqual(await original!.body(), png)
      await page.goBack()

      // The download link carries the original name inside its signature.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#gallery a.download >> nth=0`),
      ])
      assert.equal(download.suggestedFilename(), name)
      const saved = join(OUTPUT, 'demo-download.png')
      await download.saveAs(saved)
      assert.deepEqual(await readFile(saved), png)

      // After logout the link no longer works...
      await logOut(page, demo)
      const asGuest = await page.goto(link)
      assert.equal(asGuest!.status(), 401)

      // ...and bob cannot use it either.
      await logIn(page, demo, 'bob')
      assert.equal(await page.locator('#gallery img').count(), 0, "bob's gallery is empty")
      const asBob = await page.goto(link)
      assert.equal(asBob!.status(), 403)
      assert.notDeepEqual(await asBob!.body(), png)
    })

  test('the gallery plays a video and seeks it after the short signature timeout has passed')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(120_000)
    .run(async ({ assert }) => {
      const { demo, page } = await open()
      const refused: string[] = []
      const redirects: Response[] = []
      page.on('response', (response) => {
        if (response.status() === 403) refused.push(response.url())
        if (response.status() === 302) redirects.push(response)
      })
      await logIn(page, demo, 'alice')
      await page.setInputFiles('#file', {
        name: 'clip.webm',
        mimeType: 'video/webm',
        buffer: await readFile(new URL('../../fixtures/testsrc-12s.webm', import.meta.url)),
      })
      await Promise.all([page.waitForURL(`${demo.url}/files`), page.click('#upload')])
      const video = page.locator('#gallery video').first()
      await video.waitFor()
      await page.waitForFunction("document.querySelector('#gallery video').readyState >= 1")
      // The video's link redirected to a CloudFront URL of a media view
      // (redirects.mediaViews), which outlives what follows.
      const link = new URL((await video.getAttribute('src'))!, demo.url).href
      const hop = redirects.find((response) => response.url() === link)
      assert.exists(hop, 'the video went through its link')
      const expires = new URL((await hop!.headerValue('location'))!).searchParams.get('Expires')
      assert.isAbove(Number(expires) * 1000, Date.now() + PAST_DEFAULT_LIFETIME_MS)
      // The demo's clock past its window and its 1.5 s redirects.expiresIn:
      // a URL of the default lifetime would be dead.
      await demo.advanceClock(PAST_DEFAULT_LIFETIME_MS)
      const state = await video.evaluate(async (element: any) => {
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
      assert.isNull(state.error)
      assert.closeTo(state.duration, 12, 0.1)
      assert.isAtLeast(state.time, state.duration * 0.89)
      assert.deepEqual(refused, [])
    })
})

import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { demoInChromium, logIn } from '../../helpers/demo_browser.ts'
import {
  completion,
  downloadedSha256,
  leftovers,
  sha256OfStream,
  watchParts,
} from '../../helpers/multipart_watch.ts'
import { randomFiles } from '../../helpers/random_file.ts'

/*
 * Multipart uploads of docs/uploads.md in Chromium against the demo, on
 * s3rver and on the local store: a 300 MB file (written to a temp folder
 * for the run, never committed) through the built-in module and through
 * Uppy's Dashboard with @uppy/aws-s3 6 and djamazing/browser/uppy (the
 * demo's Uppy page), with the network cut and a page reload mid-way, and a
 * cancel; 1 GB with the tab's JS heap read from Chromium's own metrics.
 */

const MB = 1024 * 1024
const PART_SIZE = 16 * MB

const files = randomFiles()
const randomFile = (size: number) => files.file(size)

/**
 * How a person uploads with each client of the demo.
 */
type Client = {
  /**
   * Makes the page ready to choose a file (after logging in, after a reload).
   */
  ready(page: Page, demoUrl: string): Promise<void>
  /**
   * Chooses the file and starts its upload.
   */
  choose(page: Page, path: string): Promise<void>
  /**
   * Presses the client's cancel button.
   */
  cancel(page: Page): Promise<void>
}

const CLIENTS: Record<'directUpload' | 'Uppy', Client> = {
  directUpload: {
    ready: (page) => page.locator('#file').waitFor({ state: 'attached' }),
    async choose(page, path) {
      await page.setInputFiles('#file', path)
      await page.click('#upload')
    },
    async cancel(page) {
      await page.click('#cancel')
      await page.locator('#upload-status.error', { hasText: 'cancelled' }).waitFor()
    },
  },
  Uppy: {
    async ready(page, demoUrl) {
      if (page.url() !== `${demoUrl}/files/uppy`) await page.goto(`${demoUrl}/files/uppy`)
      // The first request bundles the page (Vite): generous.
      await page
        .locator('.uppy-Dashboard-input')
        .first()
        .waitFor({ state: 'attached', timeout: 120_000 })
    },
    async choose(page, path) {
      await page.locator('.uppy-Dashboard-input').first().setInputFiles(path)
      await page.locator('.uppy-StatusBar-actionBtn--upload').click()
    },
    cancel: (page) => page.locator('.uppy-StatusBar button[title="Cancel"]').click(),
  },
}

const CASES = (['s3', 'local'] as const).flatMap((store) =>
  (['directUpload', 'Uppy'] as const).map((client) => ({ store, client }))
)

test.group('Demo in a real browser | multipart uploads', (group) => {
  const open = demoInChromium(group)
  group.teardown(() => files.remove())

  test(
    '{client}, {store}: 300 MB with the network cut mid-way: finished parts are not sent again, the stored bytes are the file'
  )
    .with(CASES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(900_000)
    .run(async ({ assert }, { store, client: name }) => {
      const client = CLIENTS[name]
      const file = await randomFile(300 * MB)
      const partCount = Math.ceil((300 * MB) / PART_SIZE)
      const { demo, page } = await open(store === 'local' ? { store } : {})
      await logIn(page, demo, 'alice')
      await client.ready(page, demo.url)
      const parts = watchParts(page)
      const completed = completion(page, `${demo.url}/uploads/complete`, 900_000)
      await client.choose(page, file.path)

      await parts.until(() => parts.stored.length >= 4, 'four parts stored')
      await page.context().setOffline(true)
      const beforeCut = new Set(parts.stored)
      await parts.until(() => parts.failed.length > 0, 'request failing while offline', 60_000)
      const sentBeforeOnline = parts.sent.length
      await page.context().setOffline(false)

      const complete = await completed
      assert.equal(complete.status(), 200)
      const resent = parts.sent
        .slice(sentBeforeOnline)
        .filter(({ partNumber }) => beforeCut.has(partNumber))
      assert.deepEqual(resent, [], 'parts stored before the cut were sent again')
      assert.deepEqual(
        [...new Set(parts.stored)].sort((a, b) => a - b),
        Array.from({ length: partCount }, (_, index) => index + 1)
      )
      // Each part stored once: none restarted after it finished.
      assert.lengthOf(parts.stored, partCount)
      await page.waitForURL(`${demo.url}/files`, { timeout: 60_000 })
      assert.equal(await downloadedSha256(page, demo.url, '314572800.bin'), file.sha256)
      assert.deepEqual(await leftovers(demo.dataDirectory), [])
    })

  test(
    '{client}, {store}: a reload mid-way, the same file chosen again: the parts stored before are not sent again'
  )
    .with(CASES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(900_000)
    .run(async ({ assert }, { store, client: name }) => {
      const client = CLIENTS[name]
      const file = await randomFile(300 * MB)
      const { demo, page } = await open(store === 'local' ? { store } : {})
      await logIn(page, demo, 'alice')
      await client.ready(page, demo.url)
      const parts = watchParts(page)
      await client.choose(page, file.path)
      await parts.until(() => parts.stored.length >= 5, 'five parts stored')
      const beforeReload = new Set(parts.stored)
      await page.reload()
      await client.ready(page, demo.url)
      const sentBefore = parts.sent.length

      const completed = completion(page, `${demo.url}/uploads/complete`, 900_000)
      await client.choose(page, file.path)
      const complete = await completed
      assert.equal(complete.status(), 200)
      const after = parts.sent.slice(sentBefore).map(({ partNumber }) => partNumber)
      assert.deepEqual(
        after.filter((partNumber) => beforeReload.has(partNumber)),
        [],
        'parts stored before the reload were sent again'
      )
      assert.isAbove(after.length, 0)
      assert.isBelow(new Set(after).size, Math.ceil((300 * MB) / PART_SIZE))
      console.log(
        `${name}, ${store}: ${beforeReload.size} parts stored before the reload, ${new Set(after).size} of ${Math.ceil((300 * MB) / PART_SIZE)} sent after it`
      )
      await page.waitForURL(`${demo.url}/files`, { timeout: 60_000 })
      assert.equal(await downloadedSha256(page, demo.url, '314572800.bin'), file.sha256)
      assert.deepEqual(await leftovers(demo.dataDirectory), [])
    })

  test('{client}, {store}: cancel leaves no pending object and no incomplete upload')
    .with(CASES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(600_000)
    .run(async ({ assert }, { store, client: name }) => {
      const client = CLIENTS[name]
      const file = await randomFile(300 * MB)
      const { demo, page } = await open(store === 'local' ? { store } : {})
      await logIn(page, demo, 'alice')
      await client.ready(page, demo.url)
      const parts = watchParts(page)
      await client.choose(page, file.path)
      await parts.until(() => parts.stored.length >= 2, 'two parts stored')
      assert.isNotEmpty(await leftovers(demo.dataDirectory))
      const aborted = page.waitForResponse(
        (response) => response.url() === `${demo.url}/uploads/abort`
      )
      await client.cancel(page)
      const abort = await aborted
      assert.equal(abort.status(), 200)
      assert.deepEqual(await leftovers(demo.dataDirectory), [])
      // Chosen again, it starts anew: nothing is remembered to resume.
      const started = page.waitForResponse((response) => response.url() === `${demo.url}/uploads`)
      await client.choose(page, file.path)
      const restart = await started
      assert.equal(restart.status(), 200)
    })

  test(
    '{client}, local: 1 GB uploads with the tab JS heap bounded (Chromium Performance.getMetrics)'
  )
    .with([{ client: 'directUpload' as const }, { client: 'Uppy' as const }])
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(1_800_000)
    .run(async ({ assert }, { client: name }) => {
      const client = CLIENTS[name]
      const file = await randomFile(1024 * MB)
      const { demo, page } = await open({ store: 'local' })
      await logIn(page, demo, 'alice')
      await client.ready(page, demo.url)
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Performance.enable')
      const heap = async () => {
        const { metrics } = await cdp.send('Performance.getMetrics')
        return metrics.find((metric) => metric.name === 'JSHeapUsedSize')!.value
      }
      const baseline = await heap()
      const samples: number[] = []
      const parts = watchParts(page)
      const completed = completion(page, `${demo.url}/uploads/complete`, 1_800_000)
      await client.choose(page, file.path)
      let done = false
      void completed.finally(() => (done = true))
      // One sample each time a part is stored: the heap while reading,
      // hashing and sending.
      const partCount = Math.ceil((1024 * MB) / PART_SIZE)
      for (let stored = 1; stored <= partCount && !done; stored++) {
        await parts.until(() => parts.stored.length >= stored || done, `part ${stored}`)
        samples.push(await heap())
      }
      const complete = await completed
      assert.equal(complete.status(), 200)
      const peak = Math.max(...samples)
      console.log(
        `${name}: JS heap: baseline ${(baseline / MB).toFixed(1)} MB, peak while uploading 1 GB ${(peak / MB).toFixed(1)} MB over ${samples.length} samples`
      )
      assert.isAbove(samples.length, 10)
      // At most three parts of 16 MiB in flight: the heap stays far below
      // the file.
      assert.isBelow(peak - baseline, 200 * MB)
      const stored = await sha256OfStream(
        createReadStream(await storedFile(demo.dataDirectory, 1024 * MB)) as AsyncIterable<Buffer>
      )
      assert.equal(stored, file.sha256)
    })
})

/**
 * The one confirmed file of `size` bytes in the local store's bucket: read
 * from disk rather than downloaded again.
 */
async function storedFile(dataDirectory: string, size: number): Promise<string> {
  const paths = await readdir(dataDirectory, { recursive: true, withFileTypes: true })
  for (const entry of paths) {
    const path = join(entry.parentPath, entry.name)
    if (!entry.isFile() || /pending-uploads|\/\.(djamazing|state)\//.test(path)) continue
    const stats = await stat(path)
    if (stats.size === size) return path
  }
  throw new Error(`no stored file of ${size} bytes`)
}

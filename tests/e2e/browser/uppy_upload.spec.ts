import { test } from '@japa/runner'
import type { Page } from 'playwright-core'
import { skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import type { DemoApp } from '../../helpers/demo_app.ts'
import { demoInChromium, logIn } from '../../helpers/demo_browser.ts'
import {
  completion,
  downloadedSha256,
  leftovers,
  watchParts,
} from '../../helpers/multipart_watch.ts'
import { randomFiles } from '../../helpers/random_file.ts'

/*
 * Uppy of docs/uploads.md: its Dashboard with @uppy/aws-s3 6 and djamazing/browser/uppy, in
 * Chromium against the demo's Uppy page, on s3rver and on the local store:
 * a 300 MB file (written to a temp folder for the run) with the network
 * cut mid-way, with a reload mid-way, and cancelled. The parts are counted
 * as the page sends them; the stored bytes are downloaded and hashed.
 */

const MB = 1024 * 1024
const PART_SIZE = 16 * MB
const SIZE = 300 * MB
const PART_COUNT = Math.ceil(SIZE / PART_SIZE)

const files = randomFiles()

/**
 * The demo's Uppy page, its Dashboard ready.
 */
async function openUppy(page: Page, demo: DemoApp) {
  await page.goto(`${demo.url}/files/uppy`)
  await page
    .locator('.uppy-Dashboard-input')
    .first()
    .waitFor({ state: 'attached', timeout: 120_000 })
}

/**
 * Chooses the file in the Dashboard and presses its upload button.
 */
async function uploadWithUppy(page: Page, path: string) {
  await page.locator('.uppy-Dashboard-input').first().setInputFiles(path)
  await page.locator('.uppy-StatusBar-actionBtn--upload').click()
}

const STORES = [{ store: 's3' as const }, { store: 'local' as const }]

test.group('Demo in a real browser | Uppy uploads', (group) => {
  const open = demoInChromium(group)
  group.teardown(() => files.remove())

  test(
    '{store}: 300 MB with the network cut mid-way: finished parts are not sent again, the stored bytes are the file'
  )
    .with(STORES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(900_000)
    .run(async ({ assert }, { store }) => {
      const file = await files.file(SIZE)
      const { demo, page } = await open(store === 'local' ? { store } : {})
      await logIn(page, demo, 'alice')
      await openUppy(page, demo)
      const parts = watchParts(page)
      const completed = completion(page, `${demo.url}/uploads/complete`, 900_000)
      await uploadWithUppy(page, file.path)

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
        Array.from({ length: PART_COUNT }, (_, index) => index + 1)
      )
      // Each part stored once: none restarted after it finished.
      assert.lengthOf(parts.stored, PART_COUNT)
      await page.waitForURL(`${demo.url}/files`, { timeout: 60_000 })
      assert.equal(await downloadedSha256(page, demo.url, '314572800.bin'), file.sha256)
      assert.deepEqual(await leftovers(demo.dataDirectory), [])
    })

  test(
    '{store}: a reload mid-way, the same file chosen again: the parts stored before are not sent again'
  )
    .with(STORES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(900_000)
    .run(async ({ assert }, { store }) => {
      const file = await files.file(SIZE)
      const { demo, page } = await open(store === 'local' ? { store } : {})
      await logIn(page, demo, 'alice')
      await openUppy(page, demo)
      const parts = watchParts(page)
      await uploadWithUppy(page, file.path)
      await parts.until(() => parts.stored.length >= 5, 'five parts stored')
      const beforeReload = new Set(parts.stored)
      await page.reload()
      await openUppy(page, demo)
      const sentBefore = parts.sent.length

      const completed = completion(page, `${demo.url}/uploads/complete`, 900_000)
      await uploadWithUppy(page, file.path)
      const complete = await completed
      assert.equal(complete.status(), 200)
      const after = parts.sent.slice(sentBefore).map(({ partNumber }) => partNumber)
      assert.deepEqual(
        after.filter((partNumber) => beforeReload.has(partNumber)),
        [],
        'parts stored before the reload were sent again'
      )
      assert.isAbove(after.length, 0)
      assert.isBelow(new Set(after).size, PART_COUNT)
      console.log(
        `Uppy, ${store}: ${beforeReload.size} parts stored before the reload, ${new Set(after).size} of ${PART_COUNT} sent after it`
      )
      await page.waitForURL(`${demo.url}/files`, { timeout: 60_000 })
      assert.equal(await downloadedSha256(page, demo.url, '314572800.bin'), file.sha256)
      assert.deepEqual(await leftovers(demo.dataDirectory), [])
    })

  test('{store}: cancel leaves no pending object and no incomplete upload')
    .with(STORES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(600_000)
    .run(async ({ assert }, { store }) => {
      const file = await files.file(SIZE)
      const { demo, page } = await open(store === 'local' ? { store } : {})
      await logIn(page, demo, 'alice')
      await openUppy(page, demo)
      const parts = watchParts(page)
      await uploadWithUppy(page, file.path)
      await parts.until(() => parts.stored.length >= 2, 'two parts stored')
      assert.isNotEmpty(await leftovers(demo.dataDirectory))
      const aborted = page.waitForResponse(
        (response) => response.url() === `${demo.url}/uploads/abort`
      )
      await page.locator('.uppy-StatusBar button[title="Cancel"]').click()
      const abort = await aborted
      assert.equal(abort.status(), 200)
      assert.deepEqual(await leftovers(demo.dataDirectory), [])
      // Chosen again, it starts anew: nothing is remembered to resume.
      const started = page.waitForResponse((response) => response.url() === `${demo.url}/uploads`)
      await uploadWithUppy(page, file.path)
      const restart = await started
      assert.equal(restart.status(), 200)
    })
})

import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import type { Page, Request } from 'playwright-core'
import { skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { demoInChromium, logIn } from '../../helpers/demo_browser.ts'

/*
 * The flow of docs/uploads.md in Chromium against the demo: the file goes
 * from the page to the bucket (s3rver, with the documented CORS rule for
 * the demo's origin), never through the app.
 */

const MB = 1024 * 1024
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/**
 * Every value the page gives its progress bar, sent to the test as it is
 * set (the page reloads once the upload is confirmed).
 */
async function recordProgress(page: Page): Promise<number[]> {
  const values: number[] = []
  await page.exposeFunction('reportProgress', (value: string) => values.push(Number(value)))
  // A string: the test is compiled without the DOM's types.
  await page.evaluate(`{
    const bar = document.querySelector('#progress')
    new MutationObserver(() => window.reportProgress(bar.getAttribute('value'))).observe(bar, {
      attributes: true,
      attributeFilter: ['value'],
    })
  }`)
  return values
}

test.group('Demo in a real browser | direct uploads', (group) => {
  const open = demoInChromium(group)

  /**
   * Where the demo's bucket takes PUTs: s3rver (another origin, CORS), or
   * the local store's upload route on the app itself (`--local`).
   */
  const STORES = [
    { store: 's3' as const, storagePath: /^\/djamazing-demo\/uploads\/pending-uploads\// },
    { store: 'local' as const, storagePath: /^\/cdn\/uploads\/pending-uploads\// },
  ]

  test(
    '{store}: alice uploads 30 MB straight to the store with progress; confirm lists it; its protected link serves the same bytes'
  )
    .with(STORES)
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(180_000)
    .run(async ({ assert, cleanup }, { store, storagePath }) => {
      const { demo, page } = await open(store === 'local' ? { store } : {})
      const requests: Request[] = []
      page.on('requestfinished', (request) => requests.push(request))
      await logIn(page, demo, 'alice')

      const body = randomBytes(30 * MB)
      const name = 'field recording 30MB.wav'
      // Chosen from disk, as a user does: Chromium reads the file itself
      // instead of taking 30 MB over the DevTools protocol.
      const folder = await mkdtemp(join(tmpdir(), 'djamazing-direct-upload-'))
      cleanup(() => rm(folder, { recursive: true, force: true }))
      await writeFile(join(folder, name), body)
      await page.setInputFiles('#file', join(folder, name))
      const progressValues = await recordProgress(page)
      const listed = page.waitForResponse(
        (response) => response.url() === `${demo.url}/uploads/confirm`
      )
      await page.click('#upload')
      const confirm = await listed
      assert.equal(confirm.status(), 200)
      const link = page.locator('#gallery a.download', { hasText: name })
      await link.waitFor()

      // The bytes went to the storage endpoint, in one PUT...
      const puts = requests.filter((request) => request.method() === 'PUT')
      assert.lengthOf(puts, 1)
      const put = puts[0]
      const storage = new URL(put.url())
      if (store === 's3') assert.notEqual(storage.origin, demo.url)
      assert.match(storage.pathname, storagePath)
      // The headers as sent on the wire (the network stack's own).
      const sentLength = async (request: Request) => {
        const headers = await request.allHeaders()
        return Number(headers['content-length'] ?? 0)
      }
      assert.equal(await sentLength(put), body.length)
      const stored = await put.response()
      assert.equal(stored!.status(), 200)
      // ...and the app's routes saw only the small JSON of start and confirm.
      let toApp = 0
      const appRoutes = requests.filter(
        (r) => r.url().startsWith(demo.url) && !storagePath.test(new URL(r.url()).pathname)
      )
      for (const request of appRoutes) {
        toApp += await sentLength(request)
      }
      assert.isAbove(toApp, 0)
      assert.isBelow(toApp, 10_000)
      const start = requests.find((r) => r.url() === `${demo.url}/uploads`)!
      assert.deepEqual(Object.keys(JSON.parse(start.postData()!)).sort(), [
        'checksum',
        'name',
        'size',
        'type',
      ])

      // Progress events arrived while the bytes were sent, ending at 100 %.
      const values = progressValues
      assert.isAbove(values.length, 1, JSON.stringify(values))
      assert.equal(values.at(-1), 1)
      assert.isTrue(
        values.some((value) => value > 0 && value < 1),
        `an event before the end: ${JSON.stringify(values)}`
      )

      // The protected link (app -> 302 -> edge) serves the same bytes.
      const href = new URL((await link.getAttribute('href'))!, demo.url).href
      assert.isTrue(href.startsWith(`${demo.url}/djamazing/uploads/`), href)
      const download = await page.request.get(href)
      assert.equal(download.status(), 200)
      assert.equal(sha256(await download.body()), sha256(body))
      assert.include(await page.textContent('#gallery'), `${body.length} bytes`)
    })

  test('a refused upload is reported in words and nothing is listed')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(120_000)
    .run(async ({ assert }) => {
      const { demo, page } = await open()
      await logIn(page, demo, 'alice')

      // Declared a PNG, but HTML: the app's content check refuses it at
      // confirm, which deletes the object.
      const html = Buffer.from('<!doctype html><script>alert(document.cookie)</script>')
      await page.setInputFiles('#file', { name: 'cat.png', mimeType: 'image/png', buffer: html })
      const confirmed = page.waitForResponse(
        (response) => response.url() === `${demo.url}/uploads/confirm`
      )
      await page.click('#upload')
      const refusal = await confirmed
      assert.equal(refusal.status(), 422)
      const status = page.locator('#upload-status.error')
      await status.waitFor()
      assert.equal(await status.textContent(), 'Upload rejected: the content check refused it')
      assert.equal(await page.locator('#gallery li').count(), 0)
    })
})

import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { skipBrowserTests, skipBrowserTestsReason } from '../helpers/chromium.ts'
import { demoInChromium, logIn } from '../helpers/demo_browser.ts'
import { randomFiles } from '../helpers/random_file.ts'

/*
 * `npm run test:big`, by hand and never in CI: one upload above S3's 5 GiB
 * single-PUT limit, from Chromium through the built-in module to the demo
 * on the local store (5.5 GiB of random bytes in a temp folder, about 11 GB
 * of disk with the stored copy). It prints the time and the peak memory of
 * the server (the demo process's VmHWM) and of the tab (its JS heap, from
 * Chromium's Performance.getMetrics).
 */

const MB = 1024 * 1024
const SIZE = 5.5 * 1024 * MB

test.group('Above 5 GiB | multipart through the browser to the local store', (group) => {
  const open = demoInChromium(group)
  const files = randomFiles()
  group.teardown(() => files.remove())

  test('5.5 GiB uploads; the stored bytes are the file; time and peak memory printed')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(3_600_000)
    .run(async ({ assert }) => {
      const file = await files.file(SIZE)
      const { demo, page } = await open({ store: 'local' })
      await logIn(page, demo, 'alice')
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('Performance.enable')
      const heap = async () => {
        const { metrics } = await cdp.send('Performance.getMetrics')
        return metrics.find((metric) => metric.name === 'JSHeapUsedSize')!.value
      }
      let peakHeap = await heap()
      page.on('requestfinished', async (request) => {
        if (request.method() === 'PUT') peakHeap = Math.max(peakHeap, await heap())
      })
      const completed = page.waitForResponse(
        (response) => response.url() === `${demo.url}/uploads/complete`,
        { timeout: 3_600_000 }
      )
      completed.catch(() => {})
      const started = performance.now()
      await page.setInputFiles('#file', file.path)
      await page.click('#upload')
      const complete = await completed
      const seconds = (performance.now() - started) / 1000
      assert.equal(complete.status(), 200)

      const status = await readFile(`/proc/${demo.process.pid}/status`, 'utf8')
      const serverPeak = Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024
      console.log(
        `5.5 GiB in ${seconds.toFixed(0)} s (${(SIZE / MB / seconds).toFixed(1)} MiB/s); ` +
          `server peak RSS ${(serverPeak / MB).toFixed(0)} MB; tab JS heap peak ${(peakHeap / MB).toFixed(1)} MB`
      )
      assert.isBelow(serverPeak, 1024 * MB)
      assert.isBelow(peakHeap, 200 * MB)

      const hash = createHash('sha256')
      for await (const chunk of createReadStream(await storedFile(demo.dataDirectory, SIZE))) {
        hash.update(chunk as Buffer)
      }
      assert.equal(hash.digest('hex'), file.sha256)
    })
})

/**
 * The confirmed file of `size` bytes in the local store's bucket.
 */
async function storedFile(dataDirectory: string, size: number): Promise<string> {
  const entries = await readdir(dataDirectory, { recursive: true, withFileTypes: true })
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name)
    if (!entry.isFile() || /pending-uploads|\/\.(djamazing|state)\//.test(path)) continue
    const stats = await stat(path)
    if (stats.size === size) return path
  }
  throw new Error(`no stored file of ${size} bytes`)
}

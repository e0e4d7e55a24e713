import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import type { HttpContext } from '@adonisjs/core/http'
import { launchChromium, skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { startAdonisApp } from '../../helpers/adonis_app.ts'
import { makePng } from '../../helpers/png.ts'

// The README.md Quickstart's controller (its type check and key), answering with the key as JSON.
const PhotosController = () => import('../../fixtures/photos_controller.ts')

/**
 * What an attacker uploads: a page whose script reports to the app that
 * it ran, on whatever origin it is opened from. It also retitles the page
 * as it runs, before the page's load event: a title still "hi" once the
 * page loaded shows that no script ran, with nothing to wait for.
 */
const EVIL_HTML = `<!doctype html><title>hi</title><script>document.title = 'ran'; fetch('/steal?ran=html')</script>`
const EVIL_SVG = `<svg xmlns="http://www.w3.org/2000/svg"><script>fetch('/steal?ran=svg')</script></svg>`

async function upload(baseUrl: string, cookie: string, name: string, body: Buffer | string) {
  const form = new FormData()
  form.append('photo', new Blob([body]), name)
  const response = await fetch(`${baseUrl}/photos`, {
    method: 'POST',
    headers: { cookie },
    body: form,
  })
  return { status: response.status, body: await response.text() }
}

async function uploadStatus(...args: Parameters<typeof upload>) {
  const { status } = await upload(...args)
  return status
}

async function storedType(
  disk: { getMetaData(key: string): Promise<{ contentType?: string }> },
  key: string
) {
  const meta = await disk.getMetaData(key)
  return meta.contentType
}

test.group('Uploaded HTML and SVG in a real browser (attack)', () => {
  test('a page uploaded by bob, relayed to alice with a fresh signed URL, never runs for her')
    .skip(skipBrowserTests, skipBrowserTestsReason)
    .timeout(120_000)
    .run(async ({ assert, cleanup }) => {
      const ran: string[] = []
      const app = await startAdonisApp({
        // A disk that serves pages inline on purpose: the CSP sandbox still holds.
        static: { inlineActiveContent: true },
        routes(router) {
          // As behind the starter kits' auth middleware.
          const authenticate = async (ctx: any, next: () => Promise<void>) => {
            await ctx.auth.authenticate()
            return next()
          }
          router.post('/photos', [PhotosController, 'store']).use(authenticate)
          router.get('/photos/:name', [PhotosController, 'show']).use(authenticate)
          router.get('/steal', (ctx: HttpContext) => {
            ran.push(ctx.request.input('ran'))
            return ''
          })
          // The control: the same page served by the app itself does run.
          router.get('/control', (ctx: HttpContext) =>
            ctx.response.header('Content-Type', 'text/html').send(EVIL_HTML)
          )
        },
      })
      cleanup(() => app.stop())
      const bob = await app.login('bob')

      // 1. The README controller takes the type from the content: the page
      // is refused under any name, an image is stored under its own type.
      for (const name of ['evil.html', 'evil.png', 'evil.svg']) {
        assert.equal(await uploadStatus(app.baseUrl, bob, name, EVIL_HTML), 422, name)
      }
      assert.equal(await uploadStatus(app.baseUrl, bob, 'x.svg', EVIL_SVG), 422)
      const image = await upload(app.baseUrl, bob, 'evil.html', makePng(2, 2))
      assert.equal(image.status, 200, image.body)
      const { key } = JSON.parse(image.body)
      assert.match(key, /^2\/[0-9a-f-]{36}\.png$/)
      assert.equal(await storedType(app.drive.use('uploads'), key), 'image/png')

      // 2. Files that got in another way: an app that wrote the client's
      // type, and a key named .svg written without a type.
      const uploads = app.drive.use('uploads')
      await uploads.put('2/page.html', EVIL_HTML, { contentType: 'text/html' })
      await uploads.put('2/drawing.svg', EVIL_SVG)
      assert.notEqual(await storedType(uploads, '2/drawing.svg'), 'image/svg+xml')

      // The relay: with bob's own session, fetch a fresh CloudFront URL for
      // his file and send each visitor there.
      const relay = createServer(async (req, res) => {
        const file = new URL(req.url!, 'http://relay').searchParams.get('file')!
        const link = await app.urlFor(bob, file)
        const hop = await fetch(new URL(link, app.baseUrl), {
          headers: { cookie: bob },
          redirect: 'manual',
        })
        res.writeHead(302, { Location: hop.headers.get('location')! }).end()
      })
      relay.listen(0, '127.0.0.1')
      await once(relay, 'listening')
      cleanup(() => new Promise<void>((resolve) => relay.close(() => resolve())))
      const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`

      const browser = await launchChromium()
      cleanup(() => browser.close())
      const alice = await app.login('alice')
      await browser.context.addCookies(
        alice.split('; ').map((pair) => {
          const [name, ...value] = pair.split('=')
          return { name, value: value.join('='), url: app.baseUrl }
        })
      )
      const page = await browser.context.newPage()

      const beacon = page.waitForResponse((response) => response.url().includes('/steal'), {
        timeout: 10_000,
      })
      await page.goto(`${app.baseUrl}/control`)
      await beacon
      assert.deepEqual(ran, ['html'], 'the control page runs: the beacon works')
      assert.equal(await page.title(), 'ran', 'the control page runs: it retitles itself')
      ran.length = 0

      for (const file of ['2/page.html', '2/drawing.svg']) {
        const cdnResponse = page.waitForResponse((response) => response.url().includes('/cdn/'))
        // An attachment is a download: Chromium aborts the navigation.
        await page.goto(`${relayUrl}/?file=${encodeURIComponent(file)}`).catch(() => {})
        const response = await cdnResponse
        assert.equal(response.status(), 200, file)
        const headers = response.headers()
        assert.equal(headers['x-content-type-options'], 'nosniff')
        assert.match(headers['content-security-policy'], /(^|; )sandbox(;|$)/)
        if (file.endsWith('.html')) assert.match(headers['content-disposition'], /^attachment/)
      }
      // Opened inline, on a disk that allows it: the sandbox holds.
      await app.drive.use('static').put('page.html', EVIL_HTML, { contentType: 'text/html' })
      const inline = await page.goto(`${app.baseUrl}/cdn/static/page.html`)
      assert.equal(inline!.status(), 200)
      // Loaded: its script would have retitled it by now.
      assert.equal(await page.title(), 'hi', 'the page was rendered and its script did not run')
      assert.deepEqual(ran, [], 'no uploaded script ran')
    })
})

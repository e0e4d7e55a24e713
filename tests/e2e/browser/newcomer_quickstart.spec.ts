import { randomBytes, randomUUID } from 'node:crypto'
import { copyFile, cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { freePort, runNode, startNodeServer } from '../../helpers/app_process.ts'
import { launchChromium, skipBrowserTests, skipBrowserTestsReason } from '../../helpers/chromium.ts'
import { pageFileBlocks, writeFileBlock } from '../../helpers/doc_blocks.ts'
import { installPacked, packedTarball, REPOSITORY } from '../../helpers/packed_package.ts'
import { makePng } from '../../helpers/png.ts'

/*
 * The README.md Quickstart, then the direct uploads of docs/uploads.md
 * (and the folder-link controller of docs/protected-links.md, compiled
 * with the rest), followed as a newcomer would: the packed
 * package installed into an app shaped like the web starter kit (with
 * shield's CSRF check), `node ace configure djamazing`, then every block
 * of the Quickstart that starts with the file it goes in pasted into that
 * file (routes at the end of start/routes.ts, keeping one copy of each
 * import), and its shell block run. Then `tsc`, `node ace build`, the
 * built app booted, and the pages driven in Chromium: alice uploads a photo
 * with the form and another with the direct-upload page, and sees both;
 * bob gets 403 on her link, a guest sees the page and gets 401 on the
 * link. Each step is timed and printed.
 */

/**
 * An image's width once it has loaded (0 if it failed), run in the page.
 */
const loadedWidth = (element: unknown) => {
  const image = element as {
    complete: boolean
    naturalWidth: number
    onload: unknown
    onerror: unknown
  }
  if (image.complete) return image.naturalWidth
  return new Promise<number>((resolve) => {
    image.onload = image.onerror = () => resolve(image.naturalWidth)
  })
}

const steps: [string, number][] = []
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    return await work()
  } finally {
    steps.push([name, performance.now() - started])
  }
}

/**
 * The blocks of a page (or of one section of it) that a newcomer pastes:
 * those that start with the file they go in, fragments aside, and the
 * djamazing commands of its shell blocks.
 */
async function pastedBlocks(page: string, section?: string) {
  const { files, blocks } = await pageFileBlocks(REPOSITORY, page, section)
  const shell = blocks
    .filter((block) => block.lang === 'sh')
    .flatMap((block) => block.code.split('\n'))
    .filter((line) => line.startsWith('node ace djamazing:'))
  return { files: files.filter((block) => block.kind !== 'fragment'), shell }
}

test.group(
  'Newcomer | the README Quickstart and direct uploads pasted into a starter-kit app, in Chromium',
  (group) => {
    let appRoot: string

    group.setup(async () => {
      appRoot = join(REPOSITORY, 'tmp', `newcomer-${randomUUID()}`)
      return async () => {
        console.log(steps.map(([name, ms]) => `  ${(ms / 1000).toFixed(1)} s  ${name}`).join('\n'))
        await rm(appRoot, { recursive: true, force: true })
      }
    })

    test('configure, paste, tsc, build, boot: alice uploads two ways and sees both, bob 403, a guest 401', async ({
      assert,
    }) => {
      await cp(join(REPOSITORY, 'tests/fixtures/newcomer_app'), appRoot, { recursive: true })
      const port = await freePort()
      const env = await readFile(join(appRoot, '.env.example'), 'utf8')
      await writeFile(join(appRoot, '.env'), env.replace(/^PORT=.*$/m, `PORT=${port}`))
      const tarball = await step('npm run build && npm pack', () => packedTarball())
      await step('npm install <tarball> (unpacked, dependencies linked)', () =>
        installPacked(appRoot, tarball)
      )

      const configure = await step('node ace configure djamazing', () =>
        runNode(appRoot, ['ace', 'configure', 'djamazing'])
      )
      assert.equal(configure.code, 0, configure.output)

      const quickstart = await pastedBlocks('README.md', '## Quickstart')
      const uploads = await pastedBlocks('docs/uploads.md')
      const folders = await pastedBlocks('docs/protected-links.md')
      const files = [...quickstart.files, ...uploads.files, ...folders.files]
      const shell = quickstart.shell
      assert.deepEqual(
        files.map(({ file }) => file),
        [
          'config/drive.ts',
          'start/routes.ts',
          'app/controllers/photos_controller.ts',
          'resources/views/pages/photos.edge',
          'app/controllers/uploads_controller.ts',
          'start/routes.ts',
          'resources/views/pages/upload.edge',
          'resources/js/uppy.js',
          'app/controllers/courses_controller.ts',
        ]
      )
      await step('paste the Quickstart, direct-upload and folder-link blocks', async () => {
        for (const block of files) await writeFileBlock(appRoot, block)
      })
      // The newcomer's own logo, in public/ as the Quickstart says.
      await mkdir(join(appRoot, 'public'), { recursive: true })
      const logo =
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="teal"/></svg>\n'
      await writeFile(join(appRoot, 'public/logo.svg'), logo)
      assert.deepEqual(shell, ['node ace djamazing:publish public --disk=static'])
      for (const line of shell) {
        const result = await step(line, () => runNode(appRoot, line.split(' ').slice(1)))
        assert.equal(result.code, 0, result.output)
      }

      const tsc = await step('tsc --noEmit', () =>
        runNode(appRoot, ['node_modules/typescript/bin/tsc', '--noEmit'])
      )
      assert.equal(tsc.code, 0, tsc.output)
      const build = await step('node ace build', () => runNode(appRoot, ['ace', 'build']))
      assert.equal(build.code, 0, build.output)
      const buildRoot = join(appRoot, 'build')
      // In place of `npm ci --omit=dev`: the same packages, linked.
      await symlink(join(appRoot, 'node_modules'), join(buildRoot, 'node_modules'))
      await copyFile(join(appRoot, '.env'), join(buildRoot, '.env'))
      const app = await step('node bin/server.js in build/, until it answers', () =>
        startNodeServer(buildRoot, ['bin/server.js'], port)
      )
      const browser = await launchChromium()
      try {
        await step('alice, bob and a guest in Chromium', async () => {
          const page = await browser.context.newPage()
          const login = async (name: string) => {
            await page.goto(`${app.url}/login`)
            await page.fill('input[name=name]', name)
            await Promise.all([page.waitForURL(`${app.url}/photos`), page.click('button')])
          }

          // alice uploads a photo with the page's form, and sees it.
          await login('alice')
          const photo = join(appRoot, 'tmp-holiday.png')
          await writeFile(photo, makePng(6, 4, 42))
          await page.setInputFiles('input[name=photo]', photo)
          await Promise.all([page.waitForURL(`${app.url}/photos`), page.click('button')])
          const image = page.locator('img.photo')
          assert.equal(await image.count(), 1)
          assert.equal(await image.evaluate(loadedWidth), 6)
          assert.equal(await page.locator('#logo').evaluate(loadedWidth), 8)
          // alice uploads another straight to the store, from the direct-upload page.
          const direct = join(appRoot, 'tmp-direct.png')
          await writeFile(direct, makePng(5, 3, 7))
          await page.goto(`${app.url}/upload`)
          await page.setInputFiles('#file', direct)
          await page.waitForFunction("document.querySelector('#status').textContent !== ''")
          assert.match((await page.textContent('#status'))!, /^Stored as 1\/[0-9a-f-]{36}\.png$/)
          await page.goto(`${app.url}/photos`)
          const photos = page.locator('img.photo')
          const widths: number[] = []
          for (let index = 0; index < (await photos.count()); index++) {
            widths.push(await photos.nth(index).evaluate(loadedWidth))
          }
          assert.sameMembers(widths, [6, 5])

          const link = new URL((await image.first().getAttribute('src'))!, app.url).href
          assert.match(link, /\/djamazing\/uploads\/1\/[0-9a-f-]{36}\.png\?/)

          // A file over the multipart threshold (64 MiB), through the same page: the
          // controller's four multipart routes take it, nothing else is needed.
          const large = join(appRoot, 'tmp-large.bin')
          await writeFile(large, randomBytes(70 * 1024 * 1024))
          await page.goto(`${app.url}/upload`)
          const completed = page.waitForResponse(`${app.url}/uploads/complete`, {
            timeout: 300_000,
          })
          await page.setInputFiles('#file', large)
          const complete = await completed
          assert.equal(complete.status(), 200)
          await page.waitForFunction("document.querySelector('#status').textContent !== ''")
          assert.match((await page.textContent('#status'))!, /^Stored as 1\/[0-9a-f-]{36}\.bin$/)

          // bob: 403 on alice's link.
          await browser.context.clearCookies()
          await login('bob')
          assert.equal((await page.goto(link))!.status(), 403)

          // A guest: the page, without photos, and 401 on the link.
          await browser.context.clearCookies()
          const guestPage = await page.goto(`${app.url}/photos`)
          assert.equal(guestPage!.status(), 200)
          assert.include(await page.content(), 'Log in to upload photos.')
          assert.equal(await page.locator('img.photo').count(), 0)
          assert.equal((await page.goto(link))!.status(), 401)
        })
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- app output ---\n${app.output()}`, {
          cause: error,
        })
      } finally {
        await browser.close()
        await app.stop()
      }
    })
      .skip(skipBrowserTests, skipBrowserTestsReason)
      .timeout(600_000)
  }
)

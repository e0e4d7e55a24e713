import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { appendFile, cp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { freePort, runNode, startNodeServer, type RunningApp } from '../helpers/app_process.ts'
import { allFileBlocks, pageFileBlocks, writeFileBlock } from '../helpers/doc_blocks.ts'
import { installPacked, packedTarball, REPOSITORY } from '../helpers/packed_package.ts'

/*
 * Every TypeScript block of README.md and docs/ that is not a fragment (its
 * first line names the file it goes in: docs/development.md), written
 * into that file of an app shaped like the web starter kit, with the
 * packed package installed and `node ace configure djamazing` run, then
 * `tsc --noEmit` under the starter kit's own tsconfig (`noUnusedLocals`
 * and all). A block that stops compiling fails here, named by page and
 * line. Then the plain flydrive project of docs/flydrive.md, whose blocks
 * are a folder of their own, is run as the page says: s3rver, the key
 * script, the seed script, the server, and the requests the page shows.
 */

const run = promisify(execFile)

/**
 * Pages whose blocks are a project of their own, not files of the app:
 * they go in a folder of the app (compiled with it, under its tsconfig).
 */
const PROJECTS: Record<string, string> = { 'docs/flydrive.md': 'plain-flydrive' }

/**
 * The `error TS` lines of a tsc run, each with the blocks that wrote its
 * file (page:line), so a failure names the block to fix.
 */
function errorsByBlock(output: string, written: Map<string, string[]>): string[] {
  return output
    .split('\n')
    .filter((line) => line.includes('error TS'))
    .map((line) => {
      const file = line.slice(0, line.indexOf('('))
      return `${(written.get(file) ?? ['(no block)']).join(' + ')}: ${line}`
    })
}

test.group(
  'Docs | every complete code block, compiled in a starter-kit app from the tarball',
  (group) => {
    let appRoot: string
    let compiled = false

    group.setup(async () => {
      appRoot = join(REPOSITORY, 'tmp', `docs-blocks-${randomUUID()}`)
      return () => rm(appRoot, { recursive: true, force: true })
    })

    test('configure, write each block into the file it names, tsc --noEmit', async ({ assert }) => {
      const started = performance.now()
      await cp(join(REPOSITORY, 'tests/fixtures/newcomer_app'), appRoot, { recursive: true })
      const env = await readFile(join(appRoot, '.env.example'), 'utf8')
      await writeFile(join(appRoot, '.env'), env)
      await installPacked(appRoot, await packedTarball())
      const configure = await runNode(appRoot, ['ace', 'configure', 'djamazing'])
      assert.equal(configure.code, 0, configure.output)

      const blocks = allFileBlocks()
      // Whole files first, then the lines added at the end of files, so no
      // whole file written later can drop lines another page added.
      const complete = [
        ...blocks.filter(({ kind }) => kind === 'whole'),
        ...blocks.filter(({ kind }) => kind === 'at-the-end'),
      ]
      const written = new Map<string, string[]>()
      for (const block of complete) {
        const folder = PROJECTS[block.page]
        await writeFileBlock(folder ? join(appRoot, folder) : appRoot, block)
        const file = folder ? `${folder}/${block.file}` : block.file
        written.set(file, [...(written.get(file) ?? []), `${block.page}:${block.line}`])
      }
      const typescript = complete.filter(({ file }) => file.endsWith('.ts'))
      // The Quickstart, the uploads controller and the plain project at least.
      assert.isAtLeast(typescript.length, 10)

      const tsc = await runNode(appRoot, ['node_modules/typescript/bin/tsc', '--noEmit'])
      assert.deepEqual(errorsByBlock(tsc.output, written), [])
      assert.equal(tsc.code, 0, tsc.output)
      compiled = true
      const fragments = blocks.filter(({ kind }) => kind === 'fragment')
      console.log(
        `  ${typescript.length} TypeScript blocks compiled (${complete.length - typescript.length} Edge templates and scripts written), ${fragments.length} fragments left out, in ${((performance.now() - started) / 1000).toFixed(1)} s`
      )
    }).timeout(600_000)

    test('the plain flydrive project of docs/flydrive.md runs against s3rver and the local edge', async ({
      assert,
    }) => {
      assert.isTrue(compiled, 'the blocks compiled (the test above)')
      const project = join(appRoot, PROJECTS['docs/flydrive.md'])
      const { blocks } = await pageFileBlocks(REPOSITORY, 'docs/flydrive.md')
      const [settings] = blocks.filter(({ lang }) => lang === 'ini')
      // The project's package.json as the page makes it; its installs are
      // the packed package and its peers, installed in the app around it.
      const setUp = blocks
        .filter(({ lang }) => lang === 'sh')
        .flatMap(({ code }) => code.split('\n'))
        .filter((line) => /^npm (init|pkg)\b/.test(line))
      assert.deepEqual(setUp, ['npm init -y', 'npm pkg set type=module'])
      for (const line of setUp) await run('sh', ['-c', line], { cwd: project })
      const commands = blocks
        .filter(({ lang }) => lang === 'sh')
        .map(({ code }) => code.split('\n'))
        .find((lines) => lines.some((line) => line.startsWith('npx s3rver')))!
      assert.deepEqual(commands, [
        `node -e "console.log('APP_KEY=' + require('crypto').randomBytes(32).toString('base64url'))" >> .env`,
        'npx s3rver --directory s3 --address 127.0.0.1 --port 4568 --configure-bucket media',
        'node --env-file=.env keys.ts',
        'node --env-file=.env seed.ts',
        'node --env-file=.env server.ts',
      ])

      // The page's ports, moved to free ones.
      const [s3Port, port] = [await freePort(), await freePort()]
      const moved = (text: string) =>
        text.replaceAll('4568', String(s3Port)).replaceAll('3000', String(port))
      await writeFile(join(project, '.env'), `${moved(settings.code)}\n`)
      await run('sh', ['-c', commands[0]], { cwd: project })
      // The same values over whatever the test runner's environment holds.
      const env = await readFile(join(project, '.env'), 'utf8')
      const values = Object.fromEntries(
        env
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
      )
      assert.match(values.APP_KEY, /^[\w-]{43}$/)
      const argsOf = (line: string) => moved(line).split(' ').slice(1)

      const running: RunningApp[] = []
      try {
        const s3rver = join(appRoot, 'node_modules/.bin/s3rver')
        running.push(
          await startNodeServer(
            project,
            [s3rver, ...argsOf(commands[1])],
            s3Port,
            {},
            /S3rver listening on /
          )
        )
        const keys = await runNode(project, argsOf(commands[2]), values)
        assert.equal(keys.code, 0, keys.output)
        assert.match(keys.output, /^-----BEGIN PUBLIC KEY-----/)
        const seed = await runNode(project, argsOf(commands[3]), values)
        assert.equal(seed.code, 0, seed.output)
        // The line the page's server prints once it listens.
        const app = await startNodeServer(
          project,
          argsOf(commands[4]),
          port,
          values,
          /^Listening on /m
        )
        running.push(app)
        const origin = `http://127.0.0.1:${port}`

        const logoUrl = seed.output.trim()
        assert.equal(logoUrl, `${origin}/cdn/static/logo.svg`)
        const logo = await fetch(logoUrl)
        assert.equal(logo.status, 200)
        assert.equal(logo.headers.get('content-type'), 'image/svg+xml')

        const as = (user?: string) => ({
          redirect: 'manual' as const,
          headers: user ? { cookie: `user=${user}` } : {},
        })
        const statusOf = async (user?: string) => {
          const response = await fetch(`${origin}${link}`, as(user))
          return response.status
        }
        const report = await fetch(`${origin}/report`, as('42'))
        const text = await report.text()
        const link = text.trim()
        assert.match(link, /^\/djamazing\/uploads\/42\/report\.pdf\?e=\d+&s=[\w-]+$/)
        const found = await fetch(`${origin}${link}`, as('42'))
        assert.equal(found.status, 302)
        const location = found.headers.get('location')!
        assert.isTrue(location.startsWith(`${origin}/cdn/uploads/42/report.pdf?Expires=`), location)
        const file = await fetch(location)
        assert.equal(file.status, 200)
        assert.equal(await file.text(), '%PDF-1.7 the report of user 42')
        assert.equal(await statusOf('7'), 403, 'another user')
        assert.equal(await statusOf(), 401, 'a guest')
        const unsigned = await fetch(`${origin}/cdn/uploads/42/report.pdf`)
        assert.equal(unsigned.status, 403)
        assert.include(await unsigned.text(), '<Code>MissingKey</Code>')
      } catch (error) {
        const output = running.map((one) => one.output()).join('\n---\n')
        throw new Error(`${(error as Error).message}\n--- output ---\n${output}`, { cause: error })
      } finally {
        for (const one of running.reverse()) await one.stop()
      }
      const manifest = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'))
      assert.equal(manifest.type, 'module')
      // The key the page's script wrote, where .env says.
      assert.match(
        await readFile(join(project, 'cloudfront_private_key.pem'), 'utf8'),
        /PRIVATE KEY/
      )
    }).timeout(300_000)

    test('a guest on a page that calls driveUrl without the guard: the dev error page says why', async ({
      assert,
    }) => {
      assert.isTrue(compiled, 'the blocks compiled (the first test)')
      // The newcomer's slip the README warns about: a protected link on a page guests see.
      await writeFile(
        join(appRoot, 'resources/views/pages/unguarded.edge'),
        `<img src="{{ await driveUrl('1/song.wav', 'uploads') }}" alt="" />\n`
      )
      await appendFile(
        join(appRoot, 'start/routes.ts'),
        `\nrouter.on('/unguarded').render('pages/unguarded')\n`
      )
      const port = await freePort()
      // As `node ace serve` runs it: from source, NODE_ENV=development (.env).
      const app = await startNodeServer(
        appRoot,
        ['--import=@poppinss/ts-exec', 'bin/server.ts'],
        port
      )
      try {
        const response = await fetch(`${app.url}/unguarded`, { headers: { accept: 'text/html' } })
        const html = await response.text()
        assert.equal(response.status, 500)
        // Youch's page, with the reason and the fix, not flydrive's wrapper alone.
        assert.include(html, 'Cannot make a protected link for a guest on disk &quot;uploads&quot;')
        assert.include(html, 'guestLinks: true')
        assert.notInclude(html, 'Cannot generate URL for file at location')
      } finally {
        await app.stop()
      }
    }).timeout(300_000)
  }
)

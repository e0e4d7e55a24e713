import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { packedTarball, REPOSITORY } from '../helpers/packed_package.ts'
import { startS3Server, type S3Server } from '../helpers/s3_server.ts'

const run = promisify(execFile)

/**
 * The package as users get it: `npm pack`ed once, installed with
 * `npm install` into fresh projects, type-checked by their own `tsc` with
 * `skipLibCheck: false`, and run. Installs come from the npm cache when it
 * has the packages (`--prefer-offline`), from the registry otherwise.
 */

/**
 * Another, older release of the AWS SDK than the one djamazing is
 * developed with: the plain project's own, pinned as an app's lockfile
 * pins it, so a second copy, or a peer range it does not meet, would show.
 */
const USER_AWS_SDK = '3.901.0'

/**
 * The version of a package in this repository's lockfile, for installs
 * the npm cache can serve.
 */
async function versionOf(name: string): Promise<string> {
  const manifest = join(REPOSITORY, 'node_modules', name, 'package.json')
  return JSON.parse(await readFile(manifest, 'utf8')).version
}

/**
 * The entry points of the package, from its `exports`.
 */
async function entryPoints(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(REPOSITORY, 'package.json'), 'utf8'))
  return Object.keys(manifest.exports).map((path) => join('djamazing', path).replace(/\/\.$/, ''))
}

/**
 * A fresh project: its package.json, files, then `npm install`.
 */
async function createProject(
  name: string,
  dependencies: Record<string, string>,
  files: Record<string, string>
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `djamazing-${name}-`))
  const manifest = { name, private: true, type: 'module', dependencies }
  await writeFile(join(root, 'package.json'), JSON.stringify(manifest, null, 2))
  for (const [file, text] of Object.entries(files)) await writeFile(join(root, file), text)
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  })
  return root
}

/**
 * `tsc` of the project itself; its output when it fails.
 */
async function compile(root: string) {
  try {
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root])
  } catch (error: any) {
    throw new Error(`tsc failed in ${root}:\n${error.stdout}${error.stderr}`)
  }
}

/**
 * The error lines of `tsc -p <project>/<config>` (none when it passes).
 */
async function compileErrors(root: string, config: string): Promise<string[]> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  try {
    await run(process.execPath, [tsc, '-p', join(root, config)], { cwd: root })
    return []
  } catch (error: any) {
    return String(error.stdout)
      .split('\n')
      .filter((line) => line.includes('error TS'))
  }
}

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2023',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    outDir: 'dist',
    types: ['node'],
  },
  include: ['*.ts'],
})

/**
 * The plain flydrive user: no AdonisJS anywhere, their own S3 client of
 * another SDK release passed as `client`, a round trip against s3rver.
 */
function plainProgram(entries: string[]) {
  return `import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { S3Client } from '@aws-sdk/client-s3'
import { Disk } from 'flydrive'
import { DjamazingDriver } from 'djamazing'
import { startEdgeServer } from 'djamazing/edge'
import type { DjamazingOptions } from 'djamazing/types'

const client = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
})
const options: DjamazingOptions = {
  client,
  bucket: process.env.S3_BUCKET!,
  mode: 'public',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net/media',
}
const disk = new Disk(new DjamazingDriver(options))
await disk.put('hello world.txt', 'hello from a plain project')
const signed = await disk.getSignedUrl('hello world.txt', { expiresIn: '30mins' })
const response = await fetch(signed)

// A stream of unknown length over one part: multipart on this SDK release.
const chunk = Buffer.alloc(1024 * 1024, 7)
const streamed = Readable.from((function* () { for (let i = 0; i < 9; i++) yield chunk })())
await disk.putStream('streamed.bin', streamed)
const stored = Buffer.from(await disk.getBytes('streamed.bin'))
const put = {
  size: stored.length,
  sha256: createHash('sha256').update(stored).digest('hex'),
  expected: createHash('sha256').update(Buffer.concat(Array(9).fill(chunk))).digest('hex'),
}

// The local edge over the app's own client: S3's errors of that SDK
// release are still read (a missing bucket is NoSuchBucket, not a 502).
const edge = await startEdgeServer({ client, bucket: 'no-such-bucket', defaultBehavior: { signed: false } })
const missing = await fetch(edge.url + 'a.txt')
const edgeAnswer = { status: missing.status, body: await missing.text() }
await edge.close()

const modules: Record<string, string[]> = {}
for (const entry of ${JSON.stringify(entries)}) {
  modules[entry] = Object.keys(await import(entry)).sort()
}
console.log(JSON.stringify({
  url: await disk.getUrl('hello world.txt'),
  signed,
  status: response.status,
  body: await response.text(),
  edgeAnswer,
  put,
  modules,
}))
`
}

test.group('Package | installed from the packed tarball into fresh projects', (group) => {
  let tarball: string
  let s3: S3Server
  const projects: string[] = []

  group.setup(async () => {
    ;[tarball, s3] = await Promise.all([packedTarball(), startS3Server()])
    return async () => {
      await s3.stop()
      for (const root of projects) await rm(root, { recursive: true, force: true })
    }
  })

  test('a plain flydrive project, with its own AWS SDK release, compiles and round-trips', async ({
    assert,
  }) => {
    // The AdonisJS entry points need AdonisJS; the rest must work without it.
    const all = await entryPoints()
    const entries = all.filter((entry) => !/djamazing_provider|commands/.test(entry))
    const root = await createProject(
      'plain-flydrive',
      {
        'djamazing': `file:${tarball}`,
        'flydrive': '2.1.0',
        '@aws-sdk/client-s3': USER_AWS_SDK,
        '@aws-sdk/s3-request-presigner': USER_AWS_SDK,
        'typescript': await versionOf('typescript'),
        '@types/node': await versionOf('@types/node'),
      },
      { 'main.ts': plainProgram(entries), 'tsconfig.json': TSCONFIG }
    )
    projects.push(root)

    // No AdonisJS package was installed, and the SDK exists once: the app's.
    await assert.rejects(() => stat(join(root, 'node_modules/@adonisjs/core')))
    await assert.rejects(() => stat(join(root, 'node_modules/djamazing/node_modules/@aws-sdk')))
    const sdk = join(root, 'node_modules/@aws-sdk/client-s3/package.json')
    assert.equal(JSON.parse(await readFile(sdk, 'utf8')).version, USER_AWS_SDK)

    await compile(root)
    const { stdout } = await run(process.execPath, [join(root, 'dist/main.js')], {
      cwd: root,
      env: { ...process.env, S3_ENDPOINT: s3.endpoint, S3_BUCKET: s3.bucket },
    })
    const result = JSON.parse(stdout)
    assert.equal(result.url, 'https://d111111abcdef8.cloudfront.net/media/hello%20world.txt')
    assert.isTrue(result.signed.startsWith(`${s3.endpoint}/${s3.bucket}/hello%20world.txt?`))
    assert.equal(new URL(result.signed).searchParams.get('X-Amz-Expires'), '1800')
    assert.equal(result.status, 200)
    assert.equal(result.body, 'hello from a plain project')
    assert.equal(result.put.size, 9 * 1024 * 1024)
    assert.equal(result.put.sha256, result.put.expected)
    assert.equal(result.edgeAnswer.status, 404)
    assert.include(result.edgeAnswer.body, '<Code>NoSuchBucket</Code>')
    assert.includeMembers(result.modules.djamazing, ['DjamazingDriver', 'errors'])
    assert.sameMembers(Object.keys(result.modules), entries)
  }).timeout(300_000)

  test('an AdonisJS project compiles and imports every entry point', async ({ assert }) => {
    const entries = await entryPoints()
    const imports = entries.map((entry, i) => `import * as entry${i} from '${entry}'`).join('\n')
    const root = await createProject(
      'adonis-app',
      {
        'djamazing': `file:${tarball}`,
        'flydrive': await versionOf('flydrive'),
        '@adonisjs/core': await versionOf('@adonisjs/core'),
        '@adonisjs/drive': await versionOf('@adonisjs/drive'),
        '@adonisjs/auth': await versionOf('@adonisjs/auth'),
        '@adonisjs/session': await versionOf('@adonisjs/session'),
        '@aws-sdk/client-s3': await versionOf('@aws-sdk/client-s3'),
        '@aws-sdk/s3-request-presigner': await versionOf('@aws-sdk/s3-request-presigner'),
        // `djamazing/browser/uppy` is typed against the app's Uppy (optional peers).
        '@uppy/core': await versionOf('@uppy/core'),
        '@uppy/aws-s3': await versionOf('@uppy/aws-s3'),
        'typescript': await versionOf('typescript'),
        '@types/node': await versionOf('@types/node'),
      },
      {
        'main.ts': `${imports}\nconsole.log(JSON.stringify([${entries.map((_, i) => `Object.keys(entry${i})`).join(', ')}]))\n`,
        // As AdonisJS apps have it (@adonisjs/tsconfig): AdonisJS's own
        // declarations need packages an app installs only when it uses them.
        'tsconfig.json': TSCONFIG.replace('"skipLibCheck":false', '"skipLibCheck":true'),
        'tsconfig.strict.json': TSCONFIG.replace('"outDir":"dist"', '"noEmit":true'),
      }
    )
    projects.push(root)

    await compile(root)
    // With every declaration checked, what fails is AdonisJS's and its
    // dependencies' (@vinejs/vine, untyped yargs-parser...), never ours.
    const strict = await compileErrors(root, 'tsconfig.strict.json')
    assert.isAbove(strict.length, 0, 'the strict check read AdonisJS declarations')
    assert.deepEqual(
      strict.filter((line) => !line.startsWith('node_modules/') || line.includes('/djamazing/')),
      []
    )
    const { stdout } = await run(process.execPath, [join(root, 'dist/main.js')], { cwd: root })
    const exported: string[][] = JSON.parse(stdout)
    assert.lengthOf(exported, entries.length)
    assert.include(exported[entries.indexOf('djamazing')], 'configure')
  }).timeout(300_000)
})

import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import ts from 'typescript'

/**
 * The runtime exports of every entry point of the package, by subpath.
 * A change to the public surface shows up here, and is made on purpose.
 */
const EXPORTS: Record<string, string[]> = {
  '.': [
    'DjamazingDriver',
    'asUser',
    'clearFolderCookies',
    'configure',
    'djamazing',
    'encodeObjectKey',
    'errors',
    'stubsRoot',
  ],
  './types': [],
  './cloudfront': [
    'CloudFrontSigner',
    'CloudFrontVerifier',
    'cloudFrontSetCookies',
    'escapeUrlWildcards',
    'generateCloudFrontKeyPair',
    'literalResource',
    'publicKeyFrom',
  ],
  './links': ['LinkSigner', 'createRedirectHandler', 'folderCookieClearing', 'handleLinkRequest'],
  './edge': ['createEdgeForDisks', 'createEdgeHandler', 'startEdgeServer'],
  './djamazing_provider': ['default'],
  './commands': ['getCommand', 'getMetaData'],
  './browser': ['DirectUploadError', 'directUpload', 'sha256Base64'],
  './browser/uppy': ['uppyS3Options'],
}

const root = new URL('../../', import.meta.url)
const manifest = JSON.parse(await readFile(new URL('package.json', root), 'utf8'))

/**
 * The source file an entry point is built from: `./build/src/x.js` is
 * `src/x.ts`. The browser module is shipped as it is written.
 */
function sourceOf(target: string): URL {
  if (!target.startsWith('./build/')) return new URL(target, root)
  return new URL(target.replace(/^\.\/build\//, '').replace(/\.js$/, '.ts'), root)
}

/**
 * Every documentation page shipped or linked: the README and `docs/`.
 */
async function documentation(): Promise<string> {
  const pages = [await readFile(new URL('README.md', root), 'utf8')]
  const docs = await readdir(new URL('docs/', root)).catch(() => [])
  for (const name of docs.filter((file) => file.endsWith('.md'))) {
    pages.push(await readFile(new URL(`docs/${name}`, root), 'utf8'))
  }
  return pages.join('\n')
}

test.group('Package | entry points', () => {
  test('package.json lists exactly these entry points', ({ assert }) => {
    assert.deepEqual(Object.keys(manifest.exports).sort(), Object.keys(EXPORTS).sort())
  })

  for (const [subpath, expected] of Object.entries(EXPORTS)) {
    test('{$self} exports exactly its documented names')
      .with([subpath])
      .run(async ({ assert }) => {
        const module = await import(sourceOf(manifest.exports[subpath]).href)
        assert.deepEqual(Object.keys(module).sort(), [...expected].sort())
      })
  }

  test('every runtime export is named in the documentation', async ({ assert }) => {
    const docs = await documentation()
    for (const [subpath, names] of Object.entries(EXPORTS)) {
      // The provider's default export and the commands' loader hooks are
      // read by AdonisJS, not called by users: the docs name their subpaths.
      if (subpath === './djamazing_provider' || subpath === './commands') {
        assert.include(docs, `djamazing/${subpath.slice(2)}`)
        continue
      }
      for (const name of names) {
        assert.match(docs, new RegExp(`\\b${name}\\b`), `${subpath}: ${name} is not documented`)
      }
    }
  })

  test("the demo's names for the package are these entry points' sources, for tsc and for node", async ({
    assert,
  }) => {
    const names = Object.keys(EXPORTS).map((subpath) => `djamazing${subpath.slice(1)}`)
    const withoutExtension = (url: URL) => fileURLToPath(url).replace(/\.(ts|js)$/, '')
    const { config } = ts.readConfigFile(
      fileURLToPath(new URL('tsconfig.json', root)),
      ts.sys.readFile
    )
    const paths = config.compilerOptions.paths as Record<string, string[]>
    assert.sameMembers(Object.keys(paths), names)
    // What `npm run demo` resolves them to, through bin/package_from_source.ts.
    const script = `for (const name of ${JSON.stringify(names)}) console.log(import.meta.resolve(name))`
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import=./bin/package_from_source.ts', '--input-type=module', '-e', script],
      { cwd: root }
    )
    const resolved = stdout.trim().split('\n')
    for (const [index, subpath] of Object.keys(EXPORTS).entries()) {
      const source = sourceOf(manifest.exports[subpath])
      assert.equal(resolved[index], source.href, names[index])
      assert.equal(
        withoutExtension(new URL(paths[names[index]][0], root)),
        withoutExtension(source)
      )
    }
  })
})

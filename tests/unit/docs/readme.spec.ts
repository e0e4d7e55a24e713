import { existsSync, readFileSync } from 'node:fs'
import { test } from '@japa/runner'
import { codeBlocks, documentationPages, type Block } from '../../helpers/markdown.ts'
import { FILE_LANGUAGES, fileBlocks, fileOf } from '../../helpers/doc_blocks.ts'

/**
 * The code blocks of README.md and of every page in docs/ are promises to
 * readers: each one is run by a test, the demo or CI. The comment before a
 * block names where, e.g. `<!-- exercised: tests/unit/docs/readme_examples.spec.ts
 * (same) -->`. With "(same)", every significant line of the block must
 * appear, in order, in that file, so the page cannot drift from the code
 * that runs it; without it, the file must name the page back. The
 * convention is written out at the top of docs/development.md.
 */

const ROOT = new URL('../../../', import.meta.url)
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'))

const PAGES = documentationPages()

/**
 * A line without its trailing `//` comment (quotes and template literals
 * respected, so URLs stay whole).
 */
function withoutComment(line: string): string {
  let quote: string | null = null
  for (let i = 0; i < line.length; i++) {
    const char = line[i]
    if (quote) {
      if (char === '\\') i++
      else if (char === quote) quote = null
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char
    } else if (char === '/' && line[i + 1] === '/') {
      return line.slice(0, i)
    }
  }
  return line
}

/**
 * Module specifiers as a reader of the README writes them: the package's
 * own files by their public name (from the exports map of package.json),
 * and AdonisJS's `#start/env` for the demo's relative import of it.
 */
const PUBLIC_NAMES: [string, string][] = Object.entries(
  PACKAGE.exports as Record<string, string>
).map(([subpath, target]) => [
  // Built entries by their TypeScript source; the browser modules as shipped.
  target.startsWith('./build/') ? target.slice(8).replace(/\.js$/, '.ts') : target.slice(2),
  subpath === '.' ? PACKAGE.name : `${PACKAGE.name}/${subpath.slice(2)}`,
])

function normalizeImports(line: string): string {
  return line.replace(/from '([^']+)'/, (whole, specifier: string) => {
    if (!specifier.startsWith('.')) return whole
    const path = specifier.replace(/^(\.\.?\/)+/, '')
    const name = PUBLIC_NAMES.find(([file]) => file === path)?.[1]
    if (name) return `from '${name}'`
    if (path === 'start/env.ts') return `from '#start/env'`
    return whole
  })
}

/**
 * The lines that carry meaning: no blank lines, no comment-only lines,
 * trailing comments dropped, indentation ignored.
 */
function significantLines(code: string): string[] {
  return code
    .replace(/^\s*import\b[^'\n]*\{[^}]*\}\s*from\s*'[^']+'/gm, (statement) =>
      statement.replace(/\s*\n\s*/g, ' ')
    )
    .split('\n')
    .map((line) => normalizeImports(withoutComment(line).trim()).trim())
    .filter(
      (line) =>
        line !== '' &&
        !line.startsWith('//') &&
        !line.startsWith('*') &&
        !/^\{\{--.*--\}\}$/.test(line)
    )
}

/**
 * What a stub renders to with the configure command's default disk names.
 */
function render(path: string, text: string): string {
  if (!path.endsWith('.stub')) return text
  return text
    .replace(/^\{\{\{[\s\S]*?\}\}\}\n/, '')
    .replaceAll('{{ publicDisk }}', 'static')
    .replaceAll('{{ protectedDisk }}', 'uploads')
}

/**
 * The names and module of an import line (`import a, { b, type C } from 'x'`).
 */
function importOf(line: string): { names: string[]; from: string } | null {
  const match = /^import\s+(?:type\s+)?(.*?)\s+from\s+'([^']+)'$/.exec(line)
  if (!match) return null
  const names = match[1]
    .replace(/[{}]/g, ',')
    .split(',')
    .map((name) => name.trim().replace(/^type\s+/, ''))
    .filter(Boolean)
  return { names, from: match[2] }
}

/**
 * Whether a file line stands for a README line: it contains it, or, for an
 * import, it imports at least the same names from the same module.
 */
function covers(candidate: string, line: string): boolean {
  if (candidate.includes(line)) return true
  const wanted = importOf(line)
  const given = importOf(candidate)
  return (
    wanted !== null &&
    given !== null &&
    wanted.from === given.from &&
    wanted.names.every((name) => given.names.includes(name))
  )
}

/**
 * The first significant line of `code` not found, in order, in `file`
 * (a file line containing it counts), or null when all are there.
 */
function firstMissingLine(code: string, file: string): string | null {
  const fileLines = significantLines(file)
  let at = 0
  for (const line of significantLines(code)) {
    const found = fileLines.findIndex((candidate, index) => index >= at && covers(candidate, line))
    if (found < 0) return line
    at = found + 1
  }
  return null
}

const BLOCKS = PAGES.flatMap((page) => codeBlocks(page.path, page.text))
const where = (block: Block) => `${block.page}:${block.line}`

test.group('Docs | every code block is exercised', () => {
  test('the checker finds every fenced block of every page', ({ assert }) => {
    assert.includeMembers(
      PAGES.map(({ path }) => path),
      ['README.md', 'docs/README.md', 'docs/development.md']
    )
    for (const page of PAGES) {
      const fences = page.text.split('\n').filter((line) => /^\s*```/.test(line)).length
      const found = BLOCKS.filter((block) => block.page === page.path).length
      assert.equal(fences, found * 2, `${page.path}: ${fences} fences, ${found} blocks`)
    }
  })

  test('each block names, in a comment before it, where it is exercised', ({ assert }) => {
    const unmarked = BLOCKS.filter((block) => !block.targets).map(where)
    assert.deepEqual(unmarked, [], `code blocks without an exercised comment`)
  })

  test('each named file exists', ({ assert }) => {
    for (const block of BLOCKS) {
      for (const target of block.targets ?? []) {
        assert.isTrue(
          existsSync(new URL(target.path, ROOT)),
          `${where(block)}: ${target.path} does not exist`
        )
      }
    }
  })

  test('a block marked "(same)" is, line by line, in the file that runs it', ({ assert }) => {
    for (const block of BLOCKS) {
      for (const target of (block.targets ?? []).filter(({ same }) => same)) {
        const file = render(target.path, readFileSync(new URL(target.path, ROOT), 'utf8'))
        const missing = firstMissingLine(block.code, file)
        assert.isNull(missing, `${where(block)}: not in ${target.path}: ${missing}`)
      }
    }
  })

  test('a file named without "(same)" names the page back', ({ assert }) => {
    const silent = BLOCKS.flatMap((block) =>
      (block.targets ?? [])
        .filter(({ same }) => !same)
        .filter(({ path }) => !readFileSync(new URL(path, ROOT), 'utf8').includes(block.page))
        .map(({ path }) => `${where(block)}: ${path} does not name ${block.page}`)
    )
    assert.deepEqual(silent, [])
  })

  test('the checker itself: a changed line, a reordered block, a missing import are caught', ({
    assert,
  }) => {
    const file = "import { a } from '../../../index.ts'\nconst x = a(1) // one\nx.run()\n"
    assert.isNull(firstMissingLine("import { a } from 'djamazing'\nconst x = a(1)\nx.run()", file))
    assert.isNull(firstMissingLine('// a comment only\nx.run() // trailing', file))
    assert.equal(firstMissingLine('const x = a(2)', file), 'const x = a(2)')
    assert.equal(firstMissingLine('x.run()\nconst x = a(1)', file), 'const x = a(1)')
    assert.equal(
      firstMissingLine("import { b } from 'djamazing'", file),
      "import { b } from 'djamazing'"
    )
    const imports = "import {\n  a,\n  type B,\n  c,\n} from 'node:x'\nimport d from 'node:y'\n"
    assert.isNull(
      firstMissingLine("import { c, a } from 'node:x'\nimport d from 'node:y'", imports)
    )
    assert.equal(
      firstMissingLine("import { a } from 'node:y'", imports),
      "import { a } from 'node:y'"
    )
    assert.equal(
      withoutComment("const u = 'https://x.test/a' // c"),
      "const u = 'https://x.test/a' "
    )
  })
})

test.group('Docs | each block is a whole file or a fragment of a named one', () => {
  // tests/e2e/docs_blocks_compile.spec.ts writes every block that is not a
  // fragment into a starter-kit app and compiles it.
  test('every TypeScript and Edge block starts with the file it goes in', ({ assert }) => {
    const unnamed = BLOCKS.filter((block) => FILE_LANGUAGES.includes(block.lang))
      .filter((block) => !fileOf(block.code))
      .map((block) => `${where(block)}: ${block.code.split('\n', 1)[0]}`)
    assert.deepEqual(unnamed, [], 'name the file: // app/x.ts, // app/x.ts (a fragment: ...)')
  })

  test('no two whole-file blocks are the same file', ({ assert }) => {
    const wholes = fileBlocks(BLOCKS).filter(({ kind }) => kind === 'whole')
    const seen = new Map<string, string>()
    for (const block of wholes) {
      const at = `${block.page}:${block.line}`
      assert.notExists(seen.get(block.file), `${block.file}: ${seen.get(block.file)} and ${at}`)
      seen.set(block.file, at)
    }
  })

  test('the first line is read as whole, at the end or a fragment, and nothing else', ({
    assert,
  }) => {
    assert.deepEqual(fileOf('// app/a.ts\nx'), { file: 'app/a.ts', kind: 'whole' })
    assert.deepEqual(fileOf('// start/routes.ts (at the end)'), {
      file: 'start/routes.ts',
      kind: 'at-the-end',
    })
    assert.deepEqual(fileOf('// config/drive.ts (a fragment: the disk)'), {
      file: 'config/drive.ts',
      kind: 'fragment',
    })
    assert.deepEqual(fileOf('{{-- resources/views/a.edge --}}'), {
      file: 'resources/views/a.edge',
      kind: 'whole',
    })
    assert.isNull(fileOf('// config/drive.ts (mostly)'))
    assert.isNull(fileOf('// Images: a thumbnail.'))
    assert.isNull(fileOf("import { a } from 'b'"))
  })
})

test.group('Docs | shell commands', () => {
  const shell = BLOCKS.filter((block) => block.lang === 'sh')
  const commands = shell.flatMap((block) =>
    block.code
      .split('\n')
      .map((line) => withoutComment(line.replace(/#.*$/, '')).trim())
      .flatMap((line) => line.split('&&').map((part) => part.trim()))
      .filter(Boolean)
  )

  test('every npm script the pages run exists', ({ assert }) => {
    const scripts = commands.flatMap((command) => {
      if (command === 'npm test') return ['test']
      const run = /^npm run (?:-\S+\s+)*([^-\s]\S*)/.exec(command)
      return run ? [run[1]] : []
    })
    assert.includeMembers(scripts, ['demo', 'test', 'bench'])
    for (const script of scripts) assert.property(PACKAGE.scripts, script)
  })

  test('the set-up commands are npm install / npm ci of this package', ({ assert }) => {
    for (const command of commands.filter((c) => /^npm (install|ci)\b/.test(c))) {
      const words = command.split(/\s+/).slice(2)
      const packages = words.filter((word) => !word.startsWith('-'))
      // A development tool the pages run (s3rver) is one this package tests with.
      const known = words.includes('--save-dev')
        ? PACKAGE.devDependencies
        : { [PACKAGE.name]: '', ...PACKAGE.peerDependencies }
      for (const name of packages) {
        assert.property(known, name, `"${command}": ${name} is not this package or a peer`)
      }
    }
  })

  test('CI runs the set-up and test commands the pages give', ({ assert }) => {
    const ci = readFileSync(new URL('.ci/run', ROOT), 'utf8')
    assert.include(commands, 'npm ci')
    assert.include(commands, 'npm test')
    assert.include(commands, 'npm run test:e2e')
    assert.match(ci, /^npm ci$/m)
    // Each test run goes through the function that adds up the summaries.
    assert.match(ci, /^run_tests \S+ npm test$/m)
    assert.match(ci, /^run_tests \S+ npm run test:e2e$/m)
  })

  test('every ace command the pages run is provided by the package', async ({ assert }) => {
    const ace = commands.filter((command) => command.startsWith('node ace '))
    assert.isNotEmpty(ace)
    const { getMetaData } = await import('../../../commands/main.ts')
    const metaData = await getMetaData()
    const provided = metaData.map((command) => command.commandName)
    for (const command of ace) {
      const [name, argument] = command.split(/\s+/).slice(2)
      if (name === 'serve' || name === 'build') {
        // AdonisJS's own commands.
        continue
      } else if (name === 'configure') {
        // `node ace configure <package>` imports the package and runs its `configure` export.
        assert.equal(argument, PACKAGE.name)
        const entry = await import('../../../index.ts')
        assert.isFunction(entry.configure)
      } else {
        assert.include(provided, name, `"${command}"`)
      }
    }
  })
})

test.group('Docs | AWS policies', () => {
  // The policies of docs/aws-setup.md; tests/integration/aws_setup_policy.spec.ts
  // checks the app's IAM policy against the requests the driver sends.
  const json = BLOCKS.filter((block) => block.lang === 'json').map((block) => ({
    line: where(block),
    value: JSON.parse(block.code),
  }))
  const statementsOf = (policy: any): any[] => [policy.Statement ?? []].flat()
  const actionsOf = (statement: any): string[] => [statement.Action].flat()

  test('every JSON block is valid JSON', ({ assert }) => {
    // JSON.parse above throws on the first invalid block.
    assert.isNotEmpty(json)
  })

  test('the bucket policy lets only the distribution read, through origin access control', ({
    assert,
  }) => {
    const policies = json.filter(({ value }) =>
      statementsOf(value).some((s: any) => s.Principal?.Service === 'cloudfront.amazonaws.com')
    )
    assert.lengthOf(policies, 1)
    const policy = policies[0].value
    assert.equal(policy.Version, '2012-10-17')
    const [statement, ...others] = statementsOf(policy)
    assert.lengthOf(others, 0)
    assert.equal(statement.Effect, 'Allow')
    assert.deepEqual(actionsOf(statement), ['s3:GetObject'])
    assert.match(statement.Resource, /^arn:aws:s3:::[a-z0-9.-]+\/\*$/)
    assert.match(
      statement.Condition.StringEquals['AWS:SourceArn'],
      /^arn:aws:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/
    )
  })

  test('the cache policy forwards and keys on exactly the two response overrides', ({ assert }) => {
    const policies = json.filter(({ value }) => value.ParametersInCacheKeyAndForwardedToOrigin)
    assert.lengthOf(policies, 1)
    const parameters = policies[0].value.ParametersInCacheKeyAndForwardedToOrigin
    const queryStrings = parameters.QueryStringsConfig
    assert.equal(queryStrings.QueryStringBehavior, 'whitelist')
    assert.sameMembers(queryStrings.QueryStrings.Items, [
      'response-content-disposition',
      'response-content-type',
    ])
    assert.equal(queryStrings.QueryStrings.Quantity, queryStrings.QueryStrings.Items.length)
    assert.equal(parameters.HeadersConfig.HeaderBehavior, 'none')
    assert.equal(parameters.CookiesConfig.CookieBehavior, 'none')
    for (const ttl of ['MinTTL', 'DefaultTTL', 'MaxTTL']) {
      assert.isNumber(policies[0].value[ttl])
    }
  })
})

test.group('Docs | errors table', () => {
  test('every named error of the package is in the table of docs/errors.md', async ({ assert }) => {
    const errors = await import('../../../src/errors.ts')
    const codes = Object.keys(errors).filter((name) => name.startsWith('E_DJAMAZING_'))
    assert.isNotEmpty(codes)
    const table = PAGES.find(({ path }) => path === 'docs/errors.md')!.text
    for (const code of codes) assert.include(table, `| \`${code}\``, code)
  })

  test('every error code a page names is one the package raises', async ({ assert }) => {
    const errors = await import('../../../src/errors.ts')
    const unknown = PAGES.flatMap(({ path, text }) =>
      [...text.matchAll(/\bE_DJAMAZING_[A-Z0-9_]+/g)]
        .map(([code]) => code)
        .filter((code) => !Object.hasOwn(errors, code))
        .map((code) => `${path}: ${code}`)
    )
    assert.deepEqual(unknown, [])
  })
})

import { existsSync, readFileSync } from 'node:fs'
import { test } from '@japa/runner'

/**
 * The README's code blocks are promises to readers: each one must be run
 * by a test or by the demo. The comment before a block names where, e.g.
 * `<!-- exercised: tests/unit/readme_examples.spec.ts (same) -->`. With
 * "(same)", every significant line of the block must appear, in order, in
 * that file, so the README cannot drift from the code that runs it.
 */

const ROOT = new URL('../../', import.meta.url)
const README = readFileSync(new URL('README.md', ROOT), 'utf8')
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'))

type Target = { path: string; same: boolean }
type Block = { line: number; lang: string; code: string; targets: Target[] | null }

/**
 * The fenced code blocks of a markdown text (also indented inside list
 * items), each with the `exercised` comment just before it, if any.
 */
function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i])
    if (!open) continue
    const indent = open[1].length
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) {
      body.push(lines[i].slice(indent))
    }
    let previous = start - 1
    while (previous >= 0 && lines[previous].trim() === '') previous--
    const marker = /^\s*<!-- exercised: (.+) -->\s*$/.exec(lines[previous] ?? '')
    blocks.push({
      line: start + 1,
      lang: open[2],
      code: body.join('\n'),
      targets: marker
        ? marker[1].split(',').map((item) => {
            const same = /\s*\(same\)\s*$/.test(item)
            return { path: item.replace(/\s*\(same\)\s*$/, '').trim(), same }
          })
        : null,
    })
  }
  return blocks
}

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
  target.replace(/^\.\/build\//, '').replace(/\.js$/, '.ts'),
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
    .filter((line) => line !== '' && !line.startsWith('//') && !line.startsWith('*'))
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

const BLOCKS = codeBlocks(README)

test.group('README | every code block is exercised', () => {
  test('the README has code blocks, and the checker finds them all', ({ assert }) => {
    const fences = README.split('\n').filter((line) => /^\s*```/.test(line)).length
    assert.equal(fences, BLOCKS.length * 2)
    assert.isAbove(BLOCKS.length, 15)
  })

  test('each block names, in a comment before it, where it is exercised', ({ assert }) => {
    const unmarked = BLOCKS.filter((block) => !block.targets).map((block) => block.line)
    assert.deepEqual(unmarked, [], `code blocks at README lines ${unmarked.join(', ')}`)
  })

  test('each named file exists', ({ assert }) => {
    for (const block of BLOCKS) {
      for (const target of block.targets ?? []) {
        assert.isTrue(
          existsSync(new URL(target.path, ROOT)),
          `README line ${block.line}: ${target.path} does not exist`
        )
      }
    }
  })

  test('a block marked "(same)" is, line by line, in the file that runs it', ({ assert }) => {
    let checked = 0
    for (const block of BLOCKS) {
      for (const target of (block.targets ?? []).filter(({ same }) => same)) {
        const file = render(target.path, readFileSync(new URL(target.path, ROOT), 'utf8'))
        const missing = firstMissingLine(block.code, file)
        assert.isNull(missing, `README line ${block.line}: not in ${target.path}: ${missing}`)
        checked++
      }
    }
    assert.isAbove(checked, 5)
  })

  test('the checker itself: a changed line, a reordered block, a missing import are caught', ({
    assert,
  }) => {
    const file = "import { a } from '../../index.ts'\nconst x = a(1) // one\nx.run()\n"
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

test.group('README | shell commands', () => {
  const shell = BLOCKS.filter((block) => block.lang === 'sh')
  const commands = shell.flatMap((block) =>
    block.code
      .split('\n')
      .map((line) => withoutComment(line.replace(/#.*$/, '')).trim())
      .flatMap((line) => line.split('&&').map((part) => part.trim()))
      .filter(Boolean)
  )

  test('every npm script the README runs exists', ({ assert }) => {
    const scripts = commands.flatMap((command) => {
      if (command === 'npm test') return ['test']
      const run = /^npm run (\S+)/.exec(command)
      return run ? [run[1]] : []
    })
    assert.includeMembers(scripts, ['demo', 'test'])
    for (const script of scripts) assert.property(PACKAGE.scripts, script)
  })

  test('the set-up commands are npm install / npm ci of this package', ({ assert }) => {
    for (const command of commands.filter((c) => /^npm (install|ci)\b/.test(c))) {
      const packages = command.split(/\s+/).slice(2)
      for (const name of packages) {
        assert.isTrue(
          name === PACKAGE.name || name in PACKAGE.peerDependencies,
          `"${command}": ${name} is neither this package nor one of its peers`
        )
      }
    }
  })

  test('CI runs the test command the README gives', ({ assert }) => {
    const ci = readFileSync(new URL('.ci/run', ROOT), 'utf8')
    assert.include(commands, 'npm ci')
    assert.include(commands, 'npm test')
    assert.match(ci, /^npm ci$/m)
    assert.match(ci, /^npm test$/m)
  })

  test('every ace command the README runs is provided by the package', async ({ assert }) => {
    const ace = commands.filter((command) => command.startsWith('node ace '))
    assert.isNotEmpty(ace)
    const { getMetaData } = await import('../../commands/main.ts')
    const metaData = await getMetaData()
    const provided = metaData.map((command) => command.commandName)
    for (const command of ace) {
      const [name, argument] = command.split(/\s+/).slice(2)
      if (name === 'configure') {
        // `node ace configure <package>` imports the package and runs its `configure` export.
        assert.equal(argument, PACKAGE.name)
        const entry = await import('../../index.ts')
        assert.isFunction(entry.configure)
      } else {
        assert.include(provided, name, `"${command}"`)
      }
    }
  })
})

test.group('README | AWS policies', () => {
  const json = BLOCKS.filter((block) => block.lang === 'json').map((block) => ({
    line: block.line,
    value: JSON.parse(block.code),
  }))
  const statementsOf = (policy: any): any[] => [policy.Statement ?? []].flat()
  const actionsOf = (statement: any): string[] => [statement.Action].flat()

  test('every JSON block is valid JSON', ({ assert }) => {
    assert.lengthOf(json, 3)
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

  test("the app's IAM policy grants what the driver's S3 requests need, on the bucket's ARNs", ({
    assert,
  }) => {
    const policies = json.filter(
      ({ value }) =>
        value.Statement && !statementsOf(value).some((s: any) => s.Principal !== undefined)
    )
    assert.lengthOf(policies, 1)
    const statements = statementsOf(policies[0].value)
    const granted = (action: string, resource: string) =>
      statements.some(
        (s) => s.Effect === 'Allow' && actionsOf(s).includes(action) && s.Resource === resource
      )

    // The S3 commands the driver sends (and lib-storage's multipart upload),
    // with the IAM action each one needs.
    const driver = readFileSync(new URL('src/driver.ts', ROOT), 'utf8')
    const sent = [...driver.matchAll(/new (\w+)Command\(/g)].map((match) => match[1])
    const ACTIONS: Record<string, [string, 'objects' | 'bucket']> = {
      GetObject: ['s3:GetObject', 'objects'],
      HeadObject: ['s3:GetObject', 'objects'],
      PutObject: ['s3:PutObject', 'objects'],
      CopyObject: ['s3:PutObject', 'objects'],
      DeleteObject: ['s3:DeleteObject', 'objects'],
      DeleteObjects: ['s3:DeleteObject', 'objects'],
      ListObjectsV2: ['s3:ListBucket', 'bucket'],
      AbortMultipartUpload: ['s3:AbortMultipartUpload', 'objects'],
      // Only with supportsACL, which the README says needs its own two actions.
      GetObjectAcl: ['s3:GetObjectAcl', 'objects'],
      PutObjectAcl: ['s3:PutObjectAcl', 'objects'],
    }
    assert.includeMembers(sent, ['GetObject', 'PutObject', 'ListObjectsV2', 'DeleteObjects'])
    const objects = statements.find((s) => String(s.Resource).endsWith('/*')).Resource
    const bucket = objects.slice(0, -2)
    for (const command of [...sent, 'AbortMultipartUpload']) {
      assert.property(ACTIONS, command, `the README says nothing of ${command}`)
      const [action, on] = ACTIONS[command]
      if (action.endsWith('Acl')) {
        assert.include(README, `\`${action}\``)
        continue
      }
      assert.isTrue(granted(action, on === 'bucket' ? bucket : objects), `${action} on ${on}`)
    }
  })
})

test.group('README | errors table', () => {
  test('every named error of the package is in the Errors table', async ({ assert }) => {
    const errors = await import('../../src/errors.ts')
    const codes = Object.keys(errors).filter((name) => name.startsWith('E_DJAMAZING_'))
    assert.isNotEmpty(codes)
    const table = README.slice(README.indexOf('## Errors'))
    for (const code of codes) assert.include(table, `| \`${code}\``, code)
  })
})

import { execFile } from 'node:child_process'
import { posix } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { documentationPages, type Page } from '../../helpers/markdown.ts'

/*
 * README.md and docs/ ship in the npm package and are read there (in
 * node_modules, on the registry's page): every relative link must land on a
 * file the package holds, and on a heading of that file when it names one.
 */

const ROOT = new URL('../../../', import.meta.url)

/**
 * The text of a page outside its fenced code blocks.
 */
function prose(markdown: string): string {
  return markdown.replace(/^(\s*)```[^\n]*\n[\s\S]*?\n\1```\s*$/gm, '')
}

/**
 * Every link target of a page: inline links and images, `[text](target)`.
 */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '')
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1])
}

/**
 * The anchors of a page's headings, as GitHub and the npm registry make
 * them: lower case, punctuation dropped, spaces to `-`, `-1`, `-2` for
 * repeats.
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const [, heading] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/**
 * The files `npm pack` would put in the package, by their path in it.
 */
async function packedFiles(): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts'],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }
  )
  const [report] = JSON.parse(stdout) as { files: { path: string }[] }[]
  return new Set(report.files.map((file) => file.path))
}

/**
 * The broken relative links of `pages`: a target file not in `packed`, or an
 * anchor its page does not have.
 */
function brokenLinks(pages: Page[], packed: Set<string>): string[] {
  const texts = new Map(pages.map((page) => [page.path, page.text]))
  return pages.flatMap((page) =>
    linkTargets(page.text)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .flatMap((target) => {
        const [path, anchor] = target.split('#') as [string, string | undefined]
        const file =
          path === '' ? page.path : posix.normalize(posix.join(posix.dirname(page.path), path))
        if (!packed.has(file)) return [`${page.path}: ${target} (${file} is not in the package)`]
        if (anchor === undefined) return []
        const text = texts.get(file)
        if (text === undefined) return [`${page.path}: ${target} (an anchor into a non-page)`]
        return headingAnchors(text).has(anchor) ? [] : [`${page.path}: ${target} (no such heading)`]
      })
  )
}

test.group('Docs | links', (group) => {
  let packed: Set<string>
  group.setup(async () => {
    packed = await packedFiles()
  })

  test('the package ships README.md and every page of docs/', ({ assert }) => {
    for (const page of documentationPages()) assert.isTrue(packed.has(page.path), page.path)
  }).timeout(60_000)

  test('every relative link lands on a shipped file and an existing heading', ({ assert }) => {
    assert.deepEqual(brokenLinks(documentationPages(), packed), [])
  })

  test('the index docs/README.md links every page of docs/, and the README links the index', ({
    assert,
  }) => {
    const pages = documentationPages()
    const index = pages.find(({ path }) => path === 'docs/README.md')!
    const linked = new Set(linkTargets(index.text).map((target) => target.split('#')[0]))
    const unlisted = pages
      .filter(({ path }) => path.startsWith('docs/') && path !== index.path)
      .map(({ path }) => path.slice('docs/'.length))
      .filter((path) => !linked.has(path))
    assert.deepEqual(unlisted, [], 'pages missing from docs/README.md')
    const readme = pages.find(({ path }) => path === 'README.md')!
    assert.include(linkTargets(readme.text), 'docs/README.md')
  })

  test('the checker itself: a missing file, an unshipped folder, a missing heading are caught', ({
    assert,
  }) => {
    const pages: Page[] = [
      {
        path: 'README.md',
        text: [
          '# Title',
          '## Quickstart: an `app`',
          'See [a](docs/a.md#options), [b](docs/a.md#nope), [c](demo/x.ts), [d](#quickstart-an-app).',
          '[e](https://example.com/x) `[f](docs/missing.md)`',
          '```md',
          '[g](docs/missing.md)',
          '```',
        ].join('\n'),
      },
      { path: 'docs/a.md', text: '# A\n## Options\nBack to [the README](../README.md#title).' },
    ]
    assert.deepEqual(brokenLinks(pages, new Set(['README.md', 'docs/a.md'])), [
      'README.md: docs/a.md#nope (no such heading)',
      'README.md: demo/x.ts (demo/x.ts is not in the package)',
    ])
    assert.deepEqual(
      [...headingAnchors('# Same\n## Same\n## Without AdonisJS: plain flydrive and Node.js')],
      ['same', 'same-1', 'without-adonisjs-plain-flydrive-and-nodejs']
    )
  })
})

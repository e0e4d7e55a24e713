import { readdirSync, readFileSync } from 'node:fs'
import { test } from '@japa/runner'

/*
 * docs/local-edge.md's "Row by row" table lists the 50 CloudFront
 * behaviours an app relies on. Each row must be either reproduced, with a
 * test whose title starts with "row N:" somewhere under tests/, or said to
 * differ: **stricter**, **looser** or missing, with its source. A row that
 * says "same" and has no test named after it fails here.
 */

const ROOT = new URL('../../../', import.meta.url)
const ROWS = 50

type Row = { number: number; behaviour: string; edge: string; source: string }

function tableRows(): Row[] {
  const page = readFileSync(new URL('docs/local-edge.md', ROOT), 'utf8')
  const start = page.indexOf('## Row by row')
  if (start === -1) throw new Error('docs/local-edge.md has no "Row by row" section')
  const section = page.slice(start).split(/\n## /)[0]
  return section
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const [number, behaviour, edge, source] = line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim())
      return { number: Number(number), behaviour, edge, source }
    })
}

/**
 * The row numbers named by test titles ("row N: ...") in every spec file.
 */
function rowsWithTests(): Map<number, string[]> {
  const found = new Map<number, string[]>()
  const files = readdirSync(new URL('tests/', ROOT), { recursive: true, encoding: 'utf8' })
    .map((name) => name.replaceAll('\\', '/'))
    .filter((name) => name.endsWith('.spec.ts'))
  for (const file of files) {
    const text = readFileSync(new URL(`tests/${file}`, ROOT), 'utf8')
    for (const match of text.matchAll(/\btest\(\s*['"`]row (\d+):/g)) {
      const number = Number(match[1])
      found.set(number, [...(found.get(number) ?? []), `tests/${file}`])
    }
  }
  return found
}

const DIFFERENCE = /\*\*(stricter|looser)\*\*|\bmissing\b/i

test.group('docs/local-edge.md | the CloudFront fidelity table', () => {
  test('it lists rows 1 to 50 in order, each with its behaviour, what the edge does and a source', ({
    assert,
  }) => {
    const rows = tableRows()
    assert.deepEqual(
      rows.map((row) => row.number),
      Array.from({ length: ROWS }, (_, i) => i + 1)
    )
    for (const row of rows) {
      assert.isNotEmpty(row.behaviour, `row ${row.number}: behaviour`)
      assert.isNotEmpty(row.edge, `row ${row.number}: what the edge does`)
      assert.isNotEmpty(row.source, `row ${row.number}: source`)
    }
  })

  test('every row has a test named after it or is documented as a difference', ({ assert }) => {
    const tested = rowsWithTests()
    const unaccounted = tableRows()
      .filter((row) => !tested.has(row.number))
      .filter((row) => !DIFFERENCE.test(row.edge))
      .map((row) => `row ${row.number} ("${row.behaviour}": ${row.edge})`)
    assert.deepEqual(
      unaccounted,
      [],
      'name a test "row N: <what CloudFront does>", or say in the table how the edge differs (**stricter**, **looser**, missing) and why'
    )
  })

  test('test titles name rows of the table', ({ assert }) => {
    for (const [number, files] of rowsWithTests()) {
      assert.isTrue(number >= 1 && number <= ROWS, `"row ${number}:" in ${files.join(', ')}`)
    }
  })
})

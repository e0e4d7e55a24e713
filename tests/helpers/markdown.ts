import { readdirSync, readFileSync } from 'node:fs'

/**
 * The markdown pages the package ships (README.md and every `.md` under
 * docs/), and their fenced code blocks, for the tests that hold the
 * documentation to the code.
 */

const ROOT = new URL('../../', import.meta.url)

export type Page = { path: string; text: string }

/**
 * README.md and every markdown file under docs/, by their path in the
 * repository.
 */
export function documentationPages(): Page[] {
  return [
    'README.md',
    ...readdirSync(new URL('docs/', ROOT), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name.replaceAll('\\', '/')}`)
      .sort(),
  ].map((path) => ({ path, text: readFileSync(new URL(path, ROOT), 'utf8') }))
}

export type Target = { path: string; same: boolean }
export type Block = {
  page: string
  line: number
  lang: string
  code: string
  targets: Target[] | null
}

/**
 * The fenced code blocks of a markdown text (also indented inside list
 * items), each with the `exercised` comment just before it, if any.
 */
export function codeBlocks(page: string, markdown: string): Block[] {
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
      page,
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

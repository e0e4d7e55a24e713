import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { codeBlocks, documentationPages, type Block } from './markdown.ts'

/**
 * The code blocks of the documentation that are files of an app, as their
 * first line names them:
 *
 * - `// app/controllers/photos_controller.ts`: the whole file;
 * - `// start/routes.ts (at the end)`: lines added at the end of the file,
 *   its imports merged with the file's;
 * - `// config/drive.ts (a fragment: ...)`: part of the file, shown to be
 *   read, not pasted.
 *
 * Edge templates name theirs in a comment, `{{-- resources/views/pages/photos.edge --}}`.
 * docs/development.md describes the convention; the unit tests check that
 * every TypeScript and Edge block follows it, and an end-to-end test
 * writes every block that is not a fragment into an app and compiles it.
 */

export type FileBlockKind = 'whole' | 'at-the-end' | 'fragment'

export type FileBlock = {
  page: string
  /** The line of the opening fence in its page. */
  line: number
  /** The file it goes in, relative to the app's root. */
  file: string
  kind: FileBlockKind
  /** The block without its first line. */
  code: string
}

/** The languages whose blocks must name their file. */
export const FILE_LANGUAGES = ['ts', 'edge']

const FILE_LINE =
  /^(?:\/\/|\{\{--)\s*([\w./-]+\.(?:ts|js|edge|json))(?:\s+\((.*)\))?\s*(?:--\}\})?\s*$/

/**
 * What the first line of a block says about its file, or null when it
 * names none.
 */
export function fileOf(code: string): { file: string; kind: FileBlockKind } | null {
  const match = FILE_LINE.exec(code.split('\n', 1)[0])
  if (!match) return null
  const note = match[2] ?? ''
  const kind: FileBlockKind = note.startsWith('a fragment')
    ? 'fragment'
    : note === 'at the end'
      ? 'at-the-end'
      : 'whole'
  if (note !== '' && kind === 'whole') return null
  return { file: match[1], kind }
}

/**
 * The blocks of some blocks that name their file.
 */
export function fileBlocks(blocks: Block[]): FileBlock[] {
  return blocks.flatMap((block) => {
    const named = fileOf(block.code)
    if (!named) return []
    const code = `${block.code.split('\n').slice(1).join('\n')}\n`
    return [{ page: block.page, line: block.line, ...named, code }]
  })
}

/**
 * The file blocks of a page, or of one section of it (from the heading
 * given to the next `## ` heading).
 */
export async function pageFileBlocks(
  root: string,
  page: string,
  section?: string
): Promise<{ files: FileBlock[]; blocks: Block[] }> {
  const markdown = await readFile(join(root, page), 'utf8')
  const from = section ? markdown.indexOf(section) : 0
  const to = section ? markdown.indexOf('\n## ', from + 1) : markdown.length
  const blocks = codeBlocks(page, markdown.slice(from, to < 0 ? undefined : to))
  return { files: fileBlocks(blocks), blocks }
}

/**
 * Every file block of README.md and docs/.
 */
export function allFileBlocks(): FileBlock[] {
  return documentationPages().flatMap((page) => fileBlocks(codeBlocks(page.path, page.text)))
}

/**
 * Adds a block at the end of a file, as a newcomer merges it: its imports
 * that the file has already are left out, the others go after the file's
 * last import.
 */
export function appendWithImports(existing: string, block: string): string {
  const lines = block.split('\n')
  const imports = lines.filter((line) => line.startsWith('import '))
  const rest = lines.filter((line) => !line.startsWith('import '))
  const fileLines = existing.split('\n')
  const missing = imports.filter((line) => !fileLines.includes(line))
  let lastImport = -1
  fileLines.forEach((line, index) => {
    if (line.startsWith('import ')) lastImport = index
  })
  fileLines.splice(lastImport + 1, 0, ...missing)
  return `${fileLines.join('\n').trimEnd()}\n\n${rest.join('\n').trim()}\n`
}

/**
 * Writes a block into an app as its first line says: the whole file, or
 * added at the end of it (a file that does not exist yet is created).
 * Fragments are not written.
 */
export async function writeFileBlock(appRoot: string, block: FileBlock) {
  if (block.kind === 'fragment') return
  const path = join(appRoot, block.file)
  await mkdir(dirname(path), { recursive: true })
  const existing =
    block.kind === 'at-the-end' ? await readFile(path, 'utf8').catch(() => null) : null
  await writeFile(path, existing === null ? block.code : appendWithImports(existing, block.code))
}

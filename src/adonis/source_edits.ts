import type { Node, ObjectLiteralExpression, PropertyAssignment, SourceFile } from 'ts-morph'

/*
 * The edits `node ace configure djamazing` makes to an app's TypeScript
 * files, through the ts-morph project of the AdonisJS codemods. Properties
 * are found by name (`getProperty(name)`), never by the text of a node's
 * first child: that can be its JSDoc comment. Only the nodes that change
 * are rewritten, so the rest of a file keeps its bytes and a second run
 * changes nothing.
 *
 * ts-morph is the assembler's dependency, not ours: only its types are
 * imported here, and syntax kinds are compared by name.
 */

/**
 * How a file is written, read from the file itself, so that inserted code
 * looks like the code around it.
 */
export type SourceStyle = {
  indent: string
  semicolons: boolean
  quote: "'" | '"'
}

export function styleOf(file: SourceFile): SourceStyle {
  const text = file.getFullText()
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  '
  const imports = file.getImportDeclarations()
  const statements = imports.length > 0 ? imports : file.getStatements()
  const semicolons =
    statements.length > 0 && statements.every((statement) => statement.getText().endsWith(';'))
  const quote = imports[0]?.getModuleSpecifier().getText().startsWith('"') ? '"' : "'"
  return { indent: indent.startsWith('\t') ? '\t' : indent, semicolons, quote }
}

/**
 * The whitespace that opens the line `position` is on.
 */
function indentationAt(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))![0]
}

/**
 * Adds `name: value` as the last property of an object literal, on its
 * own line, indented like the properties around it, with a trailing comma
 * when the object has one. `value` may span lines (two-space indented):
 * its lines are indented under the property. The text is inserted as is:
 * ts-morph's own property writer re-indents multi-line values on its own.
 */
export function appendProperty(
  object: ObjectLiteralExpression,
  name: string,
  value: string,
  style: SourceStyle
) {
  const file = object.getSourceFile()
  const text = file.getFullText()
  const last = object.getProperties().at(-1)
  const indent = last
    ? indentationAt(text, last.getStart())
    : `${indentationAt(text, object.getStart())}${style.indent}`
  const body = restyle(value, style).replaceAll('\n', `\n${indent}`)

  if (!last) {
    const closingIndent = indentationAt(text, object.getStart())
    file.insertText(object.getStart() + 1, `\n${indent}${name}: ${body},\n${closingIndent}`)
    return
  }
  // After the last property, its comma and the comment ending its line.
  const lastEnd = last.getEnd()
  const after = /^(\s*,)?([ \t]*(\/\/[^\n]*|\/\*[^\n]*?\*\/))?/.exec(text.slice(lastEnd))!
  const at = lastEnd + after[0].length
  if (after[1]) {
    file.insertText(at, `\n${indent}${name}: ${body},`)
  } else {
    // No trailing comma in this object: one between, none after.
    file.insertText(at, `\n${indent}${name}: ${body}`)
    file.insertText(lastEnd, ',')
  }
}

/**
 * Inserts a statement before `statement`, after the blank line that ends
 * the statement before it, and itself followed by a blank line.
 */
export function insertStatementBefore(statement: Node, code: string) {
  const file = statement.getSourceFile()
  const at = statement.getFullStart()
  file.insertText(at, at === 0 ? `${code}\n\n` : `\n\n${code}`)
}

/**
 * Code written with two-space indentation and single quotes (and without
 * quotes inside strings), re-written with the file's indentation and
 * quotes.
 */
export function restyle(code: string, style: SourceStyle): string {
  const text = code.replace(/^( {2})+/gm, (spaces) => style.indent.repeat(spaces.length / 2))
  return style.quote === '"' ? text.replaceAll("'", '"') : text
}

/**
 * The object literal passed to the call `name(...)` assigned to the
 * variable or exported as default, e.g. `defineConfig({ ... })`.
 */
export function optionsOfCall(file: SourceFile, callee: string): ObjectLiteralExpression[] {
  return file
    .getDescendants()
    .filter((node) => node.getKindName() === 'CallExpression')
    .filter((call) => (call as any).getExpression().getText() === callee)
    .map((call) => (call as any).getArguments()[0])
    .filter((argument) => argument?.getKindName() === 'ObjectLiteralExpression')
}

/**
 * The property `name` of an object literal when it is a plain
 * `name: value` assignment.
 */
export function assignmentOf(
  object: ObjectLiteralExpression,
  name: string
): PropertyAssignment | undefined {
  const property = object.getProperty(name)
  return property?.getKindName() === 'PropertyAssignment'
    ? (property as PropertyAssignment)
    : undefined
}

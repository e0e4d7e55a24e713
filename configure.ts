import type Configure from '@adonisjs/core/commands/configure'
import type { Codemods } from '@adonisjs/core/ace/codemods'
import type { ObjectLiteralExpression, SourceFile } from 'ts-morph'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { stubsRoot } from './stubs/main.ts'
import { join, relative } from 'node:path'
import { awsSetupSteps, keyPairStepFor, printableStep } from './src/aws_setup.ts'
import {
  DEFAULT_KEY_FOLDER,
  ignoreInGit,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  writeKeyPair,
} from './src/adonis/key_pair_files.ts'
import {
  appendProperty,
  assignmentOf,
  insertStatementBefore,
  optionsOfCall,
  restyle,
  styleOf,
} from './src/adonis/source_edits.ts'

/**
 * The environment variables the disks read, with their `.env` value and
 * their validation in `start/env.ts`. The values set up the local store,
 * so that `node ace serve` works right away; moving to AWS is filling in
 * the AWS values and setting `DJAMAZING_STORE=s3`.
 */
const ENV_VARIABLES: Record<string, { value: string; schema: string }> = {
  DJAMAZING_STORE: { value: 'local', schema: "Env.schema.enum(['local', 's3'] as const)" },
  S3_BUCKET: { value: 'local-files', schema: 'Env.schema.string()' },
  CLOUDFRONT_URL: {
    value: 'http://localhost:${PORT}/cdn',
    schema: "Env.schema.string({ format: 'url', tld: false })",
  },
  // Any id of CloudFront's shape: the local edge trusts the local key under it.
  CLOUDFRONT_KEY_PAIR_ID: { value: 'KLOCALDEVELOPMENT', schema: 'Env.schema.string()' },
  CLOUDFRONT_PRIVATE_KEY_FILE: {
    value: `${DEFAULT_KEY_FOLDER}/${PRIVATE_KEY_FILE}`,
    schema: 'Env.schema.string.optional()',
  },
  CLOUDFRONT_PRIVATE_KEY: { value: '', schema: 'Env.schema.string.optional()' },
  AWS_REGION: { value: '', schema: 'Env.schema.string.optional()' },
  // An S3-compatible server's URL (MinIO, s3rver, R2); empty for AWS.
  S3_ENDPOINT: { value: '', schema: 'Env.schema.string.optional()' },
  AWS_ACCESS_KEY_ID: { value: '', schema: 'Env.schema.string.optional()' },
  AWS_SECRET_ACCESS_KEY: { value: '', schema: 'Env.schema.string.optional()' },
}

/**
 * The settings every djamazing disk shares, as written into an existing
 * `config/drive.ts` (the stub holds the same for a new one).
 */
const SHARED_DEFAULTS = `{
  store: env.get('DJAMAZING_STORE'),
  bucket: env.get('S3_BUCKET'),
  cdnUrl: env.get('CLOUDFRONT_URL'),
  region: env.get('AWS_REGION'),
  endpoint: env.get('S3_ENDPOINT'), // empty for AWS
  cloudfront: {
    keyPairId: env.get('CLOUDFRONT_KEY_PAIR_ID'),
    privateKeyFile: env.get('CLOUDFRONT_PRIVATE_KEY_FILE'),
    privateKey: env.get('CLOUDFRONT_PRIVATE_KEY'),
  },
}`

/**
 * With `--edge-origin`: the local edge on its own port, with the CORS
 * settings the distribution's response headers policy needs.
 */
const EDGE_ORIGIN_URL = 'http://localhost:3334/cdn'
const EDGE_ORIGIN_SETTINGS = `{
  cors: {
    accessControlAllowOrigins: [env.get('APP_URL')],
    accessControlAllowMethods: ['GET', 'HEAD'],
    accessControlAllowCredentials: true,
  },
}`

/**
 * The shared settings, with the local edge's CORS settings for an edge on
 * its own origin.
 */
function sharedDefaults(edgeOrigin: boolean): string {
  if (!edgeOrigin) return SHARED_DEFAULTS
  const settings = EDGE_ORIGIN_SETTINGS.replace(/\n/g, '\n  ')
  return SHARED_DEFAULTS.replace(/\n\}$/, `\n  localEdge: ${settings},\n}`)
}

/**
 * `node ace configure djamazing`: registers the providers and commands,
 * defines the environment variables, writes or extends `config/drive.ts`
 * with a public and a protected disk, turns on async local storage, and
 * prints the AWS set-up steps. No prompts: flags `--public-disk=<name>`
 * and `--protected-disk=<name>` rename the disks (`static`, `uploads`);
 * `--edge-origin` puts the local edge on its own origin (port 3334) with
 * CORS settings, instead of under the app's `/cdn`.
 */
export async function configure(command: Configure) {
  const publicDisk = String(command.parsedFlags['public-disk'] ?? 'static')
  const protectedDisk = String(command.parsedFlags['protected-disk'] ?? 'uploads')
  const edgeOrigin = command.parsedFlags['edge-origin'] !== undefined
  for (const name of [publicDisk, protectedDisk]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      command.exitCode = 1
      command.logger.error(`Invalid disk name "${name}": use letters, digits and underscores`)
      return
    }
  }

  const codemods = await command.createCodemods()
  const driveConfigPath = command.app.configPath('drive.ts')
  const isNewConfig = !existsSync(driveConfigPath)

  if (isNewConfig) {
    await codemods.makeUsingStub(stubsRoot, 'config/drive.stub', {
      publicDisk,
      protectedDisk,
      edgeOrigin,
    })
    // The stub renderer trims the last newline the app's formatter puts back.
    const written = readFileSync(driveConfigPath, 'utf8')
    if (!written.endsWith('\n')) writeFileSync(driveConfigPath, `${written}\n`)
  } else {
    await addDisksToDriveConfig(command, codemods, driveConfigPath, {
      publicDisk,
      protectedDisk,
      edgeOrigin,
    })
  }

  // The codemods rewrite (and report) a file even when it has everything.
  const rcPath = command.app.makePath('adonisrc.ts')
  const rcText = existsSync(rcPath) ? readFileSync(rcPath, 'utf8') : ''
  const registrations = [
    '@adonisjs/drive/drive_provider',
    'djamazing/djamazing_provider',
    'djamazing/commands',
  ]
  if (!registrations.every((module) => rcText.includes(`import('${module}')`))) {
    await codemods.updateRcFile((rcFile) => {
      rcFile.addProvider('@adonisjs/drive/drive_provider')
      rcFile.addProvider('djamazing/djamazing_provider')
      rcFile.addCommand('djamazing/commands')
    })
  }

  const variables = Object.fromEntries(
    Object.entries(ENV_VARIABLES).map(([name, { value }]) => [name, value])
  )
  if (edgeOrigin) variables.CLOUDFRONT_URL = EDGE_ORIGIN_URL
  const validations = Object.fromEntries(
    Object.entries(ENV_VARIABLES).map(([name, { schema }]) => [name, schema])
  )
  if (isNewConfig) {
    variables.DRIVE_DISK = protectedDisk
    validations.DRIVE_DISK = `Env.schema.enum(['${publicDisk}', '${protectedDisk}'] as const)`
  }
  await defineMissingEnvVariables(command, codemods, variables)
  const envFile = command.app.makePath('start/env.ts')
  const envText = existsSync(envFile) ? readFileSync(envFile, 'utf8') : ''
  const newValidations = Object.fromEntries(
    Object.entries(validations).filter(([name]) => !new RegExp(`\\b${name}\\s*:`).test(envText))
  )
  if (Object.keys(newValidations).length > 0) {
    await codemods.defineEnvValidations({
      leadingComment: 'Variables for configuring djamazing (S3 + CloudFront)',
      variables: newValidations,
    })
  }

  await enableAsyncLocalStorage(command, codemods)

  // The local edge checks signed URLs with this key pair from the first run.
  const keyFile = join(DEFAULT_KEY_FOLDER, PRIVATE_KEY_FILE)
  if (!existsSync(command.app.makePath(keyFile))) {
    await writeKeyPair(command, { kind: 'ec', folder: DEFAULT_KEY_FOLDER, force: false })
  }
  if (await ignoreInGit(command.app.makePath(), '/storage/.djamazing/', 'djamazing local store')) {
    command.logger.action('update .gitignore (/storage/.djamazing/)').succeeded()
  }

  printNextSteps(command, { publicDisk, protectedDisk }, edgeOrigin)
}

/**
 * Lines of at most `width` columns, the first starting with `first` and
 * the others indented as deep: a box wider than the terminal wraps and
 * breaks its borders.
 */
function wrapped(text: string, first: string, width = 80): string[] {
  const indent = ' '.repeat(first.length)
  const lines: string[] = []
  let line = first
  for (const word of text.split(' ')) {
    const prefix = lines.length === 0 ? first : indent
    if (line.length > prefix.length && line.length + 1 + word.length > width) {
      lines.push(line)
      line = `${indent}${word}`
    } else {
      line = line.length > prefix.length ? `${line} ${word}` : `${line}${word}`
    }
  }
  lines.push(line)
  return lines
}

/**
 * What to do next, for the store `.env` names: with the local store,
 * `node ace serve`; with S3, the AWS steps (the key pair step names the
 * key configure wrote instead of a command that would refuse to replace it).
 */
function printNextSteps(
  command: Configure,
  disks: { publicDisk: string; protectedDisk: string },
  edgeOrigin: boolean
) {
  const envFile = command.app.makePath('.env')
  const env = existsSync(envFile) ? readFileSync(envFile, 'utf8') : ''
  const store = /^DJAMAZING_STORE=(.*)$/m
    .exec(env)?.[1]
    ?.trim()
    .replace(/^["']|["']$/g, '')
  const box = command.ui.sticker()
  if (store !== 's3') {
    box.heading('djamazing: next steps (local store, no AWS needed)')
    for (const text of [
      'Run "node ace serve": files go to storage/.djamazing, served on CLOUDFRONT_URL.',
      ...(edgeOrigin
        ? [
            'The edge listens on its own origin (CLOUDFRONT_URL, port 3334) with the CORS of localEdge.cors in config/drive.ts: give the distribution the same response headers policy.',
          ]
        : []),
      'For AWS later: node_modules/djamazing/docs/aws-setup.md, then DJAMAZING_STORE=s3.',
    ]) {
      for (const line of wrapped(text, '')) box.add(line)
    }
    box.render()
    return
  }
  box.heading('djamazing: next steps on AWS (DJAMAZING_STORE=s3)')
  const publicKey = join(DEFAULT_KEY_FOLDER, PUBLIC_KEY_FILE)
  const keyWritten = existsSync(command.app.makePath(publicKey))
  awsSetupSteps(disks).forEach((step, index) => {
    const printable =
      step.title === 'Key pair' && keyWritten
        ? { ...step, summary: keyPairStepFor(publicKey) }
        : step
    const [number, ...text] = printableStep(printable, index).split(' ')
    for (const line of wrapped(text.join(' '), `${number} `)) box.add(line)
  })
  box.render()
}

/**
 * Adds to `.env` (and `.env.example`) the variables `.env` does not have
 * yet. A variable already there keeps its value, filled or empty: the
 * codemod would overwrite it.
 */
async function defineMissingEnvVariables(
  command: Configure,
  codemods: Codemods,
  variables: Record<string, string>
) {
  const envFile = command.app.makePath('.env')
  const defined = existsSync(envFile)
    ? new Set(readFileSync(envFile, 'utf8').match(/^[A-Za-z_][A-Za-z0-9_]*(?==)/gm))
    : new Set<string>()
  const missing = Object.fromEntries(
    Object.entries(variables).filter(([name]) => !defined.has(name))
  )
  if (Object.keys(missing).length > 0) await codemods.defineEnvVariables(missing)
}

/**
 * The disk initializer configure writes, spreading the shared settings.
 */
/**
 * The type augmentation that makes `drive.use('name')` typed.
 */
const DRIVE_DISKS_TYPES = `declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}`

function diskInitializer(shared: string, name: string, mode: 'public' | 'protected') {
  return `djamazing({\n  ...${shared},\n  mode: '${mode}',\n  prefix: '${name}/',\n})`
}

/**
 * Adds the disks missing from an existing `config/drive.ts`, without
 * touching what is there: its disks, its default, its comments, its
 * formatting. A disk that exists under the same name is left alone, and a
 * file that already has both disks is not written at all.
 */
async function addDisksToDriveConfig(
  command: Configure,
  codemods: Codemods,
  path: string,
  disks: { publicDisk: string; protectedDisk: string; edgeOrigin: boolean }
) {
  const { publicDisk, protectedDisk, edgeOrigin } = disks
  const project = await codemods.getTsMorphProject()
  const file = project ? (project.getSourceFile(path) ?? project.addSourceFileAtPath(path)) : null
  const services = file ? findServices(file) : null
  const wanted = [
    [publicDisk, 'public'],
    [protectedDisk, 'protected'],
  ] as const
  if (!file || !services) {
    command.logger.warning(
      `Could not find "services" inside defineConfig() in config/drive.ts. Add the disks yourself:\n` +
        wanted
          .map(([name, mode]) => `  ${name}: ${diskInitializer('shared', name, mode)},`)
          .join('\n')
    )
    return
  }

  const missing = wanted.filter(([name]) => {
    const existing = services.getProperty(name)
    if (existing && !existing.getText().includes('djamazing(')) {
      command.logger.warning(`config/drive.ts already has a disk named "${name}": left as it is`)
    }
    return !existing
  })
  if (missing.length === 0) return

  /*
   * From the bottom of the file up, so that each edit leaves the
   * positions of the next one alone; nodes are looked up again after
   * every edit (ts-morph forgets them when text is inserted).
   */
  const style = styleOf(file)
  const end = style.semicolons ? ';' : ''
  if (!file.getFullText().includes("declare module '@adonisjs/drive/types'")) {
    const text = file.getFullText()
    file.insertText(
      text.length,
      `${text.endsWith('\n') ? '' : '\n'}\n${restyle(DRIVE_DISKS_TYPES, style)}\n`
    )
  }

  // The settings a djamazing disk of the file already spreads, or new ones.
  const existingShared = sharedSettingsOf(services)
  const shared =
    existingShared ?? (file.getVariableDeclaration('shared') ? 'djamazingShared' : 'shared')
  for (const [name, mode] of missing) {
    appendProperty(findServices(file)!, name, diskInitializer(shared, name, mode), style)
  }
  if (!existingShared) {
    const statement = findServices(file)!.getFirstAncestor((node) => node.getParent() === file)!
    insertStatementBefore(
      statement,
      restyle(
        `/**\n * Settings the djamazing disks share.\n */\nconst ${shared} = ${sharedDefaults(edgeOrigin)}${end}`,
        style
      )
    )
  }

  const imports = () => file.getImportDeclarations()
  if (!imports().some((i) => i.getModuleSpecifierValue() === 'djamazing')) {
    const line = restyle(`import { djamazing } from 'djamazing'${end}`, style)
    const last = imports().at(-1)
    if (last) file.insertText(last.getEnd(), `\n${line}`)
    else file.insertText(0, `${line}\n`)
  }
  if (!imports().some((i) => i.getModuleSpecifierValue() === '#start/env')) {
    const line = restyle(`import env from '#start/env'${end}`, style)
    const first = imports().at(0)
    file.insertText(first ? first.getStart() : 0, `${line}\n`)
  }
  await file.save()
  command.logger.action(`update ${relative(command.app.makePath(), path)}`).succeeded()
}

/**
 * The name of the settings an existing djamazing disk spreads
 * (`djamazing({ ...shared, ... })`), if any.
 */
function sharedSettingsOf(services: ObjectLiteralExpression): string | undefined {
  for (const call of optionsOfCall(services.getSourceFile(), 'djamazing')) {
    const spread = call.getProperties().find((p) => p.getKindName() === 'SpreadAssignment')
    const name = spread?.getText().replace(/^\.\.\./, '')
    if (name && /^[A-Za-z_$][\w$]*$/.test(name)) return name
  }
  return undefined
}

/**
 * The object literal of `services` in `defineConfig({ services: { ... } })`.
 */
function findServices(file: SourceFile): ObjectLiteralExpression | null {
  for (const options of optionsOfCall(file, 'defineConfig')) {
    const initializer = assignmentOf(options, 'services')?.getInitializer()
    if (initializer?.getKindName() === 'ObjectLiteralExpression') {
      return initializer as ObjectLiteralExpression
    }
  }
  return null
}

/**
 * Protected links are bound to the user of the current request, which
 * the disks find through HttpContext's async local storage. The property
 * is found by name wherever it is (starter kits document it with a JSDoc
 * comment), set to `true` if it is anything else, and added to
 * `http: defineConfig({ ... })` only when the file has none.
 */
async function enableAsyncLocalStorage(command: Configure, codemods: Codemods) {
  const path = command.app.configPath('app.ts')
  const manual = () =>
    command.logger.warning(
      'Enable async local storage yourself: in config/app.ts set "useAsyncLocalStorage: true" inside "http: defineConfig({ ... })"'
    )
  const project = existsSync(path) ? await codemods.getTsMorphProject() : undefined
  if (!project) return manual()
  const file = project.getSourceFile(path) ?? project.addSourceFileAtPath(path)

  const configs = optionsOfCall(file, 'defineConfig')
  const named = configs.filter((options) => options.getProperty('useAsyncLocalStorage'))
  if (named.length > 0) {
    const assignments = named.map((options) => assignmentOf(options, 'useAsyncLocalStorage'))
    // A shorthand or a spread: not ours to rewrite.
    if (assignments.some((property) => !property)) return manual()
    const off = assignments.filter((property) => property!.getInitializer()?.getText() !== 'true')
    if (off.length === 0) return
    for (const property of off) property!.setInitializer('true')
  } else {
    const http = file.getVariableDeclaration('http')?.getInitializer()
    const options = configs.find((o) => http?.containsRange(o.getPos(), o.getEnd()))
    if (!options) return manual()
    appendProperty(options, 'useAsyncLocalStorage', 'true', styleOf(file))
  }
  await file.save()
  command.logger
    .action(`update ${relative(command.app.makePath(), path)} (useAsyncLocalStorage: true)`)
    .succeeded()
}

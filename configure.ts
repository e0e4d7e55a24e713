import type Configure from '@adonisjs/core/commands/configure'
import type { Codemods } from '@adonisjs/core/ace/codemods'
import type { ObjectLiteralExpression, SourceFile } from 'ts-morph'
import { existsSync } from 'node:fs'
import { stubsRoot } from './stubs/main.ts'

/**
 * The environment variables the disks read, with their `.env` value and
 * their validation in `start/env.ts`.
 */
const ENV_VARIABLES: Record<string, { value: string; schema: string }> = {
  AWS_REGION: { value: '', schema: 'Env.schema.string()' },
  AWS_ACCESS_KEY_ID: { value: '', schema: 'Env.schema.string()' },
  AWS_SECRET_ACCESS_KEY: { value: '', schema: 'Env.schema.string()' },
  S3_BUCKET: { value: '', schema: 'Env.schema.string()' },
  CLOUDFRONT_URL: { value: '', schema: "Env.schema.string({ format: 'url', tld: false })" },
  CLOUDFRONT_KEY_PAIR_ID: { value: '', schema: 'Env.schema.string()' },
  CLOUDFRONT_PRIVATE_KEY_FILE: { value: '', schema: 'Env.schema.string()' },
}

/**
 * The settings every djamazing disk shares, as written into an existing
 * `config/drive.ts` (the stub holds the same for a new one).
 */
const SHARED_DEFAULTS = `{
  bucket: env.get('S3_BUCKET'),
  cdnUrl: env.get('CLOUDFRONT_URL'),
  region: env.get('AWS_REGION'),
  credentials: {
    accessKeyId: env.get('AWS_ACCESS_KEY_ID'),
    secretAccessKey: env.get('AWS_SECRET_ACCESS_KEY'),
  },
  cloudfront: {
    keyPairId: env.get('CLOUDFRONT_KEY_PAIR_ID'),
    privateKeyFile: env.get('CLOUDFRONT_PRIVATE_KEY_FILE'),
  },
}`

function diskInitializer(shared: string, name: string, mode: 'public' | 'protected') {
  return `djamazing({
  ...${shared},
  mode: '${mode}',
  prefix: '${name}/',
})`
}

const AWS_STEPS = [
  'Create an S3 bucket (ACLs disabled, all public access blocked) and set S3_BUCKET and AWS_REGION',
  'Create a CloudFront key pair: "node ace djamazing:keys" writes an RSA-2048 (or --ec P-256) key; set CLOUDFRONT_PRIVATE_KEY_FILE',
  'Add the public key to CloudFront (Public keys), put it in a key group, and set CLOUDFRONT_KEY_PAIR_ID to its id',
  'Create a CloudFront distribution with the bucket as origin and origin access control (OAC); set CLOUDFRONT_URL',
  'Give the protected prefix its own cache behavior (e.g. /uploads/*) restricted to the key group (trusted key groups)',
  'Forward the response-content-disposition and response-content-type query strings in that behavior when you use download names',
  'Paste the bucket policy CloudFront suggests for OAC into the bucket, and give the app an IAM user or role with s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on the bucket',
]

/**
 * `node ace configure djamazing`: registers the providers and commands,
 * defines the environment variables, writes or extends `config/drive.ts`
 * with a public and a protected disk, turns on async local storage, and
 * prints the AWS set-up steps. No prompts: flags `--public-disk=<name>`
 * and `--protected-disk=<name>` rename the disks (`static`, `uploads`).
 */
export async function configure(command: Configure) {
  const publicDisk = String(command.parsedFlags['public-disk'] ?? 'static')
  const protectedDisk = String(command.parsedFlags['protected-disk'] ?? 'uploads')
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
    await codemods.makeUsingStub(stubsRoot, 'config/drive.stub', { publicDisk, protectedDisk })
  } else {
    await addDisksToDriveConfig(command, codemods, driveConfigPath, publicDisk, protectedDisk)
  }

  await codemods.updateRcFile((rcFile) => {
    rcFile.addProvider('@adonisjs/drive/drive_provider')
    rcFile.addProvider('djamazing/djamazing_provider')
    rcFile.addCommand('djamazing/commands')
  })

  const variables = Object.fromEntries(
    Object.entries(ENV_VARIABLES).map(([name, { value }]) => [name, value])
  )
  const validations = Object.fromEntries(
    Object.entries(ENV_VARIABLES).map(([name, { schema }]) => [name, schema])
  )
  if (isNewConfig) {
    variables.DRIVE_DISK = protectedDisk
    validations.DRIVE_DISK = `Env.schema.enum(['${publicDisk}', '${protectedDisk}'] as const)`
  }
  await codemods.defineEnvVariables(variables)
  await codemods.defineEnvValidations({
    leadingComment: 'Variables for configuring djamazing (S3 + CloudFront)',
    variables: validations,
  })

  await enableAsyncLocalStorage(command, codemods)

  const instructions = command.ui.instructions().heading('Set up AWS for djamazing')
  AWS_STEPS.forEach((step, index) => instructions.add(`${index + 1}. ${step}`))
  instructions.render()
}

/**
 * Adds the two disks to an existing `config/drive.ts` without touching
 * what is there: the disks it already has, its default, its comments.
 * Disks that exist under the same name are left alone.
 */
async function addDisksToDriveConfig(
  command: Configure,
  codemods: Codemods,
  path: string,
  publicDisk: string,
  protectedDisk: string
) {
  const project = await codemods.getTsMorphProject()
  const file = project ? (project.getSourceFile(path) ?? project.addSourceFileAtPath(path)) : null
  const services = file ? findServices(file) : null
  if (!file || !services) {
    command.logger.warning(
      `Could not find "services" inside defineConfig() in ${path}. Add the disks yourself:\n` +
        `  ${publicDisk}: ${diskInitializer(SHARED_DEFAULTS, publicDisk, 'public')},\n` +
        `  ${protectedDisk}: ${diskInitializer(SHARED_DEFAULTS, protectedDisk, 'protected')},`
    )
    return
  }

  if (!file.getImportDeclaration((i) => i.getModuleSpecifierValue() === 'djamazing')) {
    const imports = file.getImportDeclarations()
    file.insertImportDeclaration(imports.length, {
      moduleSpecifier: 'djamazing',
      namedImports: ['djamazing'],
    })
  }
  if (!file.getImportDeclaration((i) => i.getModuleSpecifierValue() === '#start/env')) {
    file.insertImportDeclaration(0, { moduleSpecifier: '#start/env', defaultImport: 'env' })
  }

  /*
   * The shared settings go in a variable of their own, before the
   * statement that calls defineConfig(), under a name the file does not
   * use yet.
   */
  const shared = file.getVariableDeclaration('shared') ? 'djamazingShared' : 'shared'
  if (!file.getVariableDeclaration(shared)) {
    const statement = services.getFirstAncestor((node) => node.getParent() === file)
    file.insertStatements(
      statement ? statement.getChildIndex() : file.getStatements().length,
      `\n/**\n * Settings the djamazing disks share.\n */\nconst ${shared} = ${SHARED_DEFAULTS}`
    )
  }

  for (const [name, mode] of [
    [publicDisk, 'public'],
    [protectedDisk, 'protected'],
  ] as const) {
    if (services.getProperty(name)) {
      command.logger.warning(`config/drive.ts already has a disk named "${name}": left as it is`)
      continue
    }
    services.addPropertyAssignment({ name, initializer: diskInitializer(shared, name, mode) })
  }

  if (!file.getText().includes("declare module '@adonisjs/drive/types'")) {
    file.addStatements(
      "\ndeclare module '@adonisjs/drive/types' {\n  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}\n}"
    )
  }

  // The assembler's own codemods format the files they edit the same way.
  file.formatText({
    indentSize: 2,
    convertTabsToSpaces: true,
    trimTrailingWhitespace: true,
    ensureNewLineAtEndOfFile: true,
    semicolons: 'remove' as any,
    insertSpaceAfterOpeningAndBeforeClosingEmptyBraces: false,
  })
  await file.save()
  command.logger.action(`update ${path}`).succeeded()
}

/**
 * The object literal of `services` in `defineConfig({ services: { ... } })`.
 */
function findServices(file: SourceFile): ObjectLiteralExpression | null {
  for (const call of file.getDescendants()) {
    if (call.getKindName() !== 'CallExpression') continue
    const [callee, , argument] = call.getChildren()
    if (callee?.getText() !== 'defineConfig') continue
    const options = argument
      ?.getChildren()
      .find((n) => n.getKindName() === 'ObjectLiteralExpression')
    const property = (options as ObjectLiteralExpression | undefined)?.getProperty('services')
    const initializer = property
      ?.getChildren()
      .find((n) => n.getKindName() === 'ObjectLiteralExpression')
    if (initializer) return initializer as ObjectLiteralExpression
  }
  return null
}

/**
 * Protected links are bound to the user of the current request, which
 * the disks find through HttpContext's async local storage.
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
  const property = file
    .getDescendants()
    .find(
      (n) =>
        n.getKindName() === 'PropertyAssignment' &&
        n.getChildren()[0]?.getText() === 'useAsyncLocalStorage'
    )
  if (property) {
    const value = property.getLastChild()
    if (value?.getText() === 'true') return
    value?.replaceWithText('true')
  } else {
    const http = file.getVariableDeclaration('http')?.getInitializer()
    const options = http
      ?.getDescendants()
      .find((n) => n.getKindName() === 'ObjectLiteralExpression') as
      ObjectLiteralExpression | undefined
    if (!options) return manual()
    options.addPropertyAssignment({ name: 'useAsyncLocalStorage', initializer: 'true' })
  }
  await file.save()
  command.logger.action(`update ${path} (useAsyncLocalStorage: true)`).succeeded()
}

import { test } from '@japa/runner'
import { createConfigureApp } from '../../helpers/configure_app.ts'
import { awsSetupSteps, printableStep } from '../../../src/aws_setup.ts'

/**
 * What configure writes to .env: the local store, ready for node ace serve.
 */
const ENV_LINES = [
  'DJAMAZING_STORE=local',
  'S3_BUCKET=local-files',
  'CLOUDFRONT_URL=http://localhost:${PORT}/cdn',
  'CLOUDFRONT_KEY_PAIR_ID=KLOCALDEVELOPMENT',
  'CLOUDFRONT_PRIVATE_KEY_FILE=keys/cloudfront_private_key.pem',
  'CLOUDFRONT_PRIVATE_KEY=',
  'AWS_REGION=',
  'S3_ENDPOINT=',
  'AWS_ACCESS_KEY_ID=',
  'AWS_SECRET_ACCESS_KEY=',
]

// `node ace configure djamazing` and the config/drive.ts it writes, as README.md shows them.
test.group('node ace configure djamazing', (group) => {
  group.each.timeout(60_000)

  test('registers the providers and commands, env variables and validations', async ({
    fs,
    assert,
  }) => {
    const app = await createConfigureApp(fs)
    const command = await app.configure()
    assert.equal(command.exitCode, 0)

    await assert.fileContains('adonisrc.ts', [
      `() => import('@adonisjs/drive/drive_provider')`,
      `() => import('djamazing/djamazing_provider')`,
      `() => import('djamazing/commands')`,
    ])
    await assert.fileContains('.env', ENV_LINES)
    await assert.fileContains('.env', 'DRIVE_DISK=uploads')
    // The key pair the local edge checks signed URLs with, kept out of git.
    await assert.fileExists('keys/cloudfront_private_key.pem')
    await assert.fileContains('.gitignore', ['/keys/', '/storage/.djamazing/'])
    await assert.fileContains('start/env.ts', [
      "DJAMAZING_STORE: Env.schema.enum(['local', 's3'] as const)",
      'S3_BUCKET: Env.schema.string()',
      "CLOUDFRONT_URL: Env.schema.string({ format: 'url', tld: false })",
      'CLOUDFRONT_KEY_PAIR_ID: Env.schema.string()',
      'CLOUDFRONT_PRIVATE_KEY_FILE: Env.schema.string.optional()',
      'CLOUDFRONT_PRIVATE_KEY: Env.schema.string.optional()',
      'AWS_REGION: Env.schema.string.optional()',
      'S3_ENDPOINT: Env.schema.string.optional()',
      'AWS_ACCESS_KEY_ID: Env.schema.string.optional()',
      "DRIVE_DISK: Env.schema.enum(['static', 'uploads'] as const)",
    ])
  })

  test('creates config/drive.ts with a public and a protected disk sharing defaults', async ({
    fs,
    assert,
  }) => {
    const app = await createConfigureApp(fs)
    await app.configure()

    const config = await fs.contents('config/drive.ts')
    assert.include(config, `import { djamazing } from 'djamazing'`)
    assert.include(config, 'const shared = {')
    assert.match(config, /static: djamazing\(\{\s+\.\.\.shared,\s+mode: 'public',/)
    assert.match(config, /uploads: djamazing\(\{\s+\.\.\.shared,\s+mode: 'protected',/)
    assert.include(
      config,
      `declare module '@adonisjs/drive/types' {\n  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}\n}`
    )
  })

  test('turns on async local storage in config/app.ts', async ({ fs, assert }) => {
    const app = await createConfigureApp(fs)
    await app.configure()

    const config = await fs.contents('config/app.ts')
    assert.include(config, 'useAsyncLocalStorage: true')
    assert.notInclude(config, 'useAsyncLocalStorage: false')
    assert.include(config, 'allowMethodSpoofing: false')
  })

  test('adds useAsyncLocalStorage to http when it is not there, once', async ({ fs, assert }) => {
    const app = await createConfigureApp(fs)
    const without = [
      `import { defineConfig } from '@adonisjs/core/http'`,
      ``,
      `export const http = defineConfig({`,
      `  /**`,
      `   * A request id for the logs.`,
      `   */`,
      `  generateRequestId: true, // kept`,
      `})`,
      ``,
    ].join('\n')
    await fs.create('config/app.ts', without)

    await app.configure()
    const expected = without.replace(
      `  generateRequestId: true, // kept\n`,
      `  generateRequestId: true, // kept\n  useAsyncLocalStorage: true,\n`
    )
    assert.equal(await fs.contents('config/app.ts'), expected)

    await app.configure()
    assert.equal(await fs.contents('config/app.ts'), expected)
  })

  test('adds the disks to an existing config/drive.ts and keeps its other disks', async ({
    fs,
    assert,
  }) => {
    const app = await createConfigureApp(fs)
    const existing = [
      `import env from '#start/env'`,
      `import app from '@adonisjs/core/services/app'`,
      `import { defineConfig, services } from '@adonisjs/drive'`,
      ``,
      `const driveConfig = defineConfig({`,
      `  default: env.get('DRIVE_DISK'),`,
      ``,
      `  services: {`,
      `    // the local disk stays`,
      `    fs: services.fs({`,
      `      location: app.makePath('storage'),`,
      `      serveFiles: true,`,
      `      routeBasePath: '/uploads',`,
      `      visibility: 'public',`,
      `    }),`,
      `  },`,
      `})`,
      ``,
      `export default driveConfig`,
      ``,
      `declare module '@adonisjs/drive/types' {`,
      `  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}`,
      `}`,
      ``,
    ].join('\n')
    await fs.create('config/drive.ts', existing)

    await app.configure(['--public-disk=assets', '--protected-disk=private_files'])

    const config = await fs.contents('config/drive.ts')
    assert.include(config, `// the local disk stays`)
    assert.match(config, /fs: services\.fs\(\{\s+location: app\.makePath\('storage'\),/)
    assert.include(config, `import { djamazing } from 'djamazing'`)
    assert.include(config, 'const shared = {')
    assert.isBelow(config.indexOf('const shared = {'), config.indexOf('const driveConfig'))
    assert.match(config, /assets: djamazing\(\{\s+\.\.\.shared,\s+mode: 'public',/)
    assert.match(config, /private_files: djamazing\(\{\s+\.\.\.shared,\s+mode: 'protected',/)
    assert.equal(config.split(`declare module '@adonisjs/drive/types'`).length, 2)
    // The existing default disk is kept: no DRIVE_DISK is written.
    await assert.fileNotContains('.env', 'DRIVE_DISK')
  })

  test('leaves a disk of the same name alone', async ({ fs, assert }) => {
    const app = await createConfigureApp(fs)
    await fs.create(
      'config/drive.ts',
      [
        `import { defineConfig, services } from '@adonisjs/drive'`,
        ``,
        `const driveConfig = defineConfig({`,
        `  default: 'uploads',`,
        `  services: {`,
        `    uploads: services.fs({ location: 'storage', visibility: 'private' }),`,
        `  },`,
        `})`,
        ``,
        `export default driveConfig`,
        ``,
      ].join('\n')
    )

    await app.configure()

    const config = await fs.contents('config/drive.ts')
    assert.include(config, `uploads: services.fs({ location: 'storage', visibility: 'private' })`)
    assert.match(config, /static: djamazing\(\{\s+\.\.\.shared,\s+mode: 'public',/)
    assert.notMatch(config, /uploads: djamazing/)
    assert.include(config, `import env from '#start/env'`)
    assert.include(config, `declare module '@adonisjs/drive/types'`)
  })

  test('with the local store, says to run node ace serve and prints no AWS steps', async ({
    fs,
    assert,
  }) => {
    const app = await createConfigureApp(fs)
    const command = await app.configure()
    const printed = command.ui.logger.getLogs().map((log) => log.message)
    const output = printed.join('\n')
    assert.include(output, 'Run "node ace serve"')
    assert.notInclude(output, 'Key pair')
    assert.notInclude(output, 'djamazing:keys')
  })

  test('with DJAMAZING_STORE=s3, prints the AWS steps of docs/aws-setup.md, in 100 columns, never a command that would fail', async ({
    fs,
    assert,
  }) => {
    const app = await createConfigureApp(fs)
    await fs.create('.env', 'APP_KEY=Wm3Tq8Zk1Xv6Np4Lb9Rc2Yh7Jf5Gd0sA\nDJAMAZING_STORE=s3\n')
    const command = await app.configure(['--public-disk=assets'])
    const printed = command.ui.logger.getLogs().map((log) => log.message)
    const lines = printed.join('\n').split('\n')
    // The box adds 14 columns to its widest line (borders and padding).
    for (const line of lines) assert.isAtMost(line.length + 14, 100, line)
    const text = lines.map((line) => line.trim()).join(' ')
    const steps = awsSetupSteps({ publicDisk: 'assets', protectedDisk: 'uploads' })
    for (const [index, step] of steps.entries()) {
      if (step.title === 'Key pair') continue
      assert.include(text, printableStep(step, index))
    }
    // configure wrote the key pair: the step names it, and does not send the
    // user to djamazing:keys, which would refuse to replace it.
    assert.include(text, 'Add the public key in keys/cloudfront_public_key.pem to CloudFront')
    assert.notInclude(text, 'djamazing:keys')
    assert.notInclude(text, 'local store')
  })

  test('--edge-origin: the edge on its own port, with the CORS settings, in 100 columns', async ({
    fs,
    assert,
  }) => {
    const app = await createConfigureApp(fs)
    const command = await app.configure(['--edge-origin'])
    assert.equal(command.exitCode, 0)
    await assert.fileContains('.env', 'CLOUDFRONT_URL=http://localhost:3334/cdn')
    const config = await fs.contents('config/drive.ts')
    assert.include(
      config,
      `  localEdge: {
    cors: {
      accessControlAllowOrigins: [env.get('APP_URL')],
      accessControlAllowMethods: ['GET', 'HEAD'],
      accessControlAllowCredentials: true,
    },
  },
}`
    )
    const printed = command.ui.logger.getLogs().map((log) => log.message)
    const lines = printed.join('\n').split('\n')
    for (const line of lines) assert.isAtMost(line.length + 14, 100, line)
    const text = lines.map((line) => line.trim()).join(' ')
    assert.include(text, 'The edge listens on its own origin (CLOUDFRONT_URL, port 3334)')

    // Into an existing config/drive.ts: the same shared settings.
    const other = await createConfigureApp(fs)
    await fs.create(
      'config/drive.ts',
      "import { defineConfig, services } from '@adonisjs/drive'\n\nconst driveConfig = defineConfig({\n  default: 'fs',\n  services: {\n    fs: services.fs({ location: 'storage' }),\n  },\n})\n\nexport default driveConfig\n"
    )
    await other.configure(['--edge-origin'])
    const extended = await fs.contents('config/drive.ts')
    assert.include(extended, "accessControlAllowOrigins: [env.get('APP_URL')]")
    assert.include(extended, 'fs: services.fs(')
  })

  test('run again, reports no change to files it leaves as they are', async ({ fs, assert }) => {
    const app = await createConfigureApp(fs)
    await app.configure()
    const again = await app.configure()
    const printed = again.ui.logger.getLogs().map((log) => log.message)
    assert.deepEqual(
      printed.filter((message) => /update|create/.test(message) && !/next steps/.test(message)),
      []
    )
  })

  test('refuses a disk name that is not an identifier', async ({ fs, assert }) => {
    const app = await createConfigureApp(fs)
    const command = await app.configure(['--protected-disk=my-files'])
    assert.equal(command.exitCode, 1)
    await assert.fileNotExists('config/drive.ts')
  })
})

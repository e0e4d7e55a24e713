import { createPrivateKey, createPublicKey } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import type { FileSystem } from '@japa/file-system'
import DjamazingKeys from '../../../commands/djamazing_keys.ts'
import { getCommand, getMetaData } from '../../../commands/main.ts'
import { createConfigureApp } from '../../helpers/configure_app.ts'
import { awsSetupSteps, keyPairStepFor, printableStep } from '../../../src/aws_setup.ts'

async function aceFor(fs: FileSystem) {
  const { ace } = await createConfigureApp(fs)
  return ace
}

// `node ace djamazing:keys`, as README.md and docs/adonisjs.md describe it.
test.group('node ace djamazing:keys', (group) => {
  group.each.timeout(30_000)

  test('the commands index lists the command and loads it by name', async ({ assert }) => {
    const [metaData] = await getMetaData()
    assert.equal(metaData.commandName, 'djamazing:keys')
    assert.strictEqual(await getCommand(metaData), DjamazingKeys)
  })

  for (const [flags, type, details] of [
    [[], 'rsa', { modulusLength: 2048 }],
    [['--ec'], 'ec', { namedCurve: 'prime256v1' }],
  ] as const) {
    test(`writes a ${type} key pair CloudFront accepts, the private key readable by its owner only`, async ({
      fs,
      assert,
    }) => {
      const ace = await aceFor(fs)
      const command = await ace.create(DjamazingKeys, [...flags])
      command.ui.switchMode('raw')
      await command.exec()
      assert.equal(command.exitCode, 0)

      const privatePem = await fs.contents('keys/cloudfront_private_key.pem')
      const publicPem = await fs.contents('keys/cloudfront_public_key.pem')
      const privateKey = createPrivateKey(privatePem)
      assert.equal(privateKey.asymmetricKeyType, type)
      assert.containsSubset(privateKey.asymmetricKeyDetails, details)
      assert.equal(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }), publicPem)
      const { mode } = await stat(join(fs.basePath, 'keys/cloudfront_private_key.pem'))
      assert.equal(mode & 0o777, 0o600)
    })
  }

  test('refuses to replace an existing key pair without --force', async ({ fs, assert }) => {
    const ace = await aceFor(fs)
    const first = await ace.create(DjamazingKeys, ['--ec'])
    first.ui.switchMode('raw')
    await first.exec()
    const before = await fs.contents('keys/cloudfront_private_key.pem')

    const second = await ace.create(DjamazingKeys, ['--ec'])
    second.ui.switchMode('raw')
    await second.exec()
    assert.equal(second.exitCode, 1)
    assert.equal(await fs.contents('keys/cloudfront_private_key.pem'), before)

    const forced = await ace.create(DjamazingKeys, ['--ec', '--force'])
    forced.ui.switchMode('raw')
    await forced.exec()
    assert.equal(forced.exitCode, 0)
    assert.notEqual(await fs.contents('keys/cloudfront_private_key.pem'), before)
  })

  test('two runs at once write one key pair: one succeeds, the other refuses, and the files match', async ({
    fs,
    assert,
  }) => {
    const ace = await aceFor(fs)
    const runs = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const command = await ace.create(DjamazingKeys, ['--ec'])
        command.ui.switchMode('raw')
        await command.exec()
        return command.exitCode
      })
    )
    assert.deepEqual(
      runs.toSorted(),
      [0, 1, 1, 1],
      'one run creates the pair, the others find it taken'
    )
    const privateKey = createPrivateKey(await fs.contents('keys/cloudfront_private_key.pem'))
    assert.equal(
      createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }),
      await fs.contents('keys/cloudfront_public_key.pem'),
      "the public key is the private key's"
    )
  })

  test('keeps its folder out of git, has the build copy it, fills only an empty CLOUDFRONT_PRIVATE_KEY_FILE', async ({
    fs,
    assert,
  }) => {
    const ace = await aceFor(fs)
    await fs.create('.gitignore', 'node_modules\nbuild\n')
    await fs.create(
      '.env',
      'APP_KEY=averylongrandomsecretkey\nCLOUDFRONT_PRIVATE_KEY_FILE=\nPORT=3333\n'
    )
    const command = await ace.create(DjamazingKeys, ['--ec'])
    command.ui.switchMode('raw')
    await command.exec()
    assert.equal(command.exitCode, 0)

    assert.equal(
      await fs.contents('.gitignore'),
      'node_modules\nbuild\n\n# CloudFront key pair (node ace djamazing:keys)\n/keys/\n'
    )
    assert.equal(
      await fs.contents('.env'),
      'APP_KEY=averylongrandomsecretkey\nCLOUDFRONT_PRIVATE_KEY_FILE=keys/cloudfront_private_key.pem\nPORT=3333\n'
    )
    await assert.fileContains('adonisrc.ts', "pattern: 'keys/**'")

    // Another folder: ignored too, but the filled value stays.
    const other = await ace.create(DjamazingKeys, ['--ec', '--out=secrets/cloudfront'])
    other.ui.switchMode('raw')
    await other.exec()
    assert.equal(other.exitCode, 0)
    await assert.fileContains('.gitignore', '/secrets/cloudfront/\n')
    await assert.fileContains(
      '.env',
      'CLOUDFRONT_PRIVATE_KEY_FILE=keys/cloudfront_private_key.pem\n'
    )
    const gitignore = await fs.contents('.gitignore')
    assert.equal(gitignore.split('/keys/').length, 2)
  })

  test('prints the key pair step of the AWS set-up, naming the public key it wrote', async ({
    fs,
    assert,
  }) => {
    const ace = await aceFor(fs)
    const command = await ace.create(DjamazingKeys, ['--ec'])
    command.ui.switchMode('raw')
    await command.exec()
    const steps = awsSetupSteps()
    const index = steps.findIndex((step) => step.title === 'Key pair')
    const printed = command.ui.logger.getLogs().map((log) => log.message)
    const step = { ...steps[index], summary: keyPairStepFor('keys/cloudfront_public_key.pem') }
    assert.isTrue(
      printed.some((line) => line.includes(printableStep(step, index))),
      printed.join('\n')
    )
    // Not the command that was just run.
    assert.notInclude(printed.join('\n'), 'Run node ace djamazing:keys')
  })
})

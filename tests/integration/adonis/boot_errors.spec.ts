import { generateKeyPairSync } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { test } from '@japa/runner'
import { startAdonisApp } from '../../helpers/adonis_app.ts'

/**
 * The root of the app startAdonisApp boots: not the working directory.
 */
const APP_ROOT = fileURLToPath(new URL('../../../tmp/adonis-app/', import.meta.url))

test.group('AdonisJS provider | configuration errors at boot', () => {
  test('a protected disk with async local storage off fails at boot and says what to change', async ({
    assert,
  }) => {
    const error = await startAdonisApp({ asyncLocalStorage: false }).then(
      (app) => app.stop().then(() => null),
      (failure) => failure
    )
    assert.equal(error?.code, 'E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED')
    assert.include(error.message, 'config/app.ts')
    assert.include(error.message, 'useAsyncLocalStorage: true')
  })

  test('a protected disk without the djamazing provider fails at boot', async ({ assert }) => {
    const error = await startAdonisApp({ provider: false }).then(
      (app) => app.stop().then(() => null),
      (failure) => failure
    )
    assert.equal(error?.code, 'E_DJAMAZING_PROVIDER_MISSING')
    assert.include(error.message, 'adonisrc.ts')
  })

  test('a route prefix that is not a path fails at boot, naming the setting', async ({
    assert,
  }) => {
    const error = await startAdonisApp({ uploads: { routePrefix: '/files?x=1' } }).then(
      (app) => app.stop().then(() => null),
      (failure) => failure
    )
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.include(error.message, 'services.uploads.routePrefix')
  })

  test('a protected disk without a CloudFront key fails at boot, naming the setting', async ({
    assert,
  }) => {
    const error = await startAdonisApp({ uploads: { cloudfront: undefined } }).then(
      (app) => app.stop().then(() => null),
      (failure) => failure
    )
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.include(error.message, 'services.uploads.cloudfront')
  })

  test('a boot error prints with its code, not as a bare "Exception"', async ({ assert }) => {
    const error = await startAdonisApp({ provider: false }).then(
      (app) => app.stop().then(() => null),
      (failure) => failure
    )
    assert.equal(error?.name, 'E_DJAMAZING_PROVIDER_MISSING')
    assert.match(inspect(error).split('\n')[0], /^E_DJAMAZING_PROVIDER_MISSING: djamazing disks/)
    assert.match(String(error), /^E_DJAMAZING_PROVIDER_MISSING: /)
  })
})

test.group('AdonisJS provider | the CloudFront key file', (group) => {
  group.each.setup(async () => {
    await mkdir(`${APP_ROOT}keys`, { recursive: true })
    return () => rm(`${APP_ROOT}keys`, { recursive: true, force: true })
  })

  test('a relative privateKeyFile is read from the app root, not the working directory', async ({
    assert,
  }) => {
    assert.notEqual(process.cwd(), APP_ROOT.replace(/\/$/, ''))
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    await writeFile(
      `${APP_ROOT}keys/cloudfront_private_key.pem`,
      privateKey.export({ type: 'pkcs8', format: 'pem' })
    )
    const app = await startAdonisApp({
      uploads: {
        cloudfront: {
          keyPairId: 'K2JCJMDEHXQW5F',
          privateKeyFile: 'keys/cloudfront_private_key.pem',
        },
      },
    })
    try {
      const alice = await app.login('alice')
      const link = await app.urlFor(alice, 'alice/a.txt')
      const response = await fetch(`${app.baseUrl}${link}`, {
        headers: { cookie: alice },
        redirect: 'manual',
      })
      assert.equal(response.status, 302)
      assert.include(response.headers.get('location'), 'Key-Pair-Id=K2JCJMDEHXQW5F')
    } finally {
      await app.stop()
    }
  })

  test('an unreadable key file fails at boot naming the absolute path it tried', async ({
    assert,
  }) => {
    const error = await startAdonisApp({
      uploads: { cloudfront: { keyPairId: 'K2JCJMDEHXQW5F', privateKeyFile: 'keys/missing.pem' } },
    }).then(
      (app) => app.stop().then(() => null),
      (failure) => failure
    )
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY')
    assert.include(error.message, `cannot read "${APP_ROOT}keys/missing.pem" (ENOENT)`)
  })
})

import { test } from '@japa/runner'
import { startAdonisApp } from '../helpers/adonis_app.ts'

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
})

import { test } from '@japa/runner'
import { restoreNodeEnv } from '../../helpers/node_env.ts'
import { startAdonisApp } from '../../helpers/adonis_app.ts'
import { rawRequest } from '../../helpers/edge.ts'

/**
 * Boots the test app with NODE_ENV set as given (AdonisJS reads it when
 * the app is created), restoring it afterwards.
 */
async function startWithNodeEnv(nodeEnv: string, options: Parameters<typeof startAdonisApp>[0]) {
  const previous = process.env.NODE_ENV
  process.env.NODE_ENV = nodeEnv
  try {
    return await startAdonisApp(options)
  } finally {
    restoreNodeEnv(previous)
  }
}

async function bootError(nodeEnv: string, options: Parameters<typeof startAdonisApp>[0]) {
  try {
    const app = await startWithNodeEnv(nodeEnv, options)
    await app.stop()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('the app booted')
}

test.group('AdonisJS | production is app.inProduction', () => {
  test('NODE_ENV "{$self}": an http CDN URL is a boot error naming the disk setting')
    .with(['production', 'Production', 'prod'])
    .run(async ({ assert }, nodeEnv) => {
      const error = await bootError(nodeEnv, {})
      assert.equal(error.code, 'E_DJAMAZING_INSECURE_CDN_URL')
      assert.match(error.message, /services\.\w+\.cdnUrl/)
    })

  test('an http links.baseUrl in production is a boot error', async ({ assert }) => {
    const error = await bootError('production', {
      cdnUrl: 'https://d111111abcdef8.cloudfront.net',
      uploads: { links: { baseUrl: 'http://app.example.com' } },
    })
    assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.include(error.message, 'links.baseUrl')
  })

  test('a routePrefix with a dot segment is a boot error naming it', async ({ assert }) => {
    const error = await bootError('test', { uploads: { routePrefix: '/files/../private' } })
    assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.include(error.message, 'services.uploads.routePrefix')
  })

  test('in production the local edge is not mounted on a CDN URL that is the app, unless configured', async ({
    assert,
    cleanup,
  }) => {
    // A CDN URL on loopback and the app's port: development's set-up.
    const cdnUrl = 'https://localhost:3333/cdn'
    const unmounted = await startWithNodeEnv('production', { cdnUrl })
    cleanup(() => unmounted.stop())
    await unmounted.drive.use('static').put('logo.txt', 'public')
    const refused = await rawRequest(unmounted.baseUrl, '/cdn/static/logo.txt')
    assert.equal(refused.status, 404)

    const configured = await startWithNodeEnv('production', {
      cdnUrl,
      static: { localEdge: true },
    })
    cleanup(() => configured.stop())
    await configured.drive.use('static').put('logo.txt', 'public')
    const served = await rawRequest(configured.baseUrl, '/cdn/static/logo.txt')
    assert.equal(served.status, 200)
    assert.equal(served.body.toString(), 'public')
  })
})

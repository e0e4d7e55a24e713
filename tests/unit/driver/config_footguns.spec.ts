import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import { restoreNodeEnv } from '../../helpers/node_env.ts'
import { DjamazingDriver } from '../../../src/driver.ts'
import { LinkSigner } from '../../../src/links/signer.ts'
import { isProduction } from '../../../src/production.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'
import { SECRET } from '../../helpers/links.ts'

/**
 * A protected disk as an app would configure it, with `change` over it.
 */
function protectedDisk(change: Partial<DjamazingOptions> & Record<string, unknown>) {
  return () =>
    new DjamazingDriver(
      protectedDiskOptions({ cdnUrl: 'https://d111111abcdef8.cloudfront.net', ...change })
    )
}

function errorOf(make: () => unknown): { code?: string; message: string } {
  try {
    make()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('no error was raised')
}

test.group('Configuration foot-guns | each is a boot error naming the setting', (group) => {
  const nodeEnv = process.env.NODE_ENV
  group.each.teardown(() => {
    restoreNodeEnv(nodeEnv)
  })

  test('production is read as AdonisJS reads it: "{$self}" is production')
    .with(['production', 'prod', 'Production', 'PROD'])
    .run(({ assert }, env) => {
      process.env.NODE_ENV = env
      assert.isTrue(isProduction(undefined))
      const error = errorOf(protectedDisk({ cdnUrl: 'http://cdn.example.com' }))
      assert.equal(error.code, 'E_DJAMAZING_INSECURE_CDN_URL')
      assert.include(error.message, 'services.uploads.cdnUrl')
    })

  test('the explicit production option decides, whatever NODE_ENV says', ({ assert }) => {
    process.env.NODE_ENV = 'development'
    assert.include(
      errorOf(protectedDisk({ cdnUrl: 'http://cdn.example.com', production: true })).message,
      'services.uploads.cdnUrl'
    )
    process.env.NODE_ENV = 'production'
    assert.doesNotThrow(protectedDisk({ cdnUrl: 'http://localhost:3333/cdn', production: false }))
  })

  test('an http links.baseUrl in production', ({ assert }) => {
    const error = errorOf(
      protectedDisk({
        production: true,
        links: { secrets: [SECRET], baseUrl: 'http://app.example.com', currentUserId: () => 1 },
      })
    )
    assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.include(error.message, 'links.baseUrl')
    assert.include(error.message, 'https')
    assert.doesNotThrow(
      protectedDisk({
        production: true,
        links: { secrets: [SECRET], baseUrl: 'https://app.example.com', currentUserId: () => 1 },
      })
    )
    assert.doesNotThrow(
      () =>
        new LinkSigner({ secrets: [SECRET], baseUrl: 'http://localhost:3333', production: false })
    )
  })

  test('a routePrefix a browser would rewrite: "{$self}"')
    .with(['/a/../b', '/.', '/..', '/files/.', '/./files', '/a//b', '/a/%2e%2e'])
    .run(({ assert }, prefix) => {
      const error = errorOf(() => new LinkSigner({ secrets: [SECRET], routePrefix: prefix }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
      assert.include(error.message, 'links.routePrefix')
    })

  test('route prefixes with dots inside a segment are fine', ({ assert }) => {
    for (const prefix of ['/djamazing', '/v1.2/files', '/.well-known-ish', '/a...b']) {
      assert.doesNotThrow(() => new LinkSigner({ secrets: [SECRET], routePrefix: prefix }), prefix)
    }
  })

  test('a guessable secret: "{$self}"')
    .with([
      'aaaaaaaaaaaaaaaa',
      'abcabcabcabcabcabc',
      'averylongrandomsecretkey',
      'passwordpassword1234',
      'changeme-changeme-changeme',
      '0123456789abcdefghijklmnop',
      'my-super-secret-app-key-here',
    ])
    .run(({ assert }, secret) => {
      const error = errorOf(() => new LinkSigner({ secrets: [secret] }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
      assert.include(error.message, 'links.secrets[0]')
      assert.include(error.message, 'randomBytes(32)', 'says how to make one')
      assert.notInclude(error.message, secret, 'never echoes the secret')
    })

  test('a guessable secret as bytes, and a second secret, are refused too', ({ assert }) => {
    assert.include(
      errorOf(() => new LinkSigner({ secrets: [new Uint8Array(32)] })).message,
      'links.secrets[0]'
    )
    assert.include(
      errorOf(() => new LinkSigner({ secrets: [SECRET, 'secretsecretsecret'] })).message,
      'links.secrets[1]'
    )
  })

  test('random secrets pass: 200 fresh 32-character and 16-byte keys', ({ assert }) => {
    for (let i = 0; i < 100; i++) {
      const text = randomBytes(24).toString('base64url')
      assert.doesNotThrow(() => new LinkSigner({ secrets: [text] }), text)
      assert.doesNotThrow(() => new LinkSigner({ secrets: [randomBytes(16)] }))
    }
  })

  test('a redirects.expiresIn over one hour needs allowLongExpiry', ({ assert }) => {
    for (const timeout of ['30d', '2h', 3601]) {
      const error = errorOf(protectedDisk({ redirects: { expiresIn: timeout } }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
      assert.include(error.message, 'services.uploads.redirects.expiresIn')
      assert.include(error.message, 'allowLongExpiry')
    }
    assert.doesNotThrow(protectedDisk({ redirects: { expiresIn: '1h' } }))
    assert.doesNotThrow(protectedDisk({ redirects: { expiresIn: '2h', allowLongExpiry: true } }))
  })

  test('a redirects.window that makes URLs live over one hour needs the same opt-in', ({
    assert,
  }) => {
    // Window + timeout is how long a redirect's URL works: '30d' handed out
    // bearer CloudFront URLs good for weeks.
    for (const window of ['30d', '2h', 3600]) {
      const error = errorOf(protectedDisk({ redirects: { window } }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG', String(window))
      assert.include(error.message, 'services.uploads.redirects.window')
      assert.include(error.message, 'allowLongExpiry')
    }
    assert.doesNotThrow(protectedDisk({ redirects: { window: '5m' } }))
    assert.doesNotThrow(protectedDisk({ redirects: { window: 3598 } }))
    assert.doesNotThrow(protectedDisk({ redirects: { window: '2h', allowLongExpiry: true } }))
  })
  test('media and folder lifetimes over one day need the same opt-in', ({ assert }) => {
    // The other bearer credentials a redirect hands out: a media link's
    // CloudFront URL (maxViewFor, mediaViews.viewFor) and folder cookies.
    const cases: [Record<string, any>, string][] = [
      [{ redirects: { maxViewFor: '30d' } }, 'redirects.maxViewFor'],
      [
        { redirects: { mediaViews: { contentTypes: ['video/*'], viewFor: '2d' } } },
        'redirects.mediaViews.viewFor',
      ],
      [{ folderCookies: { expiresIn: '30d' } }, 'folderCookies.expiresIn'],
    ]
    for (const [change, setting] of cases) {
      const error = errorOf(protectedDisk(change))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG', setting)
      assert.include(error.message, `services.uploads.${setting}`)
      assert.include(error.message, 'allowLongExpiry')
      const redirects = { ...change.redirects, allowLongExpiry: true }
      assert.doesNotThrow(protectedDisk({ ...change, redirects }))
    }
    assert.doesNotThrow(
      protectedDisk({ redirects: { maxViewFor: '1d' }, folderCookies: { expiresIn: '8h' } })
    )
  })
})

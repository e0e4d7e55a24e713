import { createPublicKey } from 'node:crypto'
import { test } from '@japa/runner'
import { restoreNodeEnv } from '../../helpers/node_env.ts'
import { IgnitorFactory } from '@adonisjs/core/factories'
import { defineConfig as defineHttpConfig } from '@adonisjs/core/http'
import { defineConfig as defineDriveConfig } from '@adonisjs/drive'
import { djamazing } from '../../../index.ts'
import { ENCRYPTION_CONFIG } from '../../helpers/adonis_app.ts'
import { DjamazingDriver } from '../../../src/driver.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'
import type { DjamazingServiceConfig } from '../../../src/adonis/types.ts'
import { EC_P384_KEY, ENCRYPTED_PEM, RSA_1024_KEY, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/**
 * Bad configuration fails when the disk is created (at boot), with a named
 * error whose message names the setting and says how to fix it.
 */
const CLOUDFRONT = { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem }

/**
 * A valid protected disk named `uploads`, as `config/drive.ts` would
 * create it, with `change` over it. No request is made.
 */
function disk(change: Record<string, unknown>) {
  return () =>
    new DjamazingDriver(
      protectedDiskOptions({ cdnUrl: 'https://d111111abcdef8.cloudfront.net', ...change })
    )
}

/**
 * The disk with `change` over its CloudFront settings.
 */
function cloudfront(change: Record<string, unknown>) {
  return disk({ cloudfront: { ...CLOUDFRONT, ...change } })
}

function inProduction(make: () => unknown) {
  return () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      return make()
    } finally {
      restoreNodeEnv(previous)
    }
  }
}

/**
 * A real AdonisJS app booting a protected djamazing disk with async local
 * storage off. Booting resolves the disks and registers routes; no S3
 * request is made.
 */
async function bootWithoutAsyncLocalStorage() {
  const app = new IgnitorFactory()
    .withCoreProviders()
    .withCoreConfig()
    .merge({
      rcFileContents: {
        providers: [
          () => import('@adonisjs/drive/drive_provider'),
          () => import('../../../providers/djamazing_provider.ts'),
        ],
      },
      config: {
        app: { http: defineHttpConfig({ useAsyncLocalStorage: false }) },
        encryption: ENCRYPTION_CONFIG,
        drive: defineDriveConfig({
          default: 'uploads',
          services: {
            uploads: djamazing({
              bucket: 'uploads-bucket',
              region: 'us-east-1',
              mode: 'protected',
              cdnUrl: 'https://d111111abcdef8.cloudfront.net',
              cloudfront: CLOUDFRONT,
            } as DjamazingServiceConfig),
          },
        }),
      },
    })
    .create(new URL('../../../tmp/config-errors-app/', import.meta.url))
    .createApp('web')
  try {
    await app.init()
    await app.boot()
  } finally {
    await app.terminate().catch(() => {})
  }
}

type Case = {
  what: string
  make: () => unknown
  code: string
  /**
   * The setting the message must name.
   */
  setting: string
  /**
   * What the message must say to do.
   */
  fix: RegExp
}

const CASES: Case[] = [
  {
    what: 'malformed PEM',
    make: cloudfront({
      privateKey: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n',
    }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /malformed PEM; give the private key exactly as CloudFront or openssl wrote it/,
  },
  {
    what: 'not PEM at all (a file path given as the key)',
    make: cloudfront({ privateKey: 'keys/private_key.pem' }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /use privateKeyFile/,
  },
  {
    what: 'a public key (PEM) where the private key is expected',
    make: cloudfront({ privateKey: RSA_KEY.publicPem }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /signing needs the private key \(the public key goes to CloudFront\)/,
  },
  {
    what: 'a public KeyObject where the private key is expected',
    make: cloudfront({ privateKey: createPublicKey(RSA_KEY.privateKey) }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /signing needs the private key/,
  },
  {
    what: 'an RSA-1024 key',
    make: cloudfront({ privateKey: RSA_1024_KEY.pem }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /RSA key of 1024 bits; CloudFront key groups accept RSA-2048 only\. Create one with "openssl genrsa/,
  },
  {
    what: 'an EC key on P-384',
    make: cloudfront({ privateKey: EC_P384_KEY.pem }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /curve secp384r1; CloudFront accepts ECDSA on P-256 \(prime256v1\) only\. Create one with "openssl ecparam -name prime256v1/,
  },
  {
    what: 'an encrypted key without passphrase',
    make: cloudfront({ privateKey: ENCRYPTED_PEM }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /the key is encrypted; set services\.uploads\.cloudfront\.passphrase/,
  },
  {
    what: 'an encrypted key with the wrong passphrase',
    make: cloudfront({ privateKey: ENCRYPTED_PEM, passphrase: 'wrong' }),
    code: 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
    setting: 'services.uploads.cloudfront.privateKey',
    fix: /cannot decrypt the key; check services\.uploads\.cloudfront\.passphrase/,
  },
  {
    what: 'a missing key id',
    make: cloudfront({ keyPairId: undefined }),
    code: 'E_DJAMAZING_INVALID_KEY_PAIR_ID',
    setting: 'services.uploads.cloudfront.keyPairId',
    fix: /Set it to the id of the public key in the CloudFront key group, e\.g\. K2JCJMDEHXQW5F/,
  },
  {
    what: 'a malformed key id (lower case, an ARN)',
    make: cloudfront({ keyPairId: 'arn:aws:cloudfront::123:public-key/k2jcjm' }),
    code: 'E_DJAMAZING_INVALID_KEY_PAIR_ID',
    setting: 'services.uploads.cloudfront.keyPairId',
    fix: /upper-case letters and digits, e\.g\. K2JCJMDEHXQW5F \(the ID column of CloudFront > Public keys\)/,
  },
  {
    what: 'a plain http CDN URL in production',
    make: inProduction(disk({ cdnUrl: 'http://d111111abcdef8.cloudfront.net' })),
    code: 'E_DJAMAZING_INSECURE_CDN_URL',
    setting: 'services.uploads.cdnUrl',
    fix: /Use the https:\/\/ URL of the distribution/,
  },
  {
    what: 'a CDN URL with credentials',
    make: disk({ cdnUrl: 'https://user:secret@d111111abcdef8.cloudfront.net' }),
    code: 'E_DJAMAZING_INVALID_CDN_URL',
    setting: 'services.uploads.cdnUrl',
    fix: /remove "user:password@"/,
  },
  {
    what: 'a CDN URL with a query',
    make: disk({ cdnUrl: 'https://d111111abcdef8.cloudfront.net/media?v=2' }),
    code: 'E_DJAMAZING_INVALID_CDN_URL',
    setting: 'services.uploads.cdnUrl',
    fix: /remove everything from "\?" or "#"/,
  },
  {
    what: 'a missing CDN URL',
    make: disk({ cdnUrl: undefined }),
    code: 'E_DJAMAZING_INVALID_CDN_URL',
    setting: 'services.uploads.cdnUrl',
    fix: /Set it to the URL of the CloudFront distribution/,
  },
  {
    what: 'a missing bucket',
    make: disk({ bucket: undefined }),
    code: 'E_DJAMAZING_MISSING_BUCKET',
    setting: 'services.uploads.bucket',
    fix: /set it to the name of the S3 bucket that stores the files/,
  },
  {
    what: 'a setting of an earlier release (renamed)',
    make: disk({ signatureTimeout: '2s' }),
    code: 'E_DJAMAZING_INVALID_CONFIG',
    setting: 'services.uploads.signatureTimeout',
    fix: /the setting moved: use services\.uploads\.redirects\.expiresIn/,
  },
  {
    what: 'redirects.expiresIn of 0',
    make: disk({ redirects: { expiresIn: 0 } }),
    code: 'E_DJAMAZING_INVALID_CONFIG',
    setting: 'services.uploads.redirects.expiresIn',
    fix: /must be a positive duration.*"1\.5s"/,
  },
  {
    what: 'a negative redirects.expiresIn',
    make: disk({ redirects: { expiresIn: -1.5 } }),
    code: 'E_DJAMAZING_INVALID_CONFIG',
    setting: 'services.uploads.redirects.expiresIn',
    fix: /must be a positive duration.*"1\.5s"/,
  },
  {
    what: 'a redirects.expiresIn that is not a duration',
    make: disk({ redirects: { expiresIn: '1500' } }),
    code: 'E_DJAMAZING_INVALID_CONFIG',
    setting: 'services.uploads.redirects.expiresIn',
    fix: /Use seconds as a number, or a string like "1\.5s"/,
  },
  {
    what: 'async local storage off for a protected disk',
    make: bootWithoutAsyncLocalStorage,
    code: 'E_DJAMAZING_ASYNC_LOCAL_STORAGE_DISABLED',
    setting: '"uploads"',
    fix: /in config\/app\.ts set "useAsyncLocalStorage: true" inside "http: defineConfig/,
  },
]

test.group('Configuration errors at boot', () => {
  test('{what}: {code}, naming the setting and the fix')
    .with(CASES)
    .run(async ({ assert }, { make, code, setting, fix }) => {
      let error: any
      try {
        await make()
      } catch (failure) {
        error = failure
      }
      assert.exists(error, 'no error was raised')
      assert.equal(error.code, code, error.message)
      assert.include(error.message, setting)
      assert.match(error.message, fix)
      // Never the key itself in the message.
      assert.notInclude(error.message, 'PRIVATE KEY')
    })
    .timeout(30_000)
})

import { inspect } from 'node:util'
import { test } from '@japa/runner'
import { restoreNodeEnv } from '../../helpers/node_env.ts'
import { S3Client } from '@aws-sdk/client-s3'
import { DjamazingDriver } from '../../../src/driver.ts'
import type { DjamazingOptions } from '../../../src/types.ts'

const valid = {
  bucket: 'media',
  region: 'eu-west-1',
  mode: 'public',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net',
} as const

function errorOf(options: unknown) {
  try {
    new DjamazingDriver(options as DjamazingOptions)
    return null
  } catch (error) {
    return error as Error & { code?: string }
  }
}

test.group('DjamazingDriver | configuration', () => {
  test('a missing bucket fails with E_DJAMAZING_MISSING_BUCKET naming the setting', ({
    assert,
  }) => {
    for (const bucket of [undefined, '', '  ']) {
      const error = errorOf({ ...valid, bucket, disk: 'uploads' })
      assert.equal(error?.code, 'E_DJAMAZING_MISSING_BUCKET')
      assert.include(error!.message, 'services.uploads.bucket')
    }
    assert.include(errorOf({ ...valid, bucket: undefined })!.message, '"bucket"')
  })

  test('an unknown mode fails with E_DJAMAZING_INVALID_CONFIG naming "mode"', ({ assert }) => {
    for (const mode of [undefined, 'private', 'PUBLIC', 1]) {
      const error = errorOf({ ...valid, mode, disk: 'static' })
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG')
      assert.include(error!.message, 'services.static.mode')
      assert.include(error!.message, '"public" or "protected"')
    }
  })

  test('a missing or malformed cdnUrl fails with E_DJAMAZING_INVALID_CDN_URL', ({ assert }) => {
    for (const cdnUrl of [
      undefined,
      '',
      'd111.cloudfront.net',
      'ftp://x',
      'https://u:p@x',
      'https://x/?a=1',
    ]) {
      const error = errorOf({ ...valid, cdnUrl, disk: 'static' })
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_CDN_URL', String(cdnUrl))
      assert.include(error!.message, 'services.static.cdnUrl')
    }
  })

  test('an http cdnUrl fails in production with E_DJAMAZING_INSECURE_CDN_URL', ({
    assert,
    cleanup,
  }) => {
    const previous = process.env.NODE_ENV
    cleanup(() => restoreNodeEnv(previous))
    process.env.NODE_ENV = 'production'
    assert.equal(
      errorOf({ ...valid, cdnUrl: 'http://cdn.example.com' })?.code,
      'E_DJAMAZING_INSECURE_CDN_URL'
    )
  })

  test('a prefix that is not a valid key fails with E_DJAMAZING_INVALID_CONFIG naming "prefix"', ({
    assert,
  }) => {
    for (const prefix of ['/uploads', '../uploads', 'a/../b', 'up\\loads', 'a\nb']) {
      const error = errorOf({ ...valid, prefix })
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG', prefix)
      assert.include(error!.message, '"prefix"')
    }
    assert.isNull(errorOf({ ...valid, prefix: 'uploads' }))
    assert.isNull(errorOf({ ...valid, prefix: 'uploads/2024/' }))
  })

  test('multipart part sizes under 5 MiB and queue sizes under 1 are refused', ({ assert }) => {
    assert.equal(
      errorOf({ ...valid, multipart: { partSize: 1024 } })?.code,
      'E_DJAMAZING_INVALID_CONFIG'
    )
    assert.equal(
      errorOf({ ...valid, multipart: { queueSize: 0 } })?.code,
      'E_DJAMAZING_INVALID_CONFIG'
    )
    assert.isNull(errorOf({ ...valid, multipart: { partSize: 8 * 1024 * 1024, queueSize: 2 } }))
  })

  test('a ready client is used as is; otherwise one is built from the settings', async ({
    assert,
  }) => {
    const client = new S3Client({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIDCLIENT', secretAccessKey: 'secret' },
    })
    const driver = new DjamazingDriver({
      bucket: valid.bucket,
      mode: valid.mode,
      cdnUrl: valid.cdnUrl,
      client,
    })
    const signed = new URL(await driver.getSignedUrl('a.txt'))
    assert.include(signed.hostname, 'eu-central-1')
    assert.match(signed.searchParams.get('X-Amz-Credential')!, /^AKIDCLIENT\//)

    const built = new DjamazingDriver({
      ...valid,
      region: 'ap-south-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    })
    const url = new URL(await built.getSignedUrl('a.txt'))
    assert.include(url.hostname, 'ap-south-1')
    assert.match(url.searchParams.get('X-Amz-Credential')!, /^AKIDEXAMPLE\//)

    const pathStyle = new DjamazingDriver({
      ...valid,
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    })
    assert.match(await pathStyle.getSignedUrl('a.txt'), /^http:\/\/127\.0\.0\.1:9\/media\/a\.txt\?/)
  })

  test('bucket() returns a driver on the other bucket with the same settings', async ({
    assert,
  }) => {
    const driver = new DjamazingDriver({
      ...valid,
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      prefix: 'site',
    })
    const other = driver.bucket('archive')
    assert.instanceOf(other, DjamazingDriver)
    assert.match(
      await other.getSignedUrl('a.txt'),
      /^http:\/\/127\.0\.0\.1:9\/archive\/site\/a\.txt\?/
    )
    assert.match(
      await driver.getSignedUrl('a.txt'),
      /^http:\/\/127\.0\.0\.1:9\/media\/site\/a\.txt\?/
    )
    assert.equal(errorOf({ ...valid, bucket: '' })?.code, 'E_DJAMAZING_MISSING_BUCKET')
  })

  test('credentials never appear when the driver is inspected', ({ assert }) => {
    const driver = new DjamazingDriver({
      ...valid,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'very-secret-value' },
    })
    assert.notInclude(JSON.stringify(driver), 'very-secret-value')
    assert.notInclude(inspect(driver, { depth: 5 }), 'very-secret-value')
  })
})

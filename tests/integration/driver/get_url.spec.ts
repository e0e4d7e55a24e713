import { test } from '@japa/runner'
import { Disk } from 'flydrive'
import { DjamazingDriver } from '../../../src/driver.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'

// The public disk of docs/driver.md: its URLs, prefix included, segments encoded.
function publicDisk(cdnUrl: string, prefix?: string) {
  return new DjamazingDriver({
    bucket: 'media',
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    mode: 'public',
    cdnUrl,
    prefix,
  })
}

/**
 * The key a CDN URL points at: its path after the base path, decoded
 * segment by segment (a decoded "/" inside a segment would show).
 */
function keyOf(url: string, base: string): string {
  assertStartsWith(url, base)
  return url
    .slice(base.length)
    .split('/')
    .map((segment) => decodeURIComponent(segment))
    .join('/')
}

function assertStartsWith(value: string, start: string) {
  if (!value.startsWith(start)) throw new Error(`${value} does not start with ${start}`)
}

test.group('DjamazingDriver | getUrl on public disks', () => {
  test('every awkward key gives a URL on the CDN origin whose decoded path is prefix + key', async ({
    assert,
  }) => {
    const cases = [
      {
        cdnUrl: 'https://d111111abcdef8.cloudfront.net',
        base: 'https://d111111abcdef8.cloudfront.net/',
        prefix: undefined,
      },
      {
        cdnUrl: 'https://cdn.example.com/media',
        base: 'https://cdn.example.com/media/',
        prefix: 'uploads',
      },
      {
        cdnUrl: 'https://cdn.example.com/media/',
        base: 'https://cdn.example.com/media/',
        prefix: 'a b/ü/',
      },
    ]
    for (const { cdnUrl, base, prefix } of cases) {
      const driver = publicDisk(cdnUrl, prefix)
      const fullPrefix = prefix ? (prefix.endsWith('/') ? prefix : `${prefix}/`) : ''
      for (const { key } of AWKWARD_KEYS) {
        const url = await driver.getUrl(key)
        const parsed = new URL(url)
        assert.equal(parsed.origin, new URL(cdnUrl).origin, key)
        assert.equal(parsed.href, url, `the URL is already in canonical form: ${key}`)
        assert.equal(parsed.search, '', key)
        assert.equal(parsed.hash, '', key)
        assert.equal(keyOf(url, base), `${fullPrefix}${key}`, key)
      }
    }
  })

  test('through Disk, plain keys give the same URL as the raw driver', async ({ assert }) => {
    const driver = publicDisk('https://cdn.example.com/media', 'site')
    const disk = new Disk(driver)
    assert.equal(
      await disk.getUrl('images/logo 1.png'),
      'https://cdn.example.com/media/site/images/logo%201.png'
    )
    assert.equal(await disk.getUrl('images/logo 1.png'), await driver.getUrl('images/logo 1.png'))
  })

  test('a key that looks like a host or a scheme stays a path on the CDN', async ({ assert }) => {
    const driver = publicDisk('https://d111111abcdef8.cloudfront.net')
    for (const key of ['@evil.com/x', 'https:/evil.com', '%2F%2Fevil.com', 'evil.com%5C']) {
      assert.equal(new URL(await driver.getUrl(key)).host, 'd111111abcdef8.cloudfront.net')
    }
  })
})

test.group('DjamazingDriver | getUrl on protected disks', () => {
  test('fails with E_DJAMAZING_PROTECTED_URL_UNAVAILABLE while protected links are not configured', async ({
    assert,
  }) => {
    const driver = new DjamazingDriver({
      bucket: 'media',
      region: 'us-east-1',
      mode: 'protected',
      cdnUrl: 'https://cdn.example.com',
      disk: 'uploads',
    })
    const error = await driver.getUrl('a.txt').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_PROTECTED_URL_UNAVAILABLE')
    assert.include(error.message, 'uploads')

    const wrapped = await new Disk(driver).getUrl('a.txt').then(
      () => null,
      (e) => e
    )
    assert.equal(wrapped?.code, 'E_CANNOT_GENERATE_URL')
    assert.equal(wrapped.cause?.code, 'E_DJAMAZING_PROTECTED_URL_UNAVAILABLE')
  })
})

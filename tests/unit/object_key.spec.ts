import { test } from '@japa/runner'
import { assertValidObjectKey, encodeObjectKey } from '../../src/object_key.ts'
import { cdnUrlFor, parseCdnUrl } from '../../src/cdn_url.ts'
import { AWKWARD_KEYS, INVALID_KEYS } from '../helpers/awkward_keys.ts'

test.group('Object keys | validation', () => {
  test('accepts awkward but valid key {$i}')
    .with(AWKWARD_KEYS.map(({ key }) => key))
    .run(({ assert }, key) => {
      assert.doesNotThrow(() => assertValidObjectKey(key))
    })

  test('refuses invalid key {$i} with E_DJAMAZING_INVALID_KEY')
    .with(INVALID_KEYS)
    .run(({ assert }, key) => {
      assert.throws(() => assertValidObjectKey(key), /E_DJAMAZING_INVALID_KEY|Invalid object key/)
      try {
        assertValidObjectKey(key)
      } catch (error) {
        assert.equal((error as { code: string }).code, 'E_DJAMAZING_INVALID_KEY')
      }
    })

  test('segments that only start or end with dots are names, not . or ..', ({ assert }) => {
    for (const key of ['a/.../b', 'a/.b/..c', 'a./b..', '...']) {
      assert.doesNotThrow(() => assertValidObjectKey(key), key)
    }
  })

  test('counts UTF-8 bytes, not characters, up to 1,024', ({ assert }) => {
    assert.doesNotThrow(() => assertValidObjectKey('€'.repeat(341)))
    assert.doesNotThrow(() => assertValidObjectKey('a'.repeat(1024)))
    assert.throws(() => assertValidObjectKey('a'.repeat(1025)), /1024 bytes/)
    assert.throws(() => assertValidObjectKey(`${'€'.repeat(341)}ab`), /1024 bytes/)
  })
})

test.group('Object keys | encoding', () => {
  test('leaves only unreserved characters and "/" unencoded', ({ assert }) => {
    for (const { key } of AWKWARD_KEYS) {
      assert.match(encodeObjectKey(key), /^[A-Za-z0-9\-._~/%]*$/, key)
    }
  })

  test('decodes back to the key, segment by segment', ({ assert }) => {
    for (const { key } of AWKWARD_KEYS) {
      assert.equal(encodeObjectKey(key).split('/').map(decodeURIComponent).join('/'), key)
    }
  })

  test('every awkward key gives a CDN URL on the CDN origin whose decoded path is the key', ({
    assert,
  }) => {
    const cdn = parseCdnUrl('https://d111111abcdef8.cloudfront.net/media', 'cdnUrl')
    for (const { key } of AWKWARD_KEYS) {
      const url = new URL(cdnUrlFor(cdn, key))
      assert.equal(url.origin, 'https://d111111abcdef8.cloudfront.net', key)
      assert.equal(url.search, '', key)
      assert.equal(url.hash, '', key)
      assert.isTrue(url.pathname.startsWith('/media/'), key)
      assert.equal(
        url.pathname.slice('/media/'.length).split('/').map(decodeURIComponent).join('/'),
        key
      )
    }
  })
})

test.group('CDN URL | validation', () => {
  test('keeps the base path with or without a trailing slash', ({ assert }) => {
    assert.equal(
      parseCdnUrl('https://cdn.example.com/a/b', 'cdnUrl').base,
      'https://cdn.example.com/a/b/'
    )
    assert.equal(
      parseCdnUrl('https://cdn.example.com/a/b/', 'cdnUrl').base,
      'https://cdn.example.com/a/b/'
    )
    assert.equal(parseCdnUrl('https://cdn.example.com', 'cdnUrl').base, 'https://cdn.example.com/')
  })

  test('refuses {$i} naming the setting')
    .with([
      undefined,
      '',
      'not a url',
      'ftp://cdn.example.com',
      'https://user:pass@cdn.example.com',
      'https://cdn.example.com/?a=1',
      'https://cdn.example.com/#x',
    ])
    .run(({ assert }, value) => {
      assert.throws(
        () => parseCdnUrl(value, 'services.uploads.cdnUrl'),
        /services\.uploads\.cdnUrl/
      )
    })

  test('refuses http in production, allows it elsewhere', ({ assert }) => {
    assert.throws(
      () => parseCdnUrl('http://cdn.example.com', 'services.uploads.cdnUrl', true),
      /services\.uploads\.cdnUrl.*https in production/
    )
    assert.equal(
      parseCdnUrl('http://localhost:3333/cdn', 'cdnUrl', false).origin,
      'http://localhost:3333'
    )
  })
})

import { test } from '@japa/runner'
import {
  CACHING_OPTIMIZED,
  cachePath,
  errorTtl,
  objectTtl,
  resolveCachePolicy,
} from '../../../src/edge/cache_policy.ts'

const NOW = Date.parse('2026-06-01T12:00:00Z')
const policy = (minTtl: number, defaultTtl: number, maxTtl: number) =>
  resolveCachePolicy({ minTtl, defaultTtl, maxTtl }, 'edge.behaviors[0].cachePolicy')

test.group('Edge cache policy | row 37: TTLs as Expiration.md computes them', () => {
  test('CachingOptimized: 1 s minimum, 24 h default, a year maximum', ({ assert }) => {
    assert.deepInclude(CACHING_OPTIMIZED, { minTtl: 1, defaultTtl: 86_400, maxTtl: 31_536_000 })
    assert.strictEqual(resolveCachePolicy(undefined, 'x'), CACHING_OPTIMIZED)
    assert.equal(objectTtl({}, CACHING_OPTIMIZED, NOW), 86_400)
  })

  test('max-age and s-maxage are clamped between the minimum and maximum TTL; s-maxage wins', ({
    assert,
  }) => {
    const p = policy(60, 300, 3600)
    assert.equal(objectTtl({ cacheControl: 'public, max-age=120' }, p, NOW), 120)
    assert.equal(objectTtl({ cacheControl: 'max-age=5' }, p, NOW), 60)
    assert.equal(objectTtl({ cacheControl: 'max-age=86400' }, p, NOW), 3600)
    assert.equal(objectTtl({ cacheControl: 'max-age=10, s-maxage=900' }, p, NOW), 900)
    assert.equal(objectTtl({ cacheControl: 'S-MAXAGE="30"' }, p, NOW), 60)
    assert.equal(objectTtl({ cacheControl: 'max-age=0' }, policy(0, 300, 3600), NOW), 0)
  })

  test('no-store, no-cache and private: the minimum TTL only (0: never kept)', ({ assert }) => {
    for (const cacheControl of ['no-store', 'no-cache', 'private, max-age=3600', 'No-Cache="x"']) {
      assert.equal(objectTtl({ cacheControl }, CACHING_OPTIMIZED, NOW), 1, cacheControl)
      assert.equal(objectTtl({ cacheControl }, policy(0, 300, 3600), NOW), 0, cacheControl)
    }
  })

  test('Expires counts from now, clamped; max-age wins over it; a bad date is expired', ({
    assert,
  }) => {
    const p = policy(0, 300, 3600)
    const inTenMinutes = new Date(NOW + 600_000).toUTCString()
    assert.equal(objectTtl({ expires: inTenMinutes }, p, NOW), 600)
    assert.equal(objectTtl({ expires: new Date(NOW + 86_400_000).toUTCString() }, p, NOW), 3600)
    assert.equal(objectTtl({ expires: inTenMinutes, cacheControl: 'max-age=30' }, p, NOW), 30)
    assert.equal(objectTtl({ expires: new Date(NOW - 1000).toUTCString() }, p, NOW), 0)
    assert.equal(objectTtl({ expires: '0' }, p, NOW), 0)
    assert.equal(objectTtl({ expires: '0' }, CACHING_OPTIMIZED, NOW), 1)
  })

  test('no caching headers: the default TTL, never below the minimum', ({ assert }) => {
    assert.equal(objectTtl({ cacheControl: 'public' }, policy(0, 300, 3600), NOW), 300)
    assert.equal(objectTtl({}, policy(0, 0, 0), NOW), 0)
  })

  test('TTLs out of order, negative or fractional fail at creation, naming the setting', ({
    assert,
  }) => {
    assert.throws(() => policy(10, 5, 100), /cachePolicy.*minTtl \(10\) <= defaultTtl \(5\)/)
    assert.throws(() => policy(0, 500, 100), /maxTtl \(100\)/)
    assert.throws(() => policy(-1, 5, 100), /cachePolicy\.minTtl/)
    assert.throws(() => policy(0, 1.5, 100), /cachePolicy\.defaultTtl/)
    assert.throws(
      () => resolveCachePolicy({ queryStrings: 'some' as 'all' }, 'x'),
      /x\.queryStrings/
    )
    // Unset TTLs follow a given minimum instead of breaking the order.
    assert.deepInclude(resolveCachePolicy({ minTtl: 100_000 }, 'x'), {
      minTtl: 100_000,
      defaultTtl: 100_000,
    })
  })
})

test.group('Edge cache policy | row 39: error caching', () => {
  test('404 and 5xx: the error caching minimum TTL, or a longer max-age', ({ assert }) => {
    for (const status of [404, 500, 502, 503, 504])
      assert.equal(errorTtl(status, undefined, 10), 10)
    assert.equal(errorTtl(404, 'max-age=60', 10), 60)
    assert.equal(errorTtl(404, 'max-age=1', 10), 10)
  })

  test('400, 403, 412, 415 only with max-age; 416 never', ({ assert }) => {
    for (const status of [400, 403, 412, 415]) {
      assert.equal(errorTtl(status, undefined, 10), 0)
      assert.equal(errorTtl(status, 's-maxage=30', 10), 30)
    }
    assert.equal(errorTtl(416, 'max-age=60', 10), 0)
  })
})

test.group('Edge cache policy | row 38: the cache key', () => {
  test('no query strings by default: a signature window repeats one key', ({ assert }) => {
    assert.equal(
      cachePath('photos/a%20b.jpg', 'Expires=1&Signature=x&Key-Pair-Id=K', CACHING_OPTIMIZED),
      '/photos/a%20b.jpg'
    )
  })

  test('named query strings are kept as sent, in order; signing parameters never', ({ assert }) => {
    const named = resolveCachePolicy({ queryStrings: ['w', 'response-content-type'] }, 'x')
    assert.equal(
      cachePath(
        'a.jpg',
        'Expires=1&w=200&x=1&response-content-type=image%2Fpng&Signature=s',
        named
      ),
      '/a.jpg?w=200&response-content-type=image%2Fpng'
    )
    assert.equal(cachePath('a.jpg', 'W=200', named), '/a.jpg')
    const all = resolveCachePolicy({ queryStrings: 'all' }, 'x')
    assert.equal(
      cachePath('a.jpg', 'b=2&a=1&Policy=p&Key-Pair-Id=K&Hash-Algorithm=SHA256', all),
      '/a.jpg?b=2&a=1'
    )
    assert.equal(cachePath('a.jpg', 'Expires=1', all), '/a.jpg')
  })
})

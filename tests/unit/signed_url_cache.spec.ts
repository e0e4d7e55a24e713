import { test } from '@japa/runner'
import { SignedUrlCache } from '../../src/signed_url_cache.ts'

test.group('Signed URL cache', () => {
  test('never holds more than its size; the least recently used goes first', async ({ assert }) => {
    const cache = new SignedUrlCache(3)
    let signed = 0
    const sign = (value: string) => () => (signed++, Promise.resolve(value))
    for (const key of ['a', 'b', 'c']) await cache.getOrSign(key, sign(`url-${key}`))
    // "a" used again: "b" is now the least recent.
    assert.equal(await cache.getOrSign('a', sign('other')), 'url-a')
    await cache.getOrSign('d', sign('url-d'))
    assert.equal(cache.size, 3)
    assert.equal(await cache.getOrSign('a', sign('other')), 'url-a')
    assert.equal(await cache.getOrSign('b', sign('url-b2')), 'url-b2', 'b was pushed out')
    assert.equal(signed, 5)
    for (let i = 0; i < 10_000; i++) await cache.getOrSign(`k${i}`, sign(String(i)))
    assert.equal(cache.size, 3)
  })

  test('concurrent requests for one key sign once', async ({ assert }) => {
    const cache = new SignedUrlCache(10)
    let signed = 0
    let release!: (url: string) => void
    const pending = new Promise<string>((resolve) => (release = resolve))
    const results = Array.from({ length: 5 }, () => cache.getOrSign('k', () => (signed++, pending)))
    release('url')
    assert.deepEqual(await Promise.all(results), ['url', 'url', 'url', 'url', 'url'])
    assert.equal(signed, 1)
  })

  test('a failed signature is not kept', async ({ assert }) => {
    const cache = new SignedUrlCache(10)
    await assert.rejects(() => cache.getOrSign('k', () => Promise.reject(new Error('boom'))))
    assert.equal(cache.size, 0)
    assert.equal(await cache.getOrSign('k', () => Promise.resolve('url')), 'url')
  })
})

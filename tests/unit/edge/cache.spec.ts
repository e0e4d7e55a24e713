import { test } from '@japa/runner'
import { EdgeCache } from '../../../src/edge/cache.ts'

function clock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

function put(cache: EdgeCache<string>, key: string, bytes: number, ttl = 60, path = `/${key}`) {
  return cache.set(key, { value: key, bytes, path, ttl })
}

test.group('Edge cache | store', () => {
  test('an entry is fresh for its TTL on the injected clock, then stale; Age counts whole seconds', ({
    assert,
  }) => {
    const time = clock()
    const cache = new EdgeCache<string>({}, time.now)
    assert.isTrue(put(cache, 'a.jpg', 10, 5))
    const entry = cache.get('a.jpg')!
    assert.isTrue(cache.isFresh(entry))
    time.advance(4_999)
    assert.isTrue(cache.isFresh(entry))
    assert.equal(cache.age(entry), 4)
    time.advance(1)
    assert.isFalse(cache.isFresh(entry))
    // Stale entries stay until replaced or evicted: the edge revalidates them.
    assert.strictEqual(cache.get('a.jpg'), entry)
    cache.renew(entry, 10, { resetAge: true })
    assert.isTrue(cache.isFresh(entry))
    assert.equal(cache.age(entry), 0)
  })

  test('no TTL or over maxObjectBytes: not kept, and an older entry of the key is dropped', ({
    assert,
  }) => {
    const cache = new EdgeCache<string>({ maxObjectBytes: 100, maxBytes: 1000 })
    assert.isTrue(put(cache, 'a', 100))
    assert.isFalse(put(cache, 'a', 101))
    assert.isUndefined(cache.get('a'))
    assert.isTrue(put(cache, 'b', 1))
    assert.isFalse(put(cache, 'b', 1, 0))
    assert.isUndefined(cache.get('b'))
    assert.deepEqual(cache.size, { entries: 0, bytes: 0 })
  })

  test('bounded in bytes and entries: the least recently used goes first', ({ assert }) => {
    const cache = new EdgeCache<string>({ maxBytes: 300, maxEntries: 3, maxObjectBytes: 150 })
    put(cache, 'a', 100)
    put(cache, 'b', 100)
    put(cache, 'c', 100)
    cache.get('a') // a is now the most recently used
    put(cache, 'd', 100)
    assert.isUndefined(cache.get('b'))
    assert.deepEqual(
      ['a', 'c', 'd'].map((key) => cache.get(key)?.value),
      ['a', 'c', 'd']
    )
    assert.deepEqual(cache.size, { entries: 3, bytes: 300 })
    put(cache, 'e', 150)
    assert.isAtMost(cache.size.bytes, 300)
    assert.isAtMost(cache.size.entries, 3)
    for (let index = 0; index < 1000; index++) put(cache, `k${index}`, (index % 150) + 1)
    assert.isAtMost(cache.size.bytes, 300)
    assert.isAtMost(cache.size.entries, 3)
  })

  test('bounds that are not whole positive numbers, or an object limit over the total, fail at creation', ({
    assert,
  }) => {
    assert.throws(() => new EdgeCache({ maxBytes: 0 }), /edge\.cache\.maxBytes/)
    assert.throws(() => new EdgeCache({ maxEntries: 1.5 }), /edge\.cache\.maxEntries/)
    assert.throws(
      () => new EdgeCache({ maxBytes: 10, maxObjectBytes: 11 }),
      /edge\.cache\.maxObjectBytes/
    )
    assert.equal(new EdgeCache({ maxBytes: 10 }).maxObjectBytes, 10)
  })
})

test.group('Edge cache | row 42: invalidation paths', () => {
  function filled() {
    const cache = new EdgeCache<string>()
    for (const path of [
      '/photos/a.jpg',
      '/photos/A.jpg',
      '/photos/a.jpg.bak',
      '/photos/sub/b.jpg',
      '/photos/a%20b.jpg',
      '/docs/c.pdf',
      '/docs/c.pdf?v=2',
    ]) {
      put(cache, path, 1, 60, path)
    }
    return cache
  }

  test('an exact path drops that path only, case-sensitively', ({ assert }) => {
    const cache = filled()
    assert.equal(cache.invalidate(['/photos/a.jpg']), 1)
    assert.isUndefined(cache.get('/photos/a.jpg'))
    assert.isDefined(cache.get('/photos/A.jpg'))
    assert.isDefined(cache.get('/photos/a.jpg.bak'))
    assert.equal(cache.invalidate(['/photos/a.jpg']), 0)
  })

  test('a trailing * drops every path it starts; /* drops everything', ({ assert }) => {
    const cache = filled()
    assert.equal(cache.invalidate(['/photos/*']), 5)
    assert.equal(cache.size.entries, 2)
    assert.equal(cache.invalidate(['/*']), 2)
    assert.equal(cache.size.entries, 0)
  })

  test('paths are compared with %XX decoded on both sides; a query only where the key kept one', ({
    assert,
  }) => {
    const cache = filled()
    put(cache, '/photos/a%20%281%29~.jpg', 1, 60, '/photos/a%20%281%29~.jpg')
    // As AWS asks invalidation paths to be written: only unsafe characters (and ~) encoded.
    assert.equal(cache.invalidate(['/photos/a%20(1)%7E.jpg']), 1)
    assert.equal(cache.invalidate(['/photos/a b.jpg']), 1)
    assert.equal(cache.invalidate(['/photos/a%20b.jpg']), 0)
    assert.equal(cache.invalidate(['/docs/c.pdf']), 1)
    assert.isDefined(cache.get('/docs/c.pdf?v=2'))
    assert.equal(cache.invalidate(['/docs/c.pdf*']), 1)
    assert.equal(cache.invalidate(['/%E0%A4%A']), 0, 'bad percent-encoding is compared as sent')
  })

  test('a path without a leading / or with * elsewhere than last is refused, and nothing is dropped', ({
    assert,
  }) => {
    const cache = filled()
    assert.throws(
      () => cache.invalidate(['/photos/a.jpg', 'photos/a.jpg']),
      /E_DJAMAZING_INVALID_ARGUMENT|starts with "\/"/
    )
    assert.throws(() => cache.invalidate(['/photos/*.jpg']), /may only be the last character/)
    assert.throws(() => cache.invalidate([42 as unknown as string]), /starts with "\/"/)
    assert.equal(cache.size.entries, 7)
  })
})

test.group('Edge cache | row 41: collapsed requests', () => {
  test('while one fill runs, others for the key wait for it and do not fill', async ({
    assert,
  }) => {
    const cache = new EdgeCache<string>()
    let fills = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const fill = async () => {
      fills++
      await gate
      put(cache, 'k', 1)
    }
    const first = cache.collapse('k', fill)
    const others = Array.from({ length: 5 }, () => cache.collapse('k', fill))
    assert.isTrue(cache.filling('k'))
    release()
    assert.deepEqual(await Promise.all([first, ...others]), [
      true,
      false,
      false,
      false,
      false,
      false,
    ])
    assert.equal(fills, 1)
    assert.isFalse(cache.filling('k'))
    assert.equal(cache.get('k')?.value, 'k')
  })

  test('a failed fill fails its caller only; waiters look again', async ({ assert }) => {
    const cache = new EdgeCache<string>()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const first = cache.collapse('k', async () => {
      await gate
      throw new Error('origin down')
    })
    const waiter = cache.collapse('k', async () => {})
    release()
    await assert.rejects(() => first, 'origin down')
    assert.isFalse(await waiter)
    assert.isTrue(await cache.collapse('k', async () => {}))
  })
})

import { test } from '@japa/runner'
import { Lru } from '../../src/lru.ts'

/**
 * The same contract, written the obvious way: keys from least to most
 * recently used.
 */
class ReferenceLru {
  order: string[] = []
  values = new Map<string, number>()
  constructor(readonly maxEntries: number) {}
  #touch(key: string) {
    this.order = [...this.order.filter((k) => k !== key), key]
  }
  get(key: string) {
    if (!this.values.has(key)) return undefined
    this.#touch(key)
    return this.values.get(key)
  }
  set(key: string, value: number) {
    this.values.set(key, value)
    this.#touch(key)
    if (this.order.length > this.maxEntries) this.values.delete(this.order.shift()!)
  }
  deleteIf(key: string, value: number) {
    if (this.values.get(key) !== value) return
    this.values.delete(key)
    this.order = this.order.filter((k) => k !== key)
  }
}

test.group('Lru', () => {
  test('forgets the least recently used first; a read or a write makes an entry recent', ({
    assert,
  }) => {
    const lru = new Lru<number>(3)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('c', 3)
    assert.equal(lru.get('a'), 1)
    lru.set('d', 4)
    assert.isUndefined(lru.get('b'), 'b was the least recent')
    lru.set('c', 30)
    lru.set('e', 5)
    assert.isUndefined(lru.get('a'), 'a was read before c was written again')
    assert.deepEqual(
      ['c', 'd', 'e'].map((key) => lru.get(key)),
      [30, 4, 5]
    )
    assert.equal(lru.size, 3)
  })

  test('deleteIf removes an entry only while it holds that value', ({ assert }) => {
    const lru = new Lru<number>(2)
    lru.set('a', 1)
    lru.deleteIf('a', 2)
    assert.equal(lru.get('a'), 1)
    lru.deleteIf('a', 1)
    assert.isUndefined(lru.get('a'))
    assert.equal(lru.size, 0)
    // The list is intact after removing the only entry.
    lru.set('b', 2)
    lru.set('c', 3)
    lru.set('d', 4)
    assert.deepEqual([lru.get('b'), lru.get('c'), lru.get('d')], [undefined, 3, 4])
  })

  test('agrees with a plain reference under 20,000 random operations', ({ assert }) => {
    // A fixed seed: a failure can be replayed.
    let seed = 7
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % below
    }
    for (const size of [1, 2, 5, 17]) {
      const lru = new Lru<number>(size)
      const reference = new ReferenceLru(size)
      for (let step = 0; step < 5_000; step++) {
        const key = `k${random(size * 3)}`
        const operation = random(10)
        if (operation < 5) {
          assert.equal(lru.get(key), reference.get(key), `step ${step}: get ${key}`)
        } else if (operation < 9) {
          lru.set(key, step)
          reference.set(key, step)
        } else {
          const value = reference.values.get(key) ?? step
          lru.deleteIf(key, value)
          reference.deleteIf(key, value)
        }
        assert.equal(lru.size, reference.values.size, `step ${step}: size`)
      }
      for (const key of reference.values.keys()) {
        assert.equal(lru.get(key), reference.values.get(key), `kept ${key}`)
      }
    }
  })
})

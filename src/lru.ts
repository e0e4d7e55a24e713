type Entry<V> = { key: string; value: V; newer?: Entry<V>; older?: Entry<V> }

/**
 * A bounded map that forgets its least recently used entry first.
 *
 * Recency is a linked list beside the map, so a hit only moves pointers.
 * Re-inserting into a `Map` to mark an entry as recent, and evicting
 * through `keys().next()`, look the same but cost time in proportion to
 * the map's size in V8: at 10,000 entries, about 25 µs per hit on one hot
 * key (a gallery revisited, a player's `Range` requests) and 7 µs per
 * eviction.
 */
export class Lru<V> {
  #entries = new Map<string, Entry<V>>()
  #newest?: Entry<V>
  #oldest?: Entry<V>
  readonly maxEntries: number

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#touch(entry)
    return entry.value
  }

  set(key: string, value: V): void {
    const known = this.#entries.get(key)
    if (known) {
      known.value = value
      this.#touch(known)
      return
    }
    const entry: Entry<V> = { key, value }
    this.#entries.set(key, entry)
    this.#link(entry)
    if (this.#entries.size > this.maxEntries) this.#remove(this.#oldest!)
  }

  /**
   * Removes `key` if it still holds `value`.
   */
  deleteIf(key: string, value: V): void {
    const entry = this.#entries.get(key)
    if (entry?.value === value) this.#remove(entry)
  }

  /**
   * Makes `entry` the most recent.
   */
  #touch(entry: Entry<V>): void {
    if (entry === this.#newest) return
    this.#unlink(entry)
    this.#link(entry)
  }

  #remove(entry: Entry<V>): void {
    this.#unlink(entry)
    this.#entries.delete(entry.key)
  }

  #link(entry: Entry<V>): void {
    entry.older = this.#newest
    entry.newer = undefined
    if (this.#newest) this.#newest.newer = entry
    else this.#oldest = entry
    this.#newest = entry
  }

  #unlink(entry: Entry<V>): void {
    if (entry.newer) entry.newer.older = entry.older
    else this.#newest = entry.older
    if (entry.older) entry.older.newer = entry.newer
    else this.#oldest = entry.newer
  }
}

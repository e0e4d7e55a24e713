/**
 * A bounded map that forgets its least recently used entry first.
 */
export class Lru<V> {
  #entries = new Map<string, V>()
  readonly maxEntries: number

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries
  }

  get size(): number {
    return this.#entries.size
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key)
    if (value !== undefined) {
      // Map keeps insertion order: re-inserting makes it the most recent.
      this.#entries.delete(key)
      this.#entries.set(key, value)
    }
    return value
  }

  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!)
    }
  }

  /**
   * Removes `key` if it still holds `value`.
   */
  deleteIf(key: string, value: V): void {
    if (this.#entries.get(key) === value) this.#entries.delete(key)
  }
}

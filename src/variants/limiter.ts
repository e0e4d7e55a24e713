/**
 * Runs at most `limit` tasks at once; the others wait their turn, first
 * come first served.
 */
export class Limiter {
  #running = 0
  #waiting: (() => void)[] = []
  readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    } else {
      this.#running++
    }
    try {
      return await task()
    } finally {
      // The slot passes straight to the next task, so none can jump the queue.
      const next = this.#waiting.shift()
      if (next) next()
      else this.#running--
    }
  }
}

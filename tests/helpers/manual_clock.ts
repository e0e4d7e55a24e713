import type { InvalidationClock } from '../../src/invalidation/types.ts'

/**
 * A clock that moves only when the test says: `advance(ms)` runs the
 * timers that fall due, in order.
 */
export type ManualClock = InvalidationClock & {
  now(): number
  advance(ms: number): void
  /**
   * Timers waiting.
   */
  readonly pending: number
}

export function manualClock(start = Date.UTC(2026, 11, 7, 12)): ManualClock {
  let now = start
  let nextId = 0
  const timers = new Map<number, { at: number; callback: () => void }>()
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = ++nextId
      timers.set(id, { at: now + Math.max(0, ms), callback })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance(ms) {
      const until = now + ms
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= until)
        if (due.length === 0) break
        due.sort((a, b) => a[1].at - b[1].at || a[0] - b[0])
        const [id, timer] = due[0]
        timers.delete(id)
        now = Math.max(now, timer.at)
        timer.callback()
      }
      now = until
    },
    get pending() {
      return timers.size
    },
  }
}

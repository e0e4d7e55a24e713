import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { withDeadline } from './deadline.ts'

/**
 * The process's wall clock, moved forward by the test instead of waited
 * for: `Date.now()` and `new Date()` read the real time plus an offset the
 * test sets. Timers, `performance.now()` and Node's own internals keep the
 * real time, so nothing waits longer; what reads the date (signed URLs,
 * redirect windows, the edge's expiry checks) sees the time the test chose.
 */
export type TestClock = {
  /**
   * Milliseconds added to the real time.
   */
  readonly offset: number
  advance(ms: number): void
  /**
   * Puts the real `Date` back.
   */
  restore(): void
}

const RealDate = Date

/**
 * Replaces the global `Date` of this process with one whose "now" is the
 * real time plus the clock's offset. For a test that runs the app in its
 * own process; restore it when the test ends.
 */
export function installTestClock(): TestClock {
  let offset = 0
  const now = () => RealDate.now() + offset
  // The real Date behind a proxy: dates made before, or by Node's
  // internals (file times), are still `instanceof Date`.
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    // `Date()` called without `new`: the time as a string.
    apply: () => new RealDate(now()).toString(),
    get: (target, property, receiver) =>
      property === 'now' ? now : Reflect.get(target, property, receiver),
  })
  return {
    get offset() {
      return offset
    },
    advance(ms) {
      offset += ms
    },
    restore() {
      globalThis.Date = RealDate
    },
  }
}

/**
 * The message a test sends over a child's IPC channel to move its clock
 * (a child started with `--import` of `test_clock_preload.ts`), and the
 * child's answer once it did.
 */
export type TestClockMessage = { testClockOffset: number }

export function isTestClockMessage(message: unknown): message is TestClockMessage {
  return typeof (message as TestClockMessage | undefined)?.testClockOffset === 'number'
}

/**
 * Sets the clock offset of a child process started with the preload, and
 * resolves once the child confirmed it: its next `Date.now()` reads it.
 */
export async function setChildClockOffset(child: ChildProcess, offset: number): Promise<void> {
  const acknowledged = (async () => {
    for (;;) {
      const [message] = await once(child, 'message')
      if (isTestClockMessage(message) && message.testClockOffset === offset) return
    }
  })()
  child.send({ testClockOffset: offset } satisfies TestClockMessage)
  await withDeadline(acknowledged, 10_000, `the child's clock moved to +${offset} ms`)
}

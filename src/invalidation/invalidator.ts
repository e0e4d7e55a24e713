import { randomUUID } from 'node:crypto'
import debug from '../debug.ts'
import { E_DJAMAZING_INVALIDATION_FAILED } from '../errors.ts'
import type { ResolvedInvalidation } from '../disk/settings.ts'
import { planPaths } from './paths.ts'
import type { cloudFrontCalls } from './client.ts'
import type { InvalidationClock, InvalidationEvent } from './types.ts'

/**
 * The real timers.
 */
export const SYSTEM_CLOCK: InvalidationClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

const FIRST_RETRY_DELAY = 1000
const MAX_RETRY_DELAY = 60_000

/**
 * CloudFront's answers that mean "not now": its own limits, throttling,
 * and server or network failures. Anything else (access denied, no such
 * distribution, a malformed path) would fail again.
 */
function isRetryable(error: unknown): boolean {
  const failure = error as {
    name?: string
    $retryable?: unknown
    $metadata?: { httpStatusCode?: number }
    code?: string
  }
  const limit = /^TooManyInvalidationsInProgress$|Throttl|TooManyRequests|RequestLimitExceeded/
  if (failure?.$retryable || limit.test(failure?.name ?? '')) return true
  const status = failure?.$metadata?.httpStatusCode
  if (status !== undefined) return status >= 500 || status === 429
  // No HTTP answer at all: a connection refused, reset or timed out.
  return typeof failure?.code === 'string' || failure?.name === 'TimeoutError'
}

export type InvalidatorSettings = ResolvedInvalidation & {
  disk: string
  send: ReturnType<typeof cloudFrontCalls>['create']
  clock: InvalidationClock
}

type Waiter = { resolve(): void; reject(error: Error): void }

/**
 * The changed paths of one request, the writes waiting for it, and the
 * file changes it covers.
 */
type Batch = { paths: Set<string>; waiters: Waiter[]; changes: number }

const emptyBatch = (): Batch => ({ paths: new Set(), waiters: [], changes: 0 })

/**
 * Collects the changed paths of a disk and invalidates them: one
 * `CreateInvalidation` per batch window, one request at a time (changes
 * arriving while a request is out, or being retried, go into the next
 * one, so a slow or throttled CloudFront means fewer, larger requests),
 * each retried with exponential backoff while CloudFront says "not now".
 */
export class Invalidator {
  readonly settings: InvalidatorSettings
  #batch = emptyBatch()
  #timer: unknown
  #sending: Promise<void> | undefined

  constructor(settings: InvalidatorSettings) {
    this.settings = settings
  }

  /**
   * Queues paths (`changes`: how many file changes they stand for).
   * Resolves at once, or with `awaitInvalidation` once
   * CloudFront accepted a request covering them (rejects with
   * `E_DJAMAZING_INVALIDATION_FAILED` when it never does).
   */
  invalidate(paths: readonly string[], changes = paths.length): Promise<void> {
    if (paths.length === 0) return Promise.resolve()
    for (const path of paths) this.#batch.paths.add(path)
    this.#batch.changes += changes
    const done = this.settings.awaitInvalidation
      ? new Promise<void>((resolve, reject) => this.#batch.waiters.push({ resolve, reject }))
      : Promise.resolve()
    this.#schedule()
    return done
  }

  /**
   * Sends what is queued now, without waiting for the window (tests, and
   * an app shutting down). Resolves once the queue is empty.
   */
  async flush(): Promise<void> {
    // #startSending clears a waiting window's timer.
    while (this.#sending || this.#batch.paths.size > 0) {
      if (this.#sending) await this.#sending
      else this.#startSending()
    }
  }

  #schedule() {
    if (this.#timer !== undefined || this.#sending) return
    this.#timer = this.settings.clock.setTimeout(() => {
      this.#timer = undefined
      this.#startSending()
    }, this.settings.batchWindow)
  }

  #startSending() {
    if (this.#sending || this.#batch.paths.size === 0) return
    if (this.#timer !== undefined) {
      this.settings.clock.clearTimeout(this.#timer)
      this.#timer = undefined
    }
    const batch = this.#batch
    this.#batch = emptyBatch()
    this.#sending = this.#send(batch).finally(() => {
      this.#sending = undefined
      // What arrived meanwhile waits for its own window, counted from now.
      if (this.#batch.paths.size > 0) this.#schedule()
    })
  }

  async #send({ paths: changed, waiters, changes }: Batch): Promise<void> {
    const { settings } = this
    const paths = planPaths(changed, settings)
    const event = { disk: settings.disk, distributionId: settings.distributionId, paths, changes }
    // The same reference on every attempt: CloudFront answers a repeated
    // request that it already took with the same invalidation.
    const callerReference = `djamazing-${randomUUID()}`
    for (let attempt = 1; ; attempt++) {
      try {
        const { invalidationId } = await settings.send({ paths, callerReference })
        debug('invalidation %s: %d paths sent as %s', settings.disk, paths.length, invalidationId)
        this.#report({ ...event, attempt, outcome: 'sent', invalidationId })
        for (const waiter of waiters) waiter.resolve()
        return
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught))
        if (isRetryable(error) && attempt < settings.retries) {
          const delay = Math.min(FIRST_RETRY_DELAY * 2 ** (attempt - 1), MAX_RETRY_DELAY)
          debug('invalidation %s: %s, retrying in %d ms', settings.disk, error.name, delay)
          this.#report({ ...event, attempt, outcome: 'retrying', delay, error })
          await new Promise<void>((resolve) => settings.clock.setTimeout(resolve, delay))
          continue
        }
        debug('invalidation %s: %s, given up', settings.disk, error.name)
        this.#report({ ...event, attempt, outcome: 'failed', error })
        const failure = new E_DJAMAZING_INVALIDATION_FAILED(
          [paths.join(', '), attempt, `${error.name}: ${error.message}`],
          { cause: error }
        )
        for (const waiter of waiters) waiter.reject(failure)
        return
      }
    }
  }

  #report(event: InvalidationEvent) {
    try {
      this.settings.onEvent?.(event)
    } catch (error) {
      // A listener's failure is the listener's, never the write's.
      debug(
        'invalidation %s: an onEvent listener failed: %s',
        event.disk,
        (error as Error)?.message
      )
    }
  }
}

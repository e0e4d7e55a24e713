import type { Readable } from 'node:stream'

/**
 * The origin took longer than the edge's origin timeout to answer, or to
 * send the next bytes of its answer.
 */
export class OriginTimeoutError extends Error {
  constructor(seconds: number) {
    super(`the origin sent nothing for ${seconds} s`)
    this.name = 'OriginTimeoutError'
  }
}

/**
 * CloudFront's origin response timeout, for one viewer request: how long
 * the origin may take to answer each request the edge sends it, and
 * between two packets of a body. When it runs out, `signal` aborts the
 * origin request and a watched body is destroyed, so nothing hangs.
 */
export function originDeadline(clientSignal: AbortSignal, seconds: number) {
  const timeout = new AbortController()
  const bodies: Readable[] = []
  const expire = () => {
    const error = new OriginTimeoutError(seconds)
    timeout.abort(error)
    for (const body of bodies) body.destroy(error)
  }
  const timer = setTimeout(expire, seconds * 1000)
  const touch = () => {
    if (!timeout.signal.aborted) timer.refresh()
  }
  return {
    /**
     * Aborted when the client goes away or the deadline runs out.
     */
    signal: AbortSignal.any([clientSignal, timeout.signal]),
    /**
     * Whether the deadline ran out (rather than the client leaving).
     */
    get expired() {
      return timeout.signal.aborted
    },
    /**
     * The origin answered: it gets the full timeout again.
     */
    touch,
    /**
     * Touches on every chunk of `body`, and destroys it when time runs out.
     */
    watch(body: Readable) {
      bodies.push(body)
      touch()
      body.on('data', touch)
    },
    stop: () => clearTimeout(timer),
  }
}

export type OriginDeadline = ReturnType<typeof originDeadline>

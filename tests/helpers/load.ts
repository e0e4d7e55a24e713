import { fork } from 'node:child_process'
import { once } from 'node:events'

/**
 * One request of a load run: autocannon cycles through them in order on
 * every connection.
 */
export type LoadRequest = { method?: string; path: string; headers?: Record<string, string> }

export type LoadResult = {
  /**
   * Responses received.
   */
  requests: number
  /**
   * Requests written. autocannon silently resends on a new connection when
   * the server closes one mid-response: `sent > requests` shows it.
   */
  sent: number
  errors: number
  timeouts: number
  mismatches: number
  statusCodes: Record<string, number>
  reqPerSec: number
  /**
   * Latency percentiles, milliseconds.
   */
  p50: number
  p99: number
  max: number
  bytes: number
  seconds: number
}

/**
 * `amount` requests over `connections` connections against `url`
 * (loopback), with autocannon in a child process. Bounded by the count and
 * by `maxSeconds`: the child is killed past it.
 */
export async function runLoad(options: {
  url: string
  requests: LoadRequest[]
  amount: number
  connections: number
  maxSeconds?: number
}): Promise<LoadResult> {
  const { hostname } = new URL(options.url)
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') {
    throw new Error(`load tests run on loopback only, not ${hostname}`)
  }
  const child = fork(new URL('./load_client.ts', import.meta.url), {
    execArgv: ['--import=@poppinss/ts-exec'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), (options.maxSeconds ?? 90) * 1000)
  try {
    child.send({
      url: options.url,
      requests: options.requests,
      amount: options.amount,
      connections: options.connections,
    })
    const [result] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(() => {
        throw new Error('the load client exited without a result (killed after maxSeconds?)')
      }),
    ])) as [LoadResult]
    return result
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null) child.kill()
  }
}

/**
 * Keeps idle keep-alive connections open for a minute. Node's default is
 * 5 s: when the load client is starved of CPU (other test runs on the same
 * 2 cores) it can take longer than that to send its next request, the
 * server closes the connection, and autocannon silently resends on a new
 * one, which would show up as lost responses that are not the server's.
 */
export function patientKeepAlive(server: { keepAliveTimeout: number }) {
  server.keepAliveTimeout = 60_000
}

/**
 * One line for the test output: figures are printed, never asserted as timings.
 */
export function describeLoad(what: string, result: LoadResult): string {
  const statuses = Object.entries(result.statusCodes)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ')
  return `  ${what}: ${result.requests} responses to ${result.sent} requests in ${result.seconds.toFixed(1)} s, ${Math.round(result.reqPerSec)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; ${statuses}; errors ${result.errors}, timeouts ${result.timeouts}`
}

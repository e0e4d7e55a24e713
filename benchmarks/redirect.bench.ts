import autocannon from 'autocannon'
import { startRedirectServer, type RedirectServer } from './redirect_server_process.ts'
import { row, runStandalone, sideBySide, type Benchmark } from './report.ts'

// docs/benchmarks.md reports its rows.
/**
 * Load for one measurement: bounded, loopback only.
 */
const LOAD = { connections: 50, duration: 3 }
const ROUNDS = 5

/**
 * Requests per second of one path, every response a 302 (anything else
 * means the benchmark measures refusals, and fails).
 */
async function redirectsPerSecond(server: RedirectServer, path: string): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${path}`,
    headers: { cookie: server.cookie },
    ...LOAD,
  })
  const answered = result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  if (result['3xx'] !== answered || result.errors > 0) {
    throw new Error(
      `${path}: ${result['3xx']} of ${answered} answers were redirects, ${result.errors} errors`
    )
  }
  return result.requests.total / LOAD.duration
}

const benchmark: Benchmark = {
  name: 'redirect route',
  async run() {
    const rsa = await startRedirectServer(['rsa'])
    const [rsaOurs, rsaBare] = await sideBySide(
      () => redirectsPerSecond(rsa, rsa.link),
      () => redirectsPerSecond(rsa, '/bare-sign'),
      ROUNDS
    ).finally(() => rsa.stop())

    const ec = await startRedirectServer(['ec'])
    const [ecOurs, ecBare] = await sideBySide(
      () => redirectsPerSecond(ec, ec.link),
      () => redirectsPerSecond(ec, '/bare'),
      ROUNDS
    ).finally(() => ec.stop())

    return [
      row('redirect route, RSA-2048 vs bare route with one sync RSA sign + 302', {
        ours: rsaOurs,
        baseline: rsaBare,
        unit: 'req/s',
        goal: 1.3,
        higherIsBetter: true,
      }),
      row('redirect route, ECDSA P-256 vs bare AdonisJS 302', {
        ours: ecOurs,
        baseline: ecBare,
        unit: 'req/s',
        goal: 0.5,
        higherIsBetter: true,
      }),
    ]
  },
}

export default benchmark

await runStandalone(benchmark, import.meta.url)

import { redirectsPerSecond, startRedirectServer } from './redirect_server_process.ts'
import { row, runStandalone, sideBySide, type Benchmark } from './report.ts'

// docs/benchmarks.md reports its rows.
const ROUNDS = 5

const benchmark: Benchmark = {
  name: 'redirect route',
  async run() {
    const rsa = await startRedirectServer(['rsa'])
    const [rsaOurs, rsaBare] = await sideBySide(
      () => redirectsPerSecond(rsa, [rsa.link]),
      () => redirectsPerSecond(rsa, ['/bare-sign']),
      ROUNDS
    ).finally(() => rsa.stop())

    const ec = await startRedirectServer(['ec'])
    const [ecOurs, ecBare] = await sideBySide(
      () => redirectsPerSecond(ec, [ec.link]),
      () => redirectsPerSecond(ec, ['/bare']),
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

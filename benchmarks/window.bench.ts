import { generateKeyPairSync } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import autocannon from 'autocannon'
import { CloudFrontSigner } from '../src/cloudfront/signer.ts'
import { SignedUrlCache } from '../src/signed_url_cache.ts'
import { startRedirectServer, type RedirectServer } from './redirect_server_process.ts'
import { interleaved, row, runStandalone, sideBySide, type Benchmark } from './report.ts'

// docs/benchmarks.md reports its rows.
/**
 * Load for one measurement: bounded, loopback only.
 */
const LOAD = { connections: 50, duration: 3 }
const ROUNDS = 5

/**
 * Requests per second over `paths`, taken in turn, every answer a 302.
 */
async function redirectsPerSecond(server: RedirectServer, paths: string[]): Promise<number> {
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    headers: { cookie: server.cookie },
    requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }],
    ...LOAD,
  })
  const answered = result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  if (result['3xx'] !== answered || result.errors > 0) {
    throw new Error(
      `${result['3xx']} of ${answered} answers were redirects, ${result.errors} errors`
    )
  }
  return result.requests.total / LOAD.duration
}

/**
 * The heap after a full collection, in bytes.
 */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * Heap growth while a signature cache at the default size (10,000) takes
 * `keys` distinct signed URLs (ECDSA, the fastest signer, so a million
 * take seconds, not minutes).
 */
async function heapGrowthFor(keys: number): Promise<number> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signer = new CloudFrontSigner({ keyPairId: 'KBENCHWINDOW1', privateKey })
  const cache = new SignedUrlCache(10_000)
  const expiresAt = new Date(Math.ceil(Date.now() / 3_600_000 + 1) * 3_600_000)
  const before = heapAfterGc()
  for (let i = 0; i < keys; i += 1000) {
    const batch = []
    for (let j = i; j < Math.min(i + 1000, keys); j++) {
      const url = `https://d111111abcdef8.cloudfront.net/photos/${j}.jpg`
      batch.push(
        cache.getOrSign(`${expiresAt.getTime()}  ${url}`, () =>
          signer.signUrlAsync(url, { expiresAt })
        )
      )
    }
    await Promise.all(batch)
  }
  const growth = heapAfterGc() - before
  if (cache.size > 10_000) throw new Error(`the cache holds ${cache.size} URLs`)
  return growth
}

const benchmark: Benchmark = {
  name: 'signature window',
  async run() {
    const windowed = await startRedirectServer(['rsa', 'window'])
    const [repeated, sameShape, bareAuth] = await interleaved(
      [
        () => redirectsPerSecond(windowed, [windowed.link]),
        () => redirectsPerSecond(windowed, [windowed.sameShapePath]),
        () => redirectsPerSecond(windowed, ['/bare-auth']),
      ],
      ROUNDS
    )
    const today = await startRedirectServer(['rsa', 'default'])
    const [uniqueWindowed, uniqueToday] = await sideBySide(
      () => redirectsPerSecond(windowed, windowed.uniqueLinks),
      () => redirectsPerSecond(today, today.uniqueLinks),
      ROUNDS
    ).finally(() => Promise.all([windowed.stop(), today.stop()]))

    const atSize = await heapGrowthFor(10_000)
    const atMillion = await heapGrowthFor(1_000_000)

    return [
      row(
        'redirect route, one key repeated within a window vs bare AdonisJS session-checked 302 (same request and Location)',
        { ours: repeated, baseline: sameShape, unit: 'req/s', goal: 0.9, higherIsBetter: true }
      ),
      row('the same vs bare AdonisJS session-checked 302 (no query, short Location)', {
        ours: repeated,
        baseline: bareAuth,
        unit: 'req/s',
        goal: null,
        higherIsBetter: true,
      }),
      row("redirect route with a window, 20,000 distinct keys vs today's route (RSA-2048)", {
        ours: uniqueWindowed,
        baseline: uniqueToday,
        unit: 'req/s',
        goal: 0.95,
        higherIsBetter: true,
      }),
      row('signature cache heap after 1,000,000 distinct keys vs after 10,000 (its size)', {
        ours: atMillion / 1024 / 1024,
        baseline: atSize / 1024 / 1024,
        unit: 'MiB',
        goal: 0.9,
        higherIsBetter: false,
      }),
    ]
  },
}

export default benchmark

await runStandalone(benchmark, import.meta.url)

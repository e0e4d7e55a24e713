import { generateKeyPairSync } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { CloudFrontSigner } from '../src/cloudfront/signer.ts'
import { parseCdnUrl } from '../src/cdn_url.ts'
import { LinkSigner } from '../src/links/signer.ts'
import { ProtectedLinks } from '../src/links/protected_links.ts'
import { SignedUrlCache } from '../src/signed_url_cache.ts'
import { redirectsPerSecond, startRedirectServer } from './redirect_server_process.ts'
import { interleaved, row, runStandalone, sideBySide, type Benchmark } from './report.ts'

// docs/benchmarks.md reports its rows.
const ROUNDS = 5

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
 * The heap a windowed disk's redirect side retains (its signature cache
 * and its memory of verified links, both at the default size of 10,000)
 * after it verified and signed `keys` distinct links: the heap with them,
 * less the heap once they are dropped. ECDSA, the fastest signer, so a
 * million take seconds, not minutes; keys of one length, so that every
 * entry weighs the same.
 */
async function retainedAfter(keys: number): Promise<number> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const signer = new LinkSigner({ secrets: ['Tq8wZ3xK6vB1nM9pL4rC7yH2jF5gD0sA'] })
  let cache: SignedUrlCache | undefined = new SignedUrlCache(10_000)
  let links: ProtectedLinks | undefined = new ProtectedLinks({
    disk: 'uploads',
    signer,
    cloudfront: new CloudFrontSigner({ keyPairId: 'KBENCHWINDOW1', privateKey }),
    cdn: parseCdnUrl('https://d111111abcdef8.cloudfront.net', 'cdnUrl'),
    redirects: { expiresIn: 1.5, window: 3600 },
    cache,
  })
  const open = (index: number) => {
    const key = `photos/${String(index).padStart(7, '0')}.jpg`
    const link = signer.linkFor('uploads', key, { userId: 1 })
    return { disk: 'uploads', key, query: link.slice(link.indexOf('?') + 1), userId: 1 }
  }
  for (let i = 0; i < keys; i += 1000) {
    const batch = []
    for (let j = i; j < Math.min(i + 1000, keys); j++) {
      batch.push(links.redirectUrl(links.verify(open(j)), 'uploads'))
    }
    await Promise.all(batch)
  }
  const withThem = heapAfterGc()
  if (cache.size > 10_000 || !links.verify(open(keys - 1)).ok) {
    throw new Error(`the cache holds ${cache.size} URLs`)
  }
  cache = undefined
  links = undefined
  return withThem - heapAfterGc()
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
    ).finally(() => today.stop())
    // The 20,000 keys left the disk's caches full, as on a busy app.
    const [repeatedFull, sameShapeFull] = await sideBySide(
      () => redirectsPerSecond(windowed, [windowed.link]),
      () => redirectsPerSecond(windowed, [windowed.sameShapePath]),
      ROUNDS
    ).finally(() => windowed.stop())

    const full = await retainedAfter(10_000)
    const evicting = await retainedAfter(100_000)
    const atMillion = await retainedAfter(1_000_000)

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
      row('the same once 20,000 distinct keys have filled its caches vs the same bare 302', {
        ours: repeatedFull,
        baseline: sameShapeFull,
        unit: 'req/s',
        goal: 0.9,
        higherIsBetter: true,
      }),
      row("redirect route with a window, 20,000 distinct keys vs today's route (RSA-2048)", {
        ours: uniqueWindowed,
        baseline: uniqueToday,
        unit: 'req/s',
        goal: 0.95,
        higherIsBetter: true,
      }),
      row(
        'heap a windowed disk retains (signed URLs, verified links) after 1,000,000 distinct keys vs after 100,000',
        {
          ours: atMillion / 1024 / 1024,
          baseline: evicting / 1024 / 1024,
          unit: 'MiB',
          goal: 0.9,
          higherIsBetter: false,
        }
      ),
      row('the same after 10,000 keys (just full, nothing evicted yet) vs after 100,000', {
        ours: full / 1024 / 1024,
        baseline: evicting / 1024 / 1024,
        unit: 'MiB',
        goal: null,
        higherIsBetter: false,
      }),
    ]
  },
}

export default benchmark

await runStandalone(benchmark, import.meta.url)

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { DjamazingDriver } from '../src/driver.ts'
import type { DjamazingOptions } from '../src/types.ts'
import { redirectsPerSecond, startRedirectServer } from './redirect_server_process.ts'
import { row, runStandalone, sideBySide, type Benchmark } from './report.ts'

// docs/benchmarks.md reports its rows.
const ROUNDS = 7

/**
 * Variants made per round on each side: every one a new variant, so the
 * disk side pays all it pays on a first view.
 */
const PER_ROUND = 12

const THUMB = { width: 320, height: 320, fit: 'cover' as const, format: 'webp' as const }

/**
 * The photos variants are made of: the two camera photos of the test
 * fixtures (733 KB and 329 KB), or every JPEG in the folder named by
 * `VARIANT_BENCH_PHOTOS` (to measure on photos of a few MB, which the
 * repository does not ship).
 */
async function benchPhotos(): Promise<Buffer[]> {
  const folder = process.env.VARIANT_BENCH_PHOTOS
  if (!folder) {
    return Promise.all(
      ['iphone_6_plus.jpg', 'lumia_820.jpg'].map((name) =>
        readFile(new URL(`../tests/fixtures/photos/${name}`, import.meta.url))
      )
    )
  }
  const entries = await readdir(folder)
  const names = entries.filter((name) => /\.jpe?g$/i.test(name)).sort()
  if (names.length === 0) throw new Error(`VARIANT_BENCH_PHOTOS: no JPEG in ${folder}`)
  return Promise.all(names.map((name) => readFile(join(folder, name))))
}

const benchmark: Benchmark = {
  name: 'image variants',
  async run() {
    const photos = await benchPhotos()

    // Making variants: through a disk (read the original from the store,
    // check it, make the variant, store it) against sharp alone on the
    // same bytes in memory with the same transform, one after another.
    const root = await mkdtemp(join(tmpdir(), 'djamazing-bench-variants-'))
    const disk = new DjamazingDriver({
      store: 'local',
      localStore: { root },
      bucket: 'bench',
      mode: 'public',
      cdnUrl: 'http://127.0.0.1:3333/cdn',
      variants: { transforms: { thumb: THUMB } },
    } as DjamazingOptions)
    let made = 0
    const rounds = 2 * ROUNDS + 2
    for (let i = 0; i < rounds * PER_ROUND; i++) {
      await disk.put(`photos/${i}.jpg`, photos[i % photos.length])
    }
    const perSecond = async (work: (i: number) => Promise<unknown>) => {
      const start = performance.now()
      for (let i = 0; i < PER_ROUND; i++) await work(i)
      return (PER_ROUND * 1000) / (performance.now() - start)
    }
    let generation: [number, number]
    try {
      generation = await sideBySide(
        () => perSecond(() => disk.getVariantUrl(`photos/${made++}.jpg`, 'thumb')),
        () =>
          perSecond((i) =>
            sharp(photos[i % photos.length], { failOn: 'warning' })
              .autoOrient()
              .resize({ ...THUMB, withoutEnlargement: true })
              .webp()
              .toBuffer()
          ),
        ROUNDS
      )
    } finally {
      await rm(root, { recursive: true, force: true })
    }

    // A stored variant's link against its original's, on one server.
    const server = await startRedirectServer(['ec', 'variants'])
    const redirect = await sideBySide(
      () => redirectsPerSecond(server, [server.variantLink!]),
      () => redirectsPerSecond(server, [server.link]),
      ROUNDS
    ).finally(() => server.stop())

    return [
      row('variant of a camera photo made through the disk vs sharp alone', {
        ours: generation[0],
        baseline: generation[1],
        unit: 'variants/s',
        goal: 0.9,
        higherIsBetter: true,
      }),
      row("redirect route, a stored variant's link vs its original's", {
        ours: redirect[0],
        baseline: redirect[1],
        unit: 'req/s',
        goal: 0.95,
        higherIsBetter: true,
      }),
    ]
  },
}

export default benchmark

await runStandalone(benchmark, import.meta.url)

import { DjamazingDriver } from '../../src/driver.ts'
import { deterministicStream, rssGrowth, sha256Of } from './byte_stream.ts'

/**
 * A child process of its own for one `putStream` of SIZE bytes of unknown
 * length to KEY, so the RSS figure is this upload's alone: prints the
 * process's RSS before and at its peak, the seconds it took, and the
 * SHA-256 of the bytes generated and of the bytes read back. Settings come
 * from the environment (S3_CONFIG: the client settings, S3_BUCKET).
 * Used by the large multipart test and the driver benchmark.
 */
const size = Number(process.env.SIZE)
const key = process.env.KEY ?? 'rss/stream.bin'
const config = JSON.parse(process.env.S3_CONFIG!)
const driver = new DjamazingDriver({
  ...config,
  bucket: process.env.S3_BUCKET!,
  mode: 'public',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net',
})
// Load the SDK and open a connection first, so only the upload is measured.
await driver.put('warm-up.txt', 'x')

const source = deterministicStream(size)
const start = performance.now()
const { growth, peak } = await rssGrowth(() => driver.putStream(key, source.stream), 10)
const seconds = (performance.now() - start) / 1000
const head = await driver.getMetaData(key)
if (head.contentLength !== size) throw new Error(`stored ${head.contentLength} bytes, not ${size}`)
const readBack = process.env.READ_BACK ? await sha256Of(await driver.getStream(key)) : undefined
if (!process.env.KEEP) await driver.delete(key)
console.log(
  JSON.stringify({
    growth,
    peak,
    before: peak - growth,
    seconds,
    sent: source.digest(),
    stored: readBack?.hash,
  })
)
process.exit(0)

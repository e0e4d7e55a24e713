import { DjamazingDriver } from '../src/driver.ts'
import { deterministicStream, rssGrowth } from '../tests/helpers/byte_stream.ts'

/**
 * Child process of driver.bench.ts: uploads SIZE bytes of unknown length
 * with putStream and prints the process's RSS before and at its peak, so
 * the figure is this upload's alone. Settings come from the environment.
 */
const size = Number(process.env.SIZE)
const config = JSON.parse(process.env.S3_CONFIG!)
const driver = new DjamazingDriver({
  ...config,
  bucket: process.env.S3_BUCKET!,
  mode: 'public',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net',
})
// Load the SDK and open a connection first, so only the upload is measured.
await driver.put('warm-up.txt', 'x')

const start = performance.now()
const { growth, peak } = await rssGrowth(
  () => driver.putStream('rss/1gib.bin', deterministicStream(size).stream),
  10
)
const seconds = (performance.now() - start) / 1000
const head = await driver.getMetaData('rss/1gib.bin')
if (head.contentLength !== size) throw new Error(`stored ${head.contentLength} bytes, not ${size}`)
await driver.delete('rss/1gib.bin')
console.log(JSON.stringify({ growth, peak, before: peak - growth, seconds }))
process.exit(0)

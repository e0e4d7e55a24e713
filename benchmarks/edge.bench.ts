import { randomBytes } from 'node:crypto'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { cdnUrlFor, parseCdnUrl } from '../src/cdn_url.ts'
import { CloudFrontSigner, generateCloudFrontKeyPair } from '../src/cloudfront/main.ts'
import { startEdgeServer } from '../src/edge/main.ts'
import { startS3Server } from '../tests/helpers/s3_server.ts'
import { row, runStandalone, sideBySide, type Benchmark } from './report.ts'

/**
 * The local edge against reading the same objects from the same s3rver
 * with the AWS SDK directly: what the extra HTTP hop, the signature check
 * and the streaming cost (with its cache off, so every request reaches
 * s3rver). Then the edge with its cache, answering hits, against the same
 * edge without one. s3rver runs in its own process, as in the tests.
 * docs/benchmarks.md shows its command line and figures.
 */
const CONCURRENCY = 8

async function throughput(get: () => Promise<number>, requests: number): Promise<number> {
  const start = performance.now()
  let next = 0
  let bytes = 0
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) bytes += await get()
    })
  )
  const seconds = (performance.now() - start) / 1000
  return bytes === 0 ? 0 : requests / seconds
}

const benchmark: Benchmark = {
  name: 'local edge',
  async run() {
    const s3 = await startS3Server()
    const client = s3.client()
    const keys = await generateCloudFrontKeyPair('rsa')
    const keyPairId = 'KBENCHMARKEDGE'
    const signer = new CloudFrontSigner({ keyPairId, privateKey: keys.privateKey })
    const options = {
      client,
      bucket: s3.bucket,
      basePath: '/cdn',
      publicKeys: { [keyPairId]: keys.publicKey },
      behaviors: [{ pathPattern: 'public/*', signed: false }],
    }
    const edge = await startEdgeServer({ ...options, cache: false })
    const cachedEdge = await startEdgeServer(options)
    const cdn = parseCdnUrl(edge.url, 'edge')
    const cachedCdn = parseCdnUrl(cachedEdge.url, 'edge')
    const reader = s3.client()
    try {
      const sizes = { small: 1024, large: 1024 * 1024 }
      for (const [name, size] of Object.entries(sizes)) {
        const body = randomBytes(size)
        for (const prefix of ['public', 'private']) {
          await client.send(
            new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${name}.bin`, Body: body })
          )
        }
      }

      // URLs are signed once, up front: the rows measure the edge, not the client.
      const viaEdge = (key: string, signed: boolean, base = cdn) => {
        const unsigned = cdnUrlFor(base, key)
        const url = signed ? signer.signUrl(unsigned, { expiresIn: 3600 }) : unsigned
        return () => getFromEdge(url)
      }
      const getFromEdge = async (url: string) => {
        const response = await fetch(url)
        if (response.status !== 200) throw new Error(`edge answered ${response.status}`)
        const body = await response.arrayBuffer()
        return body.byteLength
      }
      const direct = (key: string) => async () => {
        const output = await reader.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
        const bytes = await output.Body!.transformToByteArray()
        return bytes.byteLength
      }

      const [signedSmall, directSmall] = await sideBySide(
        () => throughput(viaEdge('private/small.bin', true), 250),
        () => throughput(direct('private/small.bin'), 250)
      )
      const [signedSmallAgain, publicSmall] = await sideBySide(
        () => throughput(viaEdge('private/small.bin', true), 250),
        () => throughput(viaEdge('public/small.bin', false), 250)
      )
      const [signedLarge, directLarge] = await sideBySide(
        () => throughput(viaEdge('private/large.bin', true), 30),
        () => throughput(direct('private/large.bin'), 30)
      )
      // Filled once; then every request is a hit.
      for (const key of ['private/small.bin', 'private/large.bin']) {
        await viaEdge(key, true, cachedCdn)()
      }
      const [hitsSmall, uncachedSmall] = await sideBySide(
        () => throughput(viaEdge('private/small.bin', true, cachedCdn), 250),
        () => throughput(viaEdge('private/small.bin', true), 250)
      )
      const [hitsLarge, uncachedLarge] = await sideBySide(
        () => throughput(viaEdge('private/large.bin', true, cachedCdn), 30),
        () => throughput(viaEdge('private/large.bin', true), 30)
      )
      const mib = (perSecond: number) => perSecond * (sizes.large / (1024 * 1024))

      return [
        row('edge: signed 1 KiB GETs vs SDK GetObject from s3rver', {
          ours: signedSmall,
          baseline: directSmall,
          unit: 'req/s',
          goal: null,
          higherIsBetter: true,
        }),
        row('edge: signed (RSA SHA-1 verify) vs public 1 KiB GETs', {
          ours: signedSmallAgain,
          baseline: publicSmall,
          unit: 'req/s',
          goal: null,
          higherIsBetter: true,
        }),
        row('edge: signed 1 MiB GETs vs SDK GetObject from s3rver', {
          ours: mib(signedLarge),
          baseline: mib(directLarge),
          unit: 'MiB/s',
          goal: null,
          higherIsBetter: true,
        }),
        row('edge: signed 1 KiB GETs, cache hits vs no cache', {
          ours: hitsSmall,
          baseline: uncachedSmall,
          unit: 'req/s',
          goal: null,
          higherIsBetter: true,
        }),
        row('edge: signed 1 MiB GETs, cache hits vs no cache', {
          ours: mib(hitsLarge),
          baseline: mib(uncachedLarge),
          unit: 'MiB/s',
          goal: null,
          higherIsBetter: true,
        }),
      ]
    } finally {
      await edge.close()
      await cachedEdge.close()
      client.destroy()
      reader.destroy()
      await s3.stop()
    }
  },
}

export default benchmark
await runStandalone(benchmark, import.meta.url)

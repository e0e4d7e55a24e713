import { MessageVerifier } from '@boringnode/encryption/message_verifier'
import { S3Driver } from 'flydrive/drivers/s3'
import { LinkSigner } from '../src/links/signer.ts'
import { median, opsPerSecond, row, runStandalone, sideBySide, type Benchmark } from './report.ts'

/**
 * Protected links against what an app would otherwise use: flydrive's S3
 * driver `getSignedUrl` (a SigV4 presigned URL) to make a link, and
 * AdonisJS's message verifier (`encryption.getMessageVerifier()`, a
 * `MessageVerifier` of @boringnode/encryption) to sign and check one.
 */
const SECRET = 'Bn5Kw2Qz8Xv1Lt6Mp3Rc9Yh4Jf7Gd0sA'
const KEY = 'reports/q1 2026.pdf'

async function asyncOpsPerSecond(fn: () => Promise<unknown>, ms = 300): Promise<number> {
  let count = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 20; i++) await fn()
    count += 20
    elapsed = performance.now() - start
  }
  return (count * 1000) / elapsed
}

const benchmark: Benchmark = {
  name: 'protected links',
  async run() {
    const signer = new LinkSigner({ secrets: [SECRET] })
    // No request is made: presigning is local computation.
    const s3 = new S3Driver({
      bucket: 'uploads',
      visibility: 'private',
      supportsACL: false,
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) },
    })
    const verifier = new MessageVerifier([SECRET])

    const [ours, presign] = await sideBySide(
      () => opsPerSecond(() => signer.linkFor('uploads', KEY, { userId: 42 })),
      () => asyncOpsPerSecond(() => s3.getSignedUrl(KEY, { expiresIn: 3600 }))
    )

    const hundred = () => {
      const start = performance.now()
      for (let i = 0; i < 100; i++) signer.linkFor('uploads', KEY, { userId: i })
      return performance.now() - start
    }
    const hundredMs = median(Array.from({ length: 21 }, hundred))

    const [roundTrip, adonis] = await sideBySide(
      () =>
        opsPerSecond(() => {
          const link = signer.linkFor('uploads', KEY, { userId: 42 })
          const result = signer.verify({
            disk: 'uploads',
            key: KEY,
            query: link.slice(link.indexOf('?') + 1),
            userId: 42,
          })
          if (!result.ok) throw new Error('link did not verify')
        }),
      () =>
        opsPerSecond(() => {
          const token = verifier.sign({ disk: 'uploads', key: KEY, user: 42 }, '1h', 'djamazing')
          if (!verifier.unsign(token, 'djamazing')) throw new Error('token did not verify')
        })
    )

    return [
      row('link generation vs flydrive S3 getSignedUrl (SigV4)', {
        ours,
        baseline: presign,
        unit: 'ops/s',
        goal: 20,
        higherIsBetter: true,
      }),
      row('100 links, vs a 1 ms budget', {
        ours: hundredMs,
        baseline: 1,
        unit: 'ms',
        goal: 1,
        higherIsBetter: false,
      }),
      row('link sign+verify vs AdonisJS MessageVerifier sign+unsign', {
        ours: roundTrip,
        baseline: adonis,
        unit: 'ops/s',
        goal: 5,
        higherIsBetter: true,
      }),
    ]
  },
}

export default benchmark

await runStandalone(benchmark, import.meta.url)

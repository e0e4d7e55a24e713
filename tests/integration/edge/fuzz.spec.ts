import { test } from '@japa/runner'
import fc from 'fast-check'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { hostileUrlPiece } from '../../helpers/url_pieces.ts'
import { rawRequest, startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

/**
 * Random request targets against the local edge over real HTTP, with a
 * real s3rver behind it: whatever the path, the edge answers without a
 * 5xx, every request it makes goes to the configured S3 endpoint and
 * bucket, unsigned requests outside the public prefix never reach S3,
 * and a 200 only ever carries one of the stored objects. Seeded.
 */
const SEED = 20_261_125
const RUNS = 1_500

const OBJECTS: Record<string, string> = {
  'public/a.txt': 'public a',
  'public/@evil.com/x': 'public at-key',
  'public/deep/b c.txt': 'public b c',
  'private/secret.txt': 'private secret',
}

/**
 * Pieces of paths: the hostile ones, and the names this edge knows.
 */
const piece = hostileUrlPiece([
  'a.txt',
  'public',
  'private',
  'secret.txt',
  'Expires=1',
  'Key-Pair-Id=' + RSA_KEY.id,
])

const target = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/cdn/', '/cdn/public/', '/cdn/private/', '/cdn', '//', '/'),
        fc.array(piece, { maxLength: 8 })
      )
      .map(([base, pieces]) => `${base}${pieces.join('')}`),
  },
  // The stored objects, spelled as the edge expects: some 200s to check.
  fc.constantFrom(
    '/cdn/public/a.txt',
    '/cdn/public/%40evil.com/x',
    '/cdn/public/@evil.com/x',
    '/cdn/public/deep/b%20c.txt',
    '/cdn/private/secret.txt'
  )
)

test.group('Fuzz | local edge request targets', (group) => {
  let fixture: EdgeFixture
  let s3Port: number
  group.setup(async () => {
    fixture = await startEdgeFixture({
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      behaviors: [{ pathPattern: 'public/*', signed: false }],
      defaultBehavior: { signed: true },
    })
    s3Port = Number(new URL(fixture.s3.endpoint).port)
    for (const [key, body] of Object.entries(OBJECTS)) await fixture.put(key, body)
    return () => fixture.stop()
  })

  test(`${RUNS.toLocaleString('en-US')} random targets: no 5xx, S3 reached only in the bucket, only for the public prefix, only stored objects served`, async ({
    assert,
  }) => {
    const failures: string[] = []
    const statuses = new Map<number, number>()
    let originRequests = 0
    const bodies = new Set(Object.values(OBJECTS))

    await fc.assert(
      fc.asyncProperty(target, async (path) => {
        const before = fixture.originRequests.length
        const response = await rawRequest(fixture.edge.url, path)
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
        const sent = fixture.originRequests.slice(before)
        originRequests += sent.length

        if (response.status >= 500) failures.push(`${response.status} for ${path}`)
        if (response.status === 200 && !bodies.has(response.body.toString())) {
          failures.push(`unknown body for ${path}`)
        }
        for (const request of sent) {
          const key = decodeURIComponent(request.path.slice(fixture.s3.bucket.length + 2))
          if (
            request.hostname !== '127.0.0.1' ||
            request.port !== s3Port ||
            !request.path.startsWith(`/${fixture.s3.bucket}/`) ||
            !key.startsWith('public/') ||
            key.split('/').some((segment) => segment === '..' || segment === '.')
          ) {
            failures.push(
              `${path} reached S3 as ${request.hostname}:${request.port}${request.path}`
            )
          }
        }
        return true
      }),
      { seed: SEED, numRuns: RUNS }
    )

    assert.deepEqual(failures.slice(0, 10), [])
    // The property was exercised on both sides: refusals and objects served.
    assert.isAbove(statuses.get(200) ?? 0, 0)
    assert.isAbove(originRequests, 50)
    assert.isAbove([...statuses.keys()].filter((status) => status >= 400).length, 1)
    console.log(
      `  edge targets tried: ${RUNS} (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}), origin requests: ${originRequests}`
    )
  }).timeout(120_000)
})

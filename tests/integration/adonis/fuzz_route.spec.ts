import { test } from '@japa/runner'
import fc from 'fast-check'
import { rawRequest } from '../../helpers/edge.ts'
import { hostileUrlPiece } from '../../helpers/url_pieces.ts'
import { startAdonisAppWithAliceLink, type AdonisTestApp } from '../../helpers/adonis_app.ts'

/**
 * Random request targets against the redirect route and the local edge of
 * a real AdonisJS app (router, session, auth, the provider's routes), as
 * alice: nothing reaches a 5xx, and nothing but alice's own links, as
 * made, redirects. Seeded.
 */
const SEED = 20_261_125
const RUNS = 1_500

/**
 * Pieces of targets: the hostile ones, and the names this app knows; never
 * empty, so a piece spliced into a real link always changes it.
 */
const piece = hostileUrlPiece(
  [
    'e=1',
    's=AAAA',
    'e=99999999999',
    'ct=text%2Fhtml',
    'uploads',
    'other',
    'static',
    'alice',
    'a.txt',
  ],
  { nonEmpty: true }
)

test.group('Fuzz | AdonisJS redirect route and local edge', (group) => {
  let app: AdonisTestApp
  let alice: string
  let link: string

  group.setup(async () => {
    ;({ app, alice, link } = await startAdonisAppWithAliceLink('alice/a.txt'))
    return () => app.stop()
  })

  test(`${RUNS.toLocaleString('en-US')} random targets under /djamazing and /cdn, and mutations of a real link: never a 5xx, never a redirect`, async ({
    assert,
  }) => {
    const target = fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            '/djamazing/',
            '/djamazing/uploads/',
            '/djamazing/uploads/alice/',
            '/djamazing/other/',
            '/djamazing/static/',
            '/cdn/',
            '/cdn/uploads/'
          ),
          fc.array(piece, { maxLength: 10 })
        )
        .map(([base, pieces]) => `${base}${pieces.join('')}`),
      // A real link with pieces spliced in at a random place.
      fc.tuple(fc.nat(), fc.array(piece, { minLength: 1, maxLength: 3 })).map(([at, pieces]) => {
        const i = at % (link.length + 1)
        return `${link.slice(0, i)}${pieces.join('')}${link.slice(i)}`
      })
    )
    const statuses = new Map<number, number>()
    const failures: string[] = []

    await fc.assert(
      fc.asyncProperty(target, async (path) => {
        const response = await rawRequest(app.baseUrl, path, { headers: { cookie: alice } })
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
        if (response.status >= 500 || (response.status >= 300 && response.status < 400)) {
          failures.push(`${response.status} for ${path}`)
        }
        return true
      }),
      { seed: SEED, numRuns: RUNS }
    )

    assert.deepEqual(failures.slice(0, 10), [])
    assert.isAbove(statuses.size, 1)
    console.log(
      `  app targets tried: ${RUNS} (${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')})`
    )
  }).timeout(120_000)
})

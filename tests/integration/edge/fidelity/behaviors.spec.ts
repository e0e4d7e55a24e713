import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../../src/cdn_url.ts'
import { DjamazingDriver } from '../../../../index.ts'
import { createEdgeForDisks, createEdgeHandler } from '../../../../src/edge/main.ts'
import { startSigningEdgeFixture, type EdgeFixture } from '../../../helpers/edge.ts'

/*
 * Rows of the CloudFront fidelity table (docs/local-edge.md, "Row by row")
 * on cache behaviors' path patterns, against the edge. Source:
 * `distribution-web-values-specify.md`, "Path pattern".
 */

test.group('Fidelity | behaviors (row 21)', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({
      behaviors: [
        { pathPattern: 'static/private/*', signed: true },
        { pathPattern: '/static/*', signed: false },
        { pathPattern: '*.css', signed: false },
        { pathPattern: 'img-?.png', signed: false },
      ],
    }))
    const keys = ['static/a.txt', 'static/private/x.txt', 'Static/a.txt', 'site.css']
    for (const key of [...keys, 'img-1.png', 'img-12.png']) await fixture.put(key, key)
    return () => fixture.stop()
  })

  test('row 21: the first matching pattern wins, the default comes last; * spans /, ? is one character; case-sensitive; a leading / optional; the query is ignored', async ({
    assert,
  }) => {
    const statusOf = async (key: string, query = '') => {
      const response = await fetch(`${cdnUrlFor(cdn, key)}${query}`)
      await response.arrayBuffer()
      return response.status
    }
    assert.equal(await statusOf('static/a.txt'), 200, 'the leading / of "/static/*" is optional')
    assert.equal(await statusOf('static/a.txt', '?v=1'), 200, 'the query plays no part')
    assert.equal(await statusOf('static/private/x.txt'), 403, 'the first match wins')
    assert.equal(await statusOf('Static/a.txt'), 403, 'case-sensitive: the default is signed')
    assert.equal(await statusOf('site.css'), 200)
    assert.equal(await statusOf('img-1.png'), 200)
    assert.equal(await statusOf('img-12.png'), 403, '? is exactly one character')
  })
})

function catchError(run: () => unknown): { code?: string; message: string } | undefined {
  try {
    run()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  return undefined
}

test.group('Fidelity | path patterns CloudFront refuses (row 22)', () => {
  const base = {
    directory: '/nonexistent',
    bucket: 'b',
    publicUrl: 'http://127.0.0.1:1/cdn',
    defaultBehavior: { signed: false },
  }
  const create = (pathPattern: string) =>
    createEdgeHandler({ ...base, behaviors: [{ pathPattern, signed: false }] })

  test('row 22: a pattern over 255 characters, or with a character CloudFront does not take, is refused when the edge is created', ({
    assert,
  }) => {
    const longest = `${'a/'.repeat(127)}*`
    assert.lengthOf(longest, 255)
    assert.isFunction(create(longest))
    assert.isFunction(create(`/A-z_0.9/*$~"'@:+&?`))

    for (const pattern of [
      `${longest}x`,
      'a b/*',
      'caf\u00e9/*',
      'a%2Fb/*',
      'a#b',
      '(x)/*',
      '[x]/*',
      'a\\b',
      'a,b',
    ]) {
      const error = catchError(() => create(pattern))
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG', pattern)
      assert.match(error!.message, /"edge\.behaviors\[0\]\.pathPattern": CloudFront refuses/)
    }
  })

  test('row 22: a disk whose prefix CloudFront could not take as a path pattern is named by its prefix setting', ({
    assert,
  }) => {
    const disk = (name: string, prefix: string) =>
      new DjamazingDriver({
        disk: name,
        mode: 'public',
        prefix,
        bucket: 'media',
        region: 'us-east-1',
        cdnUrl: 'http://localhost:3333/cdn',
      })
    assert.lengthOf(createEdgeForDisks([disk('static', 'static/')]), 1)
    const error = catchError(() =>
      createEdgeForDisks([disk('static', 'static/'), disk('shared', 'my files/')])
    )
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.match(
      error!.message,
      /shared\.prefix.*CloudFront refuses the path pattern "my files\/\*"/
    )
  })
})

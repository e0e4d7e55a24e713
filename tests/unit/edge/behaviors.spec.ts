import { test } from '@japa/runner'
import { S3Client } from '@aws-sdk/client-s3'
import { compileBehaviors } from '../../../src/edge/behaviors.ts'
import { normalizePath } from '../../../src/edge/normalize_path.ts'
import { createEdgeHandler, honorsResponseOverrides } from '../../../src/edge/handler.ts'

test.group('Edge | behaviors', () => {
  test('first match wins, the default behavior covers the rest', ({ assert }) => {
    const behaviors = compileBehaviors([
      { pathPattern: 'static/private/*', signed: true },
      { pathPattern: '/static/*', signed: false },
      { pathPattern: '*.css', signed: false },
      { pathPattern: 'img-?.png', signed: false },
    ])
    assert.isTrue(behaviors.behaviorFor('static/private/a.txt').signed)
    assert.isFalse(behaviors.behaviorFor('static/a.txt').signed)
    assert.isFalse(behaviors.behaviorFor('static/deep/er/a.txt').signed)
    assert.isFalse(behaviors.behaviorFor('theme/site.css').signed)
    assert.isFalse(behaviors.behaviorFor('img-1.png').signed)
    assert.isTrue(behaviors.behaviorFor('img-12.png').signed)
    assert.isTrue(behaviors.behaviorFor('Static/a.txt').signed, 'case-sensitive')
    assert.isTrue(behaviors.behaviorFor('staticx/a.txt').signed)
    assert.isTrue(behaviors.behaviorFor('uploads/static/a.txt').signed, 'anchored at the start')
    assert.isTrue(behaviors.behaviorFor('site.css.txt').signed, 'anchored at the end')
    assert.isTrue(behaviors.anySigned)
  })

  test('regular expression characters in patterns are literal', ({ assert }) => {
    const behaviors = compileBehaviors([{ pathPattern: 'a.b/$x+/*', signed: false }])
    assert.isFalse(behaviors.behaviorFor('a.b/$x+/file').signed)
    assert.isTrue(behaviors.behaviorFor('aXb/$x+/file').signed)
    assert.isTrue(behaviors.behaviorFor('a.b/$xx/file').signed)
  })

  test('an all-public edge needs no verifier; a signed one does', ({ assert }) => {
    const client = new S3Client({ region: 'us-east-1' })
    const options = { client, bucket: 'b', publicUrl: 'http://127.0.0.1:1/cdn' }
    assert.isFunction(createEdgeHandler({ ...options, defaultBehavior: { signed: false } }))
    assert.throws(() => createEdgeHandler(options), /edge\.publicKeys/)
    assert.throws(
      () =>
        createEdgeHandler({
          ...options,
          defaultBehavior: { signed: false },
          behaviors: [{ pathPattern: 'private/*', signed: true }],
        }),
      /edge\.publicKeys/
    )
    assert.throws(
      () =>
        createEdgeHandler({
          ...options,
          defaultBehavior: { signed: false },
          behaviors: [{ pathPattern: '', signed: false }],
        }),
      /edge\.behaviors\[0\]\.pathPattern/
    )
    assert.throws(() => createEdgeHandler({ ...options, publicUrl: 'nope' }), /edge\.publicUrl/)
    assert.throws(() => createEdgeHandler({ ...options, bucket: '' }), /edge\.bucket/)
  })

  test('response overrides are honored only when the whole URL was signed', ({ assert }) => {
    assert.isTrue(honorsResponseOverrides({ ok: true, policy: 'canned' }))
    assert.isTrue(
      honorsResponseOverrides({
        ok: true,
        policy: 'custom',
        resource: 'https://cdn/a.pdf\\?response-content-type=application%2Fpdf',
      })
    )
    // An unescaped "?" is a one-character wildcard in a custom policy.
    assert.isFalse(
      honorsResponseOverrides({
        ok: true,
        policy: 'custom',
        resource: 'https://cdn/a.pdf?response-content-type=application%2Fpdf',
      })
    )
    assert.isFalse(
      honorsResponseOverrides({ ok: true, policy: 'custom', resource: 'https://cdn/*' })
    )
    assert.isFalse(
      honorsResponseOverrides({ ok: true, policy: 'custom', resource: 'https://cdn/a?.pdf' })
    )
    assert.isFalse(honorsResponseOverrides({ ok: true, policy: 'custom' }))
    assert.isFalse(honorsResponseOverrides({ ok: true }))
    assert.isFalse(honorsResponseOverrides({ ok: false, reason: 'x', message: 'y' }))
  })
})

test.group('Edge | paths normalised as CloudFront matches them (row 23)', () => {
  test('{0} -> {1}')
    .with([
      ['/static/a.jpg', '/static/a.jpg'],
      ['static/a.jpg', '/static/a.jpg'],
      // Unreserved characters are decoded, hex is upper-cased, the rest stays.
      ['/%73tatic/%7Ea%2db.jpg', '/static/~a-b.jpg'],
      ['/a%2fb', '/a%2Fb'],
      ['/a%20b%2A', '/a%20b%2A'],
      ['/a%zz', '/a%zz'],
      // Dot segments go, also spelled %2E; they never climb above the root.
      ['/a/./b', '/a/b'],
      ['/a/../b', '/b'],
      ['/a/%2E%2E/b', '/b'],
      ['/../../b', '/b'],
      ['/a/b/..', '/a/'],
      ['/a/.', '/a/'],
      ['/a/..%2Fb', '/a/..%2Fb'],
      // Empty segments stay, and ".." drops one of them.
      ['/a//b', '/a//b'],
      ['/a//../b', '/a/b'],
    ] as const)
    .run(({ assert }, [raw, normalised]) => {
      assert.equal(normalizePath(raw), normalised)
    })

  test('a signed pattern reachable through %2F is named, once, with the pattern that opens it', ({
    assert,
  }) => {
    const publicDefault = compileBehaviors(
      [
        { pathPattern: 'private/*', signed: true },
        { pathPattern: '*.pdf', signed: true },
      ],
      { signed: false }
    )
    assert.lengthOf(publicDefault.warnings, 1)
    assert.include(
      publicDefault.warnings[0],
      '"private/*" can be read unsigned through the public default behavior'
    )
    const nested = compileBehaviors([
      { pathPattern: '/static/private/*', signed: true },
      { pathPattern: 'static/*', signed: false },
    ])
    assert.lengthOf(nested.warnings, 1)
    assert.include(nested.warnings[0], 'through the public pattern "static/*"')
    // djamazing's own layout: signed default, public prefixes.
    const own = compileBehaviors([
      { pathPattern: 'static/*', signed: false },
      { pathPattern: 'uploads/*', signed: true },
    ])
    assert.deepEqual(own.warnings, [])
  })
})

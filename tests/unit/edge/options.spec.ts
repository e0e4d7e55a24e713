import { test } from '@japa/runner'
import { S3Client } from '@aws-sdk/client-s3'
import { createEdgeHandler } from '../../../src/edge/main.ts'
import { EC_KEY, RSA_1024_KEY, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

const client = new S3Client({ region: 'us-east-1' })
const base = { client, bucket: 'b', publicUrl: 'http://127.0.0.1:1/cdn' }

test.group('Edge | options checked at creation', () => {
  test('public keys by id build the verifier; keys CloudFront refuses fail at boot', ({
    assert,
  }) => {
    assert.isFunction(
      createEdgeHandler({
        ...base,
        publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem },
      })
    )
    assert.throws(
      () =>
        createEdgeHandler({ ...base, publicKeys: { [RSA_1024_KEY.id]: RSA_1024_KEY.publicPem } }),
      /edge\.publicKeys/
    )
    assert.throws(
      () => createEdgeHandler({ ...base, publicKeys: { 'not an id': RSA_KEY.publicPem } }),
      /edge\.publicKeys/
    )
    assert.throws(() => createEdgeHandler({ ...base, publicKeys: {} }), /edge\.publicKeys/)
  })

  test('publicKeys and verifier together are refused', ({ assert }) => {
    assert.throws(
      () =>
        createEdgeHandler({
          ...base,
          publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
          verifier: { verify: () => ({ ok: false, reason: 'x', message: 'x' }) },
        }),
      /edge\.verifier/
    )
  })

  test('the public URL is validated like a cdnUrl', ({ assert }) => {
    for (const publicUrl of ['', 'cdn', 'ftp://h/cdn', 'http://u:p@h/cdn', 'http://h/cdn?x=1']) {
      assert.throws(
        () => createEdgeHandler({ ...base, publicUrl, defaultBehavior: { signed: false } }),
        /edge\.publicUrl/,
        publicUrl
      )
    }
  })
})

test.group('Edge | allowed methods and CORS options checked at creation', () => {
  const publicEdge = (defaultBehavior: Record<string, unknown>) => () =>
    createEdgeHandler({ ...base, defaultBehavior: { signed: false, ...defaultBehavior } })

  test('the two method sets of a reading behavior are taken, anything else is refused', ({
    assert,
  }) => {
    assert.isFunction(publicEdge({ allowedMethods: ['GET', 'HEAD'] })())
    assert.isFunction(publicEdge({ allowedMethods: ['GET', 'HEAD', 'OPTIONS'] })())
    for (const allowedMethods of [
      ['GET'],
      ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
      'GET,HEAD',
      [],
    ]) {
      assert.throws(
        publicEdge({ allowedMethods }),
        /edge\.defaultBehavior\.allowedMethods.*\['GET', 'HEAD'\] or \['GET', 'HEAD', 'OPTIONS'\]/,
        String(allowedMethods)
      )
    }
    assert.throws(
      () =>
        createEdgeHandler({
          ...base,
          defaultBehavior: { signed: false },
          behaviors: [{ pathPattern: 'a/*', signed: false, allowedMethods: ['POST'] as any }],
        }),
      /edge\.behaviors\[0\]\.allowedMethods/
    )
  })

  test('a CORS policy is checked field by field, naming the setting', ({ assert }) => {
    const cors = {
      accessControlAllowOrigins: ['https://app.example.com'],
      accessControlAllowMethods: ['GET'],
      accessControlAllowCredentials: false,
    }
    assert.isFunction(publicEdge({ cors })())
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ accessControlAllowOrigins: [] }, /cors\.accessControlAllowOrigins.*at least one/],
      [{ accessControlAllowOrigins: ['app.example.com'] }, /cors\.accessControlAllowOrigins/],
      [{ accessControlAllowMethods: ['TRACE'] }, /cors\.accessControlAllowMethods/],
      [{ accessControlAllowCredentials: 'yes' }, /cors\.accessControlAllowCredentials/],
      [
        { accessControlAllowOrigins: ['*'], accessControlAllowCredentials: true },
        /"\*" cannot be used with accessControlAllowCredentials: true/,
      ],
      [{ accessControlAllowHeaders: ['bad header'] }, /cors\.accessControlAllowHeaders/],
      [{ accessControlExposeHeaders: ['a\nb'] }, /cors\.accessControlExposeHeaders/],
      [{ accessControlMaxAgeSec: -1 }, /cors\.accessControlMaxAgeSec/],
    ]
    for (const [change, message] of cases) {
      assert.throws(publicEdge({ cors: { ...cors, ...change } }), message, JSON.stringify(change))
    }
  })
})

test.group('Edge | origin timeout checked at creation', () => {
  test('a duration as flydrive reads them; nothing, zero or garbage is refused', ({ assert }) => {
    const edge = (originTimeout: unknown) => () =>
      createEdgeHandler({
        ...base,
        defaultBehavior: { signed: false },
        originTimeout: originTimeout as string,
      })
    assert.isFunction(edge('1.5s')())
    assert.isFunction(edge(10)())
    for (const value of [0, '0s', -1, 'soon', '1000', 40 * 86_400]) {
      assert.throws(edge(value), /edge\.originTimeout/, String(value))
    }
  })
})

import { S3Client } from '@aws-sdk/client-s3'
import { test } from '@japa/runner'
import { startEdgeServer, type EdgeRequestEvent } from '../../../src/edge/main.ts'
import { httpFaultServer, s3ErrorXml } from '../../helpers/fault_servers.ts'
import { parseErrorXml, rawRequest } from '../../helpers/edge.ts'

/**
 * The local edge in front of an S3 endpoint that answers oddly: a fake
 * server, for answers s3rver cannot be made to give on demand.
 */
test.group('Faults | the local edge in front of a misbehaving S3 (fake server)', () => {
  test(
    'origin answering {status} with {what}: the edge answers {expected} {code}, reported as {reason}'
  )
    .with([
      {
        status: 404,
        what: 'a plain-text body (as s3rver sends for keys ending in "/")',
        body: 'Not Found',
        expected: 404,
        code: 'NoSuchKey',
        reason: 'not-found',
      },
      {
        status: 404,
        what: 'an HTML body',
        body: '<html>Not Found</html>',
        expected: 404,
        code: 'NoSuchKey',
        reason: 'not-found',
      },
      {
        status: 404,
        what: "S3's XML",
        body: s3ErrorXml('NoSuchKey', 'The specified key does not exist.'),
        expected: 404,
        code: 'NoSuchKey',
        reason: 'not-found',
      },
      {
        status: 403,
        what: 'an empty body',
        body: '',
        expected: 403,
        code: 'AccessDenied',
        reason: 'origin-access-denied',
      },
      {
        status: 500,
        what: 'an HTML body',
        body: '<html>oops</html>',
        expected: 500,
        code: 'InternalError',
        reason: 'origin-error',
      },
      {
        status: 503,
        what: "S3's XML",
        body: s3ErrorXml('SlowDown', 'Please reduce your request rate.'),
        expected: 503,
        code: 'SlowDown',
        reason: 'origin-error',
      },
    ])
    .run(async ({ assert }, { status, body, expected, code, reason }) => {
      const origin = await httpFaultServer((_req, res) => {
        const type = body.startsWith('<?xml') ? 'application/xml' : 'text/plain; charset=utf-8'
        res.writeHead(status, { 'content-type': type })
        res.end(body)
      })
      const client = new S3Client({
        endpoint: origin.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      })
      const events: EdgeRequestEvent[] = []
      const errors: unknown[] = []
      const edge = await startEdgeServer({
        client,
        bucket: 'media',
        basePath: '/cdn',
        defaultBehavior: { signed: false },
        onRequest: (event) => events.push(event),
        onError: (error) => errors.push(error),
      })
      try {
        for (const method of ['GET', 'HEAD']) {
          const response = await rawRequest(edge.url, '/cdn/photos/a.jpg', { method })
          assert.equal(response.status, expected, method)
          assert.equal(response.headers['x-cache'], 'Error from cloudfront')
          if (method === 'GET') assert.equal(parseErrorXml(response.body.toString()).code, code)
        }
        // Row 39: CloudFront keeps a 404 or 5xx for the error caching
        // minimum TTL, so the HEAD gets the GET's answer without asking the
        // origin; a 403 without max-age is not kept.
        const cached = expected === 404 || expected >= 500
        assert.equal(origin.count, cached ? 1 : 2)
        assert.deepEqual(
          events.map((event) => [event.status, event.reason, event.clientAddress]),
          [
            [expected, reason, '127.0.0.1'],
            [expected, reason, '127.0.0.1'],
          ]
        )
        // onError hears of the failures that are the server's, not the
        // request's, once per failure of the origin.
        assert.lengthOf(errors, expected >= 500 ? 1 : 0)
      } finally {
        await edge.close()
        client.destroy()
        await origin.close()
      }
    })
})

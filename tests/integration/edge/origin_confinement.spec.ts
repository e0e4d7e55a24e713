import { test } from '@japa/runner'
import {
  parseErrorXml,
  rawRequest,
  startEdgeFixture,
  type EdgeFixture,
} from '../../helpers/edge.ts'

/**
 * Request targets that try to make the edge fetch from another host,
 * another bucket or outside the bucket. None may produce an origin request.
 */
const REFUSED_TARGETS = [
  'http://evil.com/x',
  'http://evil.com/cdn/x',
  'https://127.0.0.1/cdn/x',
  '/cdn//evil.com/x',
  '/cdn/%2Fevil.com/x',
  '/cdn/%2F..%2Fother-bucket/x',
  '/cdn/..%2Fother-bucket/x',
  '/cdn/%2E%2E/other-bucket/x',
  '/cdn/a/%2e%2e/%2e%2e/other-bucket/x',
  '/cdn/a/%2E/b',
  '/cdn/x%5C..%5Cy',
  '/cdn/nul%00byte',
  '/cdn/new%0Aline',
  '/cdn/bad%E0%A4%A',
  '/cdn/bad%ZZ',
  '/cdn/lone%ED%A0%80surrogate',
]

test.group('Edge | requests never leave the configured origin', (group) => {
  let fixture: EdgeFixture
  let s3Port: number
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    s3Port = Number(new URL(fixture.s3.endpoint).port)
    await fixture.put('@evil.com/x', 'at-key')
    await fixture.put('http:/evil.com/x', 'scheme-like key')
    await fixture.put('local.txt', 'local')
    return () => fixture.stop()
  })
  group.each.setup(() => {
    fixture.originRequests.length = 0
  })

  for (const target of REFUSED_TARGETS) {
    test(`refuses ${JSON.stringify(target)} with 400 and no origin request`, async ({ assert }) => {
      const response = await rawRequest(fixture.edge.url, target)
      assert.equal(response.status, 400)
      assert.equal(parseErrorXml(response.body.toString()).code, 'InvalidURI')
      assert.deepEqual(fixture.originRequests, [])
    })
  }

  test('a target outside the base path is 404 with no origin request', async ({ assert }) => {
    for (const target of ['//evil.com/x', '/other/x', '/cdnx/local.txt', '/']) {
      const response = await rawRequest(fixture.edge.url, target)
      assert.equal(response.status, 404, target)
    }
    assert.deepEqual(fixture.originRequests, [])
  })

  test('keys that look like hosts are keys of the configured bucket', async ({ assert }) => {
    const cases = [
      { target: '/cdn/%40evil.com/x', body: 'at-key' },
      { target: '/cdn/@evil.com/x', body: 'at-key' },
      { target: '/cdn/%40evil.com%2Fx', body: 'at-key' },
      { target: '/cdn/http:/evil.com/x', body: 'scheme-like key' },
    ]
    for (const { target, body } of cases) {
      const response = await rawRequest(fixture.edge.url, target)
      assert.equal(response.status, 200, target)
      assert.equal(response.body.toString(), body, target)
    }
    assert.lengthOf(fixture.originRequests, cases.length)
    for (const request of fixture.originRequests) {
      assert.equal(request.hostname, '127.0.0.1')
      assert.equal(request.port, s3Port)
      assert.isTrue(request.path.startsWith(`/${fixture.s3.bucket}/`), request.path)
    }
  })

  test('the Host header changes nothing: same origin, same object', async ({ assert }) => {
    const response = await rawRequest(fixture.edge.url, '/cdn/local.txt', {
      headers: { Host: 'evil.com' },
    })
    assert.equal(response.status, 200)
    assert.equal(response.body.toString(), 'local')
    assert.deepEqual(
      fixture.originRequests.map((request) => [request.hostname, request.port, request.path]),
      [['127.0.0.1', s3Port, `/${fixture.s3.bucket}/local.txt`]]
    )
  })
})

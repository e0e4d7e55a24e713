import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { request } from 'node:http'
import { test } from '@japa/runner'
import { withDeadline } from '../../helpers/deadline.ts'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

test.group('Edge | a client that goes away', (group) => {
  let fixture: EdgeFixture
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    await fixture.put('large.bin', randomBytes(48 * 1024 * 1024))
    return () => fixture.stop()
  })

  test('row 47: a viewer that goes away aborts the origin request, reported as aborted', async ({
    assert,
  }) => {
    fixture.originRequests.length = 0
    const { hostname, port } = new URL(fixture.edge.url)
    const req = request({ hostname, port, path: '/cdn/large.bin' })
    req.end()
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage]
    assert.equal(res.statusCode, 200)
    await once(res, 'data')
    req.destroy()

    await fixture.anEvent()
    const [event] = fixture.events.splice(0)
    assert.deepInclude(event, { method: 'GET', key: 'large.bin', status: 200, aborted: true })

    // The origin body is destroyed right after the close is reported.
    const [origin] = fixture.originRequests
    assert.equal(origin.method, 'GET')
    if (!origin.responseBody!.destroyed) {
      // 'close' alone: the body is destroyed with an error, which is expected.
      const closed = new Promise((resolve) => origin.responseBody!.once('close', resolve))
      await withDeadline(closed, 1000, 'origin body closed')
    }
    assert.isTrue(origin.responseBody!.destroyed)
    assert.isFalse(origin.responseBody!.readableEnded)
  })

  test('a complete response is reported once, not aborted', async ({ assert }) => {
    fixture.events.length = 0
    const response = await fetch(`${fixture.edge.url}/large.bin`, {
      headers: { Range: 'bytes=0-9' },
    })
    const body = await response.arrayBuffer()
    assert.equal(body.byteLength, 10)
    await fixture.anEvent()
    assert.deepEqual(fixture.events, [
      {
        method: 'GET',
        key: 'large.bin',
        status: 206,
        signed: false,
        aborted: false,
        clientAddress: '127.0.0.1',
      },
    ])
  })
})

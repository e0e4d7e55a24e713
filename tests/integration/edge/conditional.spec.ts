import { test } from '@japa/runner'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

test.group('Edge | conditional requests', (group) => {
  let fixture: EdgeFixture
  let url: string
  let etag: string
  let lastModified: string
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    await fixture.put('cached.txt', 'cached body', { CacheControl: 'max-age=300' })
    url = `${fixture.edge.url}/cached.txt`
    const response = await fetch(url, { method: 'HEAD' })
    etag = response.headers.get('etag')!
    lastModified = response.headers.get('last-modified')!
    return () => fixture.stop()
  })

  test('row 35: If-None-Match with the ETag is 304 with validators and no body', async ({
    assert,
  }) => {
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(url, { method, headers: { 'If-None-Match': etag } })
      assert.equal(response.status, 304, method)
      assert.equal(response.headers.get('etag'), etag)
      assert.equal(response.headers.get('last-modified'), lastModified)
      assert.equal(response.headers.get('cache-control'), 'max-age=300')
      const body = await response.arrayBuffer()
      assert.equal(body.byteLength, 0)
    }
  })

  test('If-None-Match matches in a list, weakly, and with *', async ({ assert }) => {
    for (const header of [`"nope", ${etag}`, `W/${etag}`, '*']) {
      const response = await fetch(url, { headers: { 'If-None-Match': header } })
      assert.equal(response.status, 304, header)
    }
  })

  test('If-None-Match with another ETag is 200 with the body', async ({ assert }) => {
    const response = await fetch(url, {
      headers: { 'If-None-Match': '"0123456789abcdef0123456789abcdef"' },
    })
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'cached body')
  })

  test('If-Modified-Since at or after Last-Modified is 304, before it 200', async ({ assert }) => {
    const same = await fetch(url, { headers: { 'If-Modified-Since': lastModified } })
    assert.equal(same.status, 304)
    const later = new Date(Date.parse(lastModified) + 60_000).toUTCString()
    const laterResponse = await fetch(url, { headers: { 'If-Modified-Since': later } })
    assert.equal(laterResponse.status, 304)
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString()
    const changed = await fetch(url, { headers: { 'If-Modified-Since': earlier } })
    assert.equal(changed.status, 200)
    assert.equal(await changed.text(), 'cached body')
  })

  test('If-None-Match wins over If-Modified-Since', async ({ assert }) => {
    const response = await fetch(url, {
      headers: { 'If-None-Match': '"other"', 'If-Modified-Since': lastModified },
    })
    assert.equal(response.status, 200)
  })

  test('an unparseable If-Modified-Since is ignored', async ({ assert }) => {
    const response = await fetch(url, { headers: { 'If-Modified-Since': 'yesterday-ish' } })
    assert.equal(response.status, 200)
  })

  test('row 35: If-Match with another ETag, or If-Unmodified-Since before the change, is 412', async ({
    assert,
  }) => {
    const other = await fetch(url, { headers: { 'If-Match': '"other"' } })
    assert.equal(other.status, 412)
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString()
    const old = await fetch(url, { headers: { 'If-Unmodified-Since': earlier } })
    assert.equal(old.status, 412)
    const same = await fetch(url, { headers: { 'If-Match': etag } })
    assert.equal(same.status, 200)
  })

  test('a 304 or 412 never reads the body from the origin: only a HEAD', async ({ assert }) => {
    fixture.originRequests.length = 0
    const notModified = await fetch(url, { headers: { 'If-None-Match': etag } })
    assert.equal(notModified.status, 304)
    const failed = await fetch(url, { headers: { 'If-Match': '"other"' } })
    assert.equal(failed.status, 412)
    await failed.arrayBuffer()
    assert.deepEqual(
      fixture.originRequests.map((request) => request.method),
      ['HEAD', 'HEAD']
    )
    fixture.originRequests.length = 0
    const modified = await fetch(url, { headers: { 'If-None-Match': '"other"' } })
    assert.equal(await modified.text(), 'cached body')
    assert.deepEqual(
      fixture.originRequests.map((request) => [request.method, request.headers['if-match']]),
      [
        ['HEAD', undefined],
        ['GET', etag],
      ]
    )
  })

  test('304 wins over a Range', async ({ assert }) => {
    const response = await fetch(url, { headers: { 'If-None-Match': etag, 'Range': 'bytes=0-1' } })
    assert.equal(response.status, 304)
  })
})

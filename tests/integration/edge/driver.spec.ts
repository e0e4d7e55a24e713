import { test } from '@japa/runner'
import { Disk } from 'flydrive'
import { DjamazingDriver } from '../../../src/driver.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

test.group('Edge | behind a public djamazing disk', (group) => {
  let fixture: EdgeFixture
  let disk: Disk
  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    const client = fixture.s3.client()
    disk = new Disk(
      new DjamazingDriver({
        client,
        bucket: fixture.s3.bucket,
        prefix: 'site/',
        mode: 'public',
        cdnUrl: fixture.edge.url,
      })
    )
    return async () => {
      client.destroy()
      await fixture.stop()
    }
  })

  test('getUrl of a stored file is served by the edge with its exact bytes', async ({ assert }) => {
    // flydrive's Disk only lets plain names through; the rest go to the driver directly.
    const keys = AWKWARD_KEYS.filter((entry) => entry.s3rver !== false).map((entry) => entry.key)
    for (const key of keys) {
      await disk.driver.put(key, `contents of ${key}`, {})
      const url = await disk.driver.getUrl(key)
      assert.isTrue(url.startsWith(`${fixture.edge.url}/site/`), url)
      const response = await fetch(url)
      assert.equal(response.status, 200, key)
      assert.equal(await response.text(), `contents of ${key}`, key)
    }
    await disk.put('through-disk.txt', 'via Disk')
    const response = await fetch(await disk.getUrl('through-disk.txt'))
    assert.equal(await response.text(), 'via Disk')
  })
})

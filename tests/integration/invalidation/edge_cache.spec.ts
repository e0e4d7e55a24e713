import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../index.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'
import type { InvalidationEvent } from '../../../src/invalidation/types.ts'
import { lateServer, recordingCloudFrontClient } from '../../helpers/cloudfront_api.ts'
import { manualClock } from '../../helpers/manual_clock.ts'

/*
 * What a viewer sees after an overwrite: the local edge caches as
 * CloudFront does (the disk's Cache-Control: five minutes), and a disk
 * with invalidation has its edge drop the old copy within the batch
 * window, while a disk without it keeps serving the old bytes until the
 * TTL. One clock for the disks' batching and the edge's cache.
 */

/**
 * A store folder, a server for the edge (its handler set once the disks
 * exist), a CloudFront client pointed at it, and one clock; cleaned up
 * after the test.
 */
async function edgeSetUp(cleanup: (handler: () => Promise<void>) => void) {
  const root = await mkdtemp(join(tmpdir(), 'djamazing-invalidation-'))
  const server = await lateServer()
  const cdnUrl = `${server.origin}/cdn`
  const { client, requests } = recordingCloudFrontClient(cdnUrl)
  cleanup(async () => {
    server.close()
    client.destroy()
    await rm(root, { recursive: true, force: true })
  })
  return { root, server, cdnUrl, client, requests, clock: manualClock() }
}

test.group('Invalidation | the local edge cache after an overwrite', () => {
  test('row 42: within the batch window the edge serves the new bytes; without invalidation, the old ones until the TTL', async ({
    assert,
    cleanup,
  }) => {
    const { root, server, cdnUrl, client, requests, clock } = await edgeSetUp(cleanup)
    const events: InvalidationEvent[] = []
    const shared = {
      mode: 'public',
      store: 'local',
      localStore: { root },
      bucket: 'site',
      cdnUrl,
      cacheControl: 'public, max-age=300',
    } as const
    const invalidating = new DjamazingDriver({
      ...shared,
      disk: 'static',
      prefix: 'static/',
      invalidation: {
        distributionId: 'EDFDVBD6EXAMPLE',
        client,
        clock,
        onEvent: (event) => events.push(event),
      },
    })
    const plain = new DjamazingDriver({ ...shared, disk: 'plain', prefix: 'plain/' })
    const [edge] = createEdgeForDisks([invalidating, plain], { now: () => new Date(clock.now()) })
    server.handle((req, res) => edge.serve(req, res))

    const view = async (disk: DjamazingDriver) => {
      const response = await fetch(
        `${server.origin}${new URL(await disk.getUrl('logo.txt')).pathname}`
      )
      return `${await response.text()} (${response.headers.get('x-cache')})`
    }

    for (const disk of [invalidating, plain]) {
      await disk.put('logo.txt', 'old logo')
      assert.equal(await view(disk), 'old logo (Miss from cloudfront)')
      assert.equal(await view(disk), 'old logo (Hit from cloudfront)')
      await disk.put('logo.txt', 'new logo')
      // As on CloudFront: the copy at the edge is served until something drops it.
      assert.equal(await view(disk), 'old logo (Hit from cloudfront)')
    }

    // The batch window (1 s) passes: the disk's CreateInvalidation reaches
    // the edge, which drops its copy.
    clock.advance(1000)
    await invalidating.resolvedDisk.invalidation!.invalidator.flush()
    assert.lengthOf(requests, 1)
    assert.deepInclude(events[0], { outcome: 'sent', paths: ['/cdn/static/logo.txt'] })
    assert.equal(await view(invalidating), 'new logo (Miss from cloudfront)')
    assert.equal(await view(plain), 'old logo (Hit from cloudfront)', 'no invalidation, no change')

    // Without invalidation, the new bytes come only once the TTL (300 s) ran out.
    clock.advance(298_000)
    assert.equal(await view(plain), 'old logo (Hit from cloudfront)')
    clock.advance(2000)
    assert.equal(await view(plain), 'new logo (Miss from cloudfront)')
  })

  test('row 42: a deleted file is gone from the edge within the batch window', async ({
    assert,
    cleanup,
  }) => {
    const { root, server, cdnUrl, client, clock } = await edgeSetUp(cleanup)
    const disk = new DjamazingDriver({
      disk: 'static',
      mode: 'public',
      store: 'local',
      localStore: { root },
      bucket: 'site',
      cdnUrl,
      cacheControl: 'public, max-age=86400',
      invalidation: { distributionId: 'EDFDVBD6EXAMPLE', client, clock },
    })
    const [edge] = createEdgeForDisks([disk], { now: () => new Date(clock.now()) })
    server.handle((req, res) => edge.serve(req, res))
    const url = `${server.origin}${new URL(await disk.getUrl('takedown.txt')).pathname}`
    const status = (response: Response) => response.status

    await disk.put('takedown.txt', 'to be taken down')
    assert.equal(await fetch(url).then(status), 200)
    await disk.delete('takedown.txt')
    assert.equal(await fetch(url).then(status), 200, 'still cached')
    clock.advance(1000)
    await disk.resolvedDisk.invalidation!.invalidator.flush()
    assert.equal(await fetch(url).then(status), 404)
  })
})

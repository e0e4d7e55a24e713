import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import type { DjamazingDriver } from '../../../src/driver.ts'
import { DjamazingDriver as Driver } from '../../../index.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'
import { startAdonisApp } from '../../helpers/adonis_app.ts'
import { lateServer } from '../../helpers/cloudfront_api.ts'
import { manualClock } from '../../helpers/manual_clock.ts'

/*
 * Invalidation in an AdonisJS app (docs/invalidation.md): a public disk on
 * the local store, served by the app's own edge, with no AWS credentials
 * and no endpoint set. Its CloudFront API calls reach that edge past the
 * router middleware (body parser, session), and its events reach the
 * app's emitter.
 */

test.group("AdonisJS | invalidation through the app's own edge", () => {
  test("row 42: an overwrite is invalidated at the app's edge and reported as djamazing:invalidation:sent", async ({
    assert,
    cleanup,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-adonis-invalidation-'))
    const clock = manualClock()
    const app = await startAdonisApp({
      localStore: { root },
      static: {
        cacheControl: 'public, max-age=300',
        invalidation: { distributionId: 'EDFDVBD6EXAMPLE', clock },
      },
    })
    cleanup(async () => {
      await app.stop()
      await rm(root, { recursive: true, force: true })
    })
    const emitter = await app.app.container.make('emitter')
    const sent: any[] = []
    emitter.on('djamazing:invalidation:sent', (event) => void sent.push(event))
    const failed: any[] = []
    emitter.on('djamazing:invalidation:failed', (event) => void failed.push(event))

    const disk = app.drive.use('static')
    const driver = disk.driver as DjamazingDriver
    await disk.put('logo.txt', 'old logo')
    const url = await disk.getUrl('logo.txt')
    const view = async () => {
      const response = await fetch(url)
      return `${await response.text()} (${response.headers.get('x-cache')})`
    }
    assert.equal(await view(), 'old logo (Miss from cloudfront)')
    await disk.put('logo.txt', 'new logo')
    assert.equal(await view(), 'old logo (Hit from cloudfront)')

    clock.advance(1000)
    await driver.resolvedDisk.invalidation!.invalidator.flush()
    assert.equal(await view(), 'new logo (Miss from cloudfront)')

    const deadline = Date.now() + 10_000
    while (sent.length + failed.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.deepEqual(failed, [])
    assert.lengthOf(sent, 1)
    assert.equal(sent[0].disk, 'static')
    assert.equal(sent[0].distributionId, 'EDFDVBD6EXAMPLE')
    assert.deepEqual(sent[0].paths, [`${new URL(url).pathname}`])
    assert.match(sent[0].invalidationId, /^I[A-Z0-9]{13}$/)
  })

  test('an app stopped within the batch window still sends the invalidation of its last write', async ({
    assert,
    cleanup,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-adonis-invalidation-'))
    // The distribution's API: another local edge, on its own port.
    const cloudfront = await lateServer()
    const edgeDisk = new Driver({
      disk: 'site',
      mode: 'public',
      store: 'local',
      localStore: { root },
      bucket: 'elsewhere',
      cdnUrl: `${cloudfront.origin}/cdn`,
      invalidation: { distributionId: 'EDFDVBD6EXAMPLE', client: { send: async () => ({}) } },
    })
    const [edge] = createEdgeForDisks([edgeDisk])
    const calls: string[] = []
    cloudfront.handle((req, res) => {
      calls.push(`${req.method} ${req.url}`)
      return edge.serve(req, res)
    })
    const app = await startAdonisApp({
      localStore: { root },
      static: {
        invalidation: {
          distributionId: 'EDFDVBD6EXAMPLE',
          endpoint: `${cloudfront.origin}/cdn`,
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
          // Far longer than the test: only the shutdown can send it.
          batchWindow: '1h',
        },
      },
    })
    cleanup(async () => {
      await app.stop()
      cloudfront.close()
      await rm(root, { recursive: true, force: true })
    })
    await app.drive.use('static').put('logo.txt', 'new logo')
    assert.deepEqual(calls, [])
    await app.stop()
    assert.deepEqual(calls, ['POST /cdn/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation'])
  })
})

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import {
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront'
import { DjamazingDriver } from '../../../index.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'
import type { InvalidationEvent } from '../../../src/invalidation/types.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { lateServer, recordingCloudFrontClient } from '../../helpers/cloudfront_api.ts'
import { manualClock } from '../../helpers/manual_clock.ts'

/*
 * A public disk with invalidation on, its CloudFront client (the real
 * SDK) pointed at the local edge that serves the disk: what the disk
 * sends, checked against the SDK's own serialized requests, and what the
 * edge answers.
 */

const DISTRIBUTION = 'EDFDVBD6EXAMPLE'

async function publicDiskOnEdge(
  options: { batchWindow?: string; wildcardAbove?: number } = {},
  disk: Pick<DjamazingOptions, 'variants'> = {}
) {
  const root = await mkdtemp(join(tmpdir(), 'djamazing-invalidation-'))
  const server = await lateServer()
  const clock = manualClock()
  const { client, requests } = recordingCloudFrontClient(`${server.origin}/cdn`)
  const events: InvalidationEvent[] = []
  const driver = new DjamazingDriver({
    ...disk,
    disk: 'static',
    mode: 'public',
    store: 'local',
    localStore: { root },
    bucket: 'site',
    prefix: 'static/',
    cdnUrl: `${server.origin}/cdn`,
    invalidation: {
      distributionId: DISTRIBUTION,
      client,
      clock,
      onEvent: (event) => events.push(event),
      ...options,
    },
  })
  const [edge] = createEdgeForDisks([driver])
  server.handle((req, res) => edge.serve(req, res))
  const invalidator = driver.resolvedDisk.invalidation!.invalidator
  return {
    disk: driver,
    client,
    requests,
    events,
    clock,
    invalidator,
    origin: server.origin,
    /**
     * What the edge sends for one changed path, once CloudFront-shaped.
     */
    async stop() {
      server.close()
      client.destroy()
      await rm(root, { recursive: true, force: true })
    },
  }
}

test.group('Invalidation | a public disk and the local edge, through the CloudFront SDK', () => {
  test('row 42: an overwrite is invalidated after the batch window, with the request the SDK serializes', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge()
    cleanup(() => fixture.stop())
    await fixture.disk.put('logo.txt', 'old')
    await fixture.disk.put('logo.txt', 'new')
    await fixture.disk.put('a b/ünï.txt', 'x')

    // Nothing is sent within the window: changes are still being collected.
    fixture.clock.advance(999)
    assert.lengthOf(fixture.requests, 0)
    fixture.clock.advance(1)
    await fixture.invalidator.flush()

    assert.lengthOf(fixture.requests, 1, 'one request for the whole batch')
    const [request] = fixture.requests
    assert.equal(request.method, 'POST')
    assert.equal(request.path, `/cdn/2020-05-31/distribution/${DISTRIBUTION}/invalidation`)
    assert.match(
      request.headers.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/cloudfront\/aws4_request/
    )
    assert.equal(request.headers['content-type'], 'application/xml')
    assert.match(
      request.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?><InvalidationBatch xmlns="http:\/\/cloudfront.amazonaws.com\/doc\/2020-05-31\/"><Paths><Quantity>2<\/Quantity><Items><Path>\/cdn\/static\/a%20b\/%C3%BCn%C3%AF.txt<\/Path><Path>\/cdn\/static\/logo.txt<\/Path><\/Items><\/Paths><CallerReference>djamazing-[0-9a-f-]{36}<\/CallerReference><\/InvalidationBatch>$/
    )

    // The edge took it, as CloudFront answers: the event names its id, and
    // GetInvalidation / ListInvalidations find it.
    const [sent] = fixture.events
    assert.equal(sent.outcome, 'sent')
    assert.deepEqual(sent.paths, ['/cdn/static/a%20b/%C3%BCn%C3%AF.txt', '/cdn/static/logo.txt'])
    assert.equal(sent.changes, 3)
    const id = (sent as { invalidationId: string }).invalidationId
    assert.match(id, /^I[A-Z0-9]{13}$/)
    const got = await fixture.client.send(
      new GetInvalidationCommand({ DistributionId: DISTRIBUTION, Id: id })
    )
    assert.equal(got.Invalidation?.Status, 'Completed')
    assert.deepEqual(got.Invalidation?.InvalidationBatch?.Paths?.Items, sent.paths)
    const listed = await fixture.client.send(
      new ListInvalidationsCommand({ DistributionId: DISTRIBUTION })
    )
    assert.deepEqual(
      listed.InvalidationList?.Items?.map((item) => item.Id),
      [id]
    )
    assert.equal(
      fixture.requests[1].path,
      `/cdn/2020-05-31/distribution/${DISTRIBUTION}/invalidation/${id}`
    )
    assert.equal(fixture.requests[2].method, 'GET')
    assert.equal(
      fixture.requests[2].path,
      `/cdn/2020-05-31/distribution/${DISTRIBUTION}/invalidation`
    )
  })

  test('delete, move, copy over and deleteAll each invalidate what they changed', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge()
    cleanup(() => fixture.stop())
    await fixture.disk.put('a.txt', 'a')
    await fixture.disk.put('b.txt', 'b')
    await fixture.disk.put('docs/c.txt', 'c')
    fixture.clock.advance(1000)
    await fixture.invalidator.flush()
    const before = fixture.events.length

    await fixture.disk.delete('a.txt')
    await fixture.disk.move('b.txt', 'moved.txt')
    await fixture.disk.copy('moved.txt', 'copy.txt')
    await fixture.disk.deleteAll('docs')
    fixture.clock.advance(1000)
    await fixture.invalidator.flush()

    const after = fixture.events.slice(before)
    assert.lengthOf(after, 1)
    assert.deepEqual(after[0].paths, [
      '/cdn/static/a.txt',
      '/cdn/static/b.txt',
      '/cdn/static/copy.txt',
      '/cdn/static/docs/*',
      '/cdn/static/moved.txt',
    ])
  })

  test("row 42: a changed original invalidates its declared variants; the variants' own writes add nothing", async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge(
      {},
      { variants: { transforms: { thumb: { width: 32 }, wide: { width: 640 } } } }
    )
    cleanup(() => fixture.stop())
    await fixture.disk.put('photos/cat.jpg', 'not yet an image')
    await fixture.disk.delete('photos/dog.jpg')
    await fixture.disk.deleteAll('albums/2025')
    fixture.clock.advance(1000)
    await fixture.invalidator.flush()
    const variants = fixture.disk.variants!
    assert.sameMembers(fixture.events[0].paths, [
      '/cdn/static/albums/2025/*',
      '/cdn/static/photos/cat.jpg',
      `/cdn/static/${variants.keyOf('photos/cat.jpg', 'thumb')}`,
      `/cdn/static/${variants.keyOf('photos/cat.jpg', 'wide')}`,
      '/cdn/static/photos/dog.jpg',
      `/cdn/static/${variants.keyOf('photos/dog.jpg', 'thumb')}`,
      `/cdn/static/${variants.keyOf('photos/dog.jpg', 'wide')}`,
      '/cdn/static/variants/albums/2025/*',
    ])
    assert.match(variants.keyOf('photos/cat.jpg', 'thumb'), /^variants\/photos\/cat.jpg\//)
  })

  test('row 42: a key whose URL spells characters otherwise than AWS asks gets both spellings', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge()
    cleanup(() => fixture.stop())
    await fixture.disk.put("it's~me@home.txt", 'x')
    fixture.clock.advance(1000)
    await fixture.invalidator.flush()
    const url = await fixture.disk.getUrl("it's~me@home.txt")
    assert.sameMembers(fixture.events[0].paths, [
      new URL(url).pathname,
      "/cdn/static/it's%7Eme@home.txt",
    ])
    assert.equal(new URL(url).pathname, '/cdn/static/it%27s~me%40home.txt')
    assert.equal(fixture.events[0].changes, 1)
  })

  test('row 42: 2,000 writes within a second make at most a few invalidation requests', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge()
    cleanup(() => fixture.stop())
    // 2,000 overwrites spread over one second of the disk's clock: 1,500
    // avatars in folders of their own (over the 1,000 paths of a request),
    // 500 photos of one gallery (over 20 files of one folder).
    for (let index = 0; index < 2000; index++) {
      const key = index % 4 ? `avatars/${index}/me.png` : `gallery/${index}.jpg`
      await fixture.disk.put(key, `bytes ${index}`)
      fixture.clock.advance(0.5)
    }
    await fixture.invalidator.flush()

    const sent = fixture.events.filter((event) => event.outcome === 'sent')
    assert.equal(fixture.events.length, sent.length, 'every request was taken')
    assert.isAtMost(sent.length, 3)
    assert.equal(
      sent.reduce((sum, event) => sum + event.changes, 0),
      2000,
      'every change went into a request'
    )
    for (const event of sent) {
      assert.sameMembers(event.paths, ['/cdn/static/avatars/*', '/cdn/static/gallery/*'])
    }
  })

  test('row 42: the edge answers CloudFront errors for calls CloudFront refuses', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge()
    cleanup(() => fixture.stop())
    const create = (DistributionId: string, Items: string[], Quantity = Items.length) =>
      fixture.client
        .send(
          new CreateInvalidationCommand({
            DistributionId,
            InvalidationBatch: {
              CallerReference: `ref-${Items.join()}`,
              Paths: { Quantity, Items },
            },
          })
        )
        .then(
          () => 'created',
          (error) => `${error.name} ${error.$metadata?.httpStatusCode}`
        )

    assert.equal(await create('EOTHERDIST', ['/cdn/static/a.txt']), 'NoSuchDistribution 404')
    assert.equal(await create(DISTRIBUTION, ['/cdn/static/a.txt'], 2), 'InconsistentQuantities 400')
    assert.equal(await create(DISTRIBUTION, ['cdn/static/a.txt']), 'InvalidArgument 400')
    assert.equal(await create(DISTRIBUTION, ['/cdn/*/a.txt']), 'InvalidArgument 400')
    const wildcards = Array.from({ length: 16 }, (_, index) => `/cdn/static/${index}/*`)
    assert.equal(await create(DISTRIBUTION, wildcards), 'BatchTooLarge 413')
    assert.equal(await create(DISTRIBUTION, ['/cdn/static/a.txt']), 'created')
    const missing = await fixture.client
      .send(new GetInvalidationCommand({ DistributionId: DISTRIBUTION, Id: 'INOSUCHONE1234' }))
      .catch((error) => error.name)
    assert.equal(missing, 'NoSuchInvalidation')

    // Input no SDK sends is CloudFront's MalformedInput, never a crash.
    const raw = (path: string, body?: string) =>
      fetch(`${fixture.origin}/cdn/2020-05-31/distribution/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=x/20261207/us-east-1/cloudfront/aws4_request',
        },
        body,
      }).then(
        async (response) => `${response.status} ${/<Code>(\w+)</.exec(await response.text())?.[1]}`
      )
    const beyondUnicode = `<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/&#99999999999;</Path></Items></Paths><CallerReference>x</CallerReference></InvalidationBatch>`
    assert.equal(await raw(`${DISTRIBUTION}/invalidation`, beyondUnicode), '400 MalformedInput')
    assert.equal(await raw('%E0%A4%A/invalidation'), '400 MalformedInput')
    assert.equal(await raw(`${DISTRIBUTION}/invalidation`, ''), '400 MissingBody')

    // A browser's GET of a file stored under the API's path is the edge's.
    await fixture.disk.put('2020-05-31/distribution/x/invalidation', 'a file')
    const file = await fetch(`${fixture.origin}/cdn/static/2020-05-31/distribution/x/invalidation`)
    assert.equal(file.status, 200)
    assert.equal(await file.text(), 'a file')
  })

  test('the same CallerReference gives the same invalidation, and ListInvalidations pages', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await publicDiskOnEdge()
    cleanup(() => fixture.stop())
    const batch = (reference: string, path: string) =>
      new CreateInvalidationCommand({
        DistributionId: DISTRIBUTION,
        InvalidationBatch: { CallerReference: reference, Paths: { Quantity: 1, Items: [path] } },
      })
    const first = await fixture.client.send(batch('one', '/cdn/static/a.txt'))
    assert.equal(first.Invalidation?.Status, 'InProgress')
    assert.match(
      first.Location ?? '',
      /\/cdn\/2020-05-31\/distribution\/EDFDVBD6EXAMPLE\/invalidation\/I/
    )
    const again = await fixture.client.send(batch('one', '/cdn/static/a.txt'))
    assert.equal(again.Invalidation?.Id, first.Invalidation?.Id)
    const conflict = await fixture.client
      .send(batch('one', '/cdn/static/b.txt'))
      .catch((error) => error.name)
    assert.equal(conflict, 'InvalidationBatchAlreadyExists')
    await fixture.client.send(batch('two', '/cdn/static/b.txt'))
    await fixture.client.send(batch('three', '/cdn/static/c.txt'))

    const page = await fixture.client.send(
      new ListInvalidationsCommand({ DistributionId: DISTRIBUTION, MaxItems: 2 })
    )
    assert.equal(page.InvalidationList?.IsTruncated, true)
    assert.lengthOf(page.InvalidationList?.Items ?? [], 2)
    const rest = await fixture.client.send(
      new ListInvalidationsCommand({
        DistributionId: DISTRIBUTION,
        MaxItems: 2,
        Marker: page.InvalidationList?.NextMarker,
      })
    )
    assert.equal(rest.InvalidationList?.IsTruncated, false)
    assert.deepEqual(
      rest.InvalidationList?.Items?.map((item) => item.Id),
      [first.Invalidation?.Id]
    )
  })
})

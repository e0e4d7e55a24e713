import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../index.ts'
import { errors } from '../../../index.ts'
import type { InvalidationEvent, InvalidationOptions } from '../../../src/invalidation/types.ts'
import { cloudFrontErrorXml, lateServer } from '../../helpers/cloudfront_api.ts'
import { withDeadline } from '../../helpers/deadline.ts'
import { manualClock } from '../../helpers/manual_clock.ts'

/*
 * CloudFront refusing: its limits (TooManyInvalidationsInProgress),
 * throttling and access denied come from a fake CloudFront API server, a
 * fault the local edge does not produce (it never runs out of
 * invalidations). The disk's own CloudFrontClient (the real SDK, made by
 * the disk) talks to it over HTTP.
 */

type Answer = { status: number; body: string }

const refusal = (status: number, code: string): Answer => ({
  status,
  body: cloudFrontErrorXml(code, `${code} (fault server)`),
})

const accepted: Answer = {
  status: 201,
  body: `<?xml version="1.0"?>\n<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>IFAULTSERVER01</Id><Status>InProgress</Status><CreateTime>2026-12-07T12:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>`,
}

async function diskAgainst(answers: Answer[], options: Partial<InvalidationOptions> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'djamazing-invalidation-'))
  const server = await lateServer()
  const received: { path: string; body: string }[] = []
  server.handle((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      received.push({ path: req.url ?? '', body })
      const answer = answers[Math.min(received.length - 1, answers.length - 1)]
      res.writeHead(answer.status, { 'Content-Type': 'text/xml' }).end(answer.body)
    })
  })
  const clock = manualClock()
  const events: InvalidationEvent[] = []
  const disk = new DjamazingDriver({
    disk: 'static',
    mode: 'public',
    store: 'local',
    localStore: { root },
    bucket: 'site',
    cdnUrl: 'https://cdn.example.com',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    invalidation: {
      distributionId: 'EDFDVBD6EXAMPLE',
      endpoint: server.origin,
      clock,
      onEvent: (event) => events.push(event),
      ...options,
    },
  })
  /**
   * Resolves once `count` events were reported (real time, with a deadline).
   */
  const eventCount = (count: number) =>
    withDeadline(
      (async () => {
        while (events.length < count) await new Promise((resolve) => setImmediate(resolve))
      })(),
      20_000,
      `${count} invalidation events`
    )
  /**
   * Resolves once the disk waits on a timer (a batch window or a backoff).
   */
  const timerSet = () =>
    withDeadline(
      (async () => {
        while (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve))
      })(),
      20_000,
      'a timer'
    )
  return {
    disk,
    clock,
    events,
    received,
    eventCount,
    timerSet,
    async stop() {
      server.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}

test.group('Invalidation | CloudFront refusing', () => {
  test('row 42: TooManyInvalidationsInProgress and throttling are retried with backoff and reported; the write never waits', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await diskAgainst([
      refusal(400, 'TooManyInvalidationsInProgress'),
      refusal(400, 'Throttling'),
      accepted,
    ])
    cleanup(() => fixture.stop())
    await fixture.disk.put('logo.png', 'new bytes')
    assert.lengthOf(fixture.received, 0, 'the write returned before any request')

    fixture.clock.advance(1000)
    await fixture.eventCount(1)
    assert.deepInclude(fixture.events[0], { outcome: 'retrying', attempt: 1, delay: 1000 })
    assert.equal(
      (fixture.events[0] as { error: Error }).error.name,
      'TooManyInvalidationsInProgress'
    )
    fixture.clock.advance(999)
    assert.lengthOf(fixture.received, 1, 'not before the backoff')
    fixture.clock.advance(1)
    await fixture.eventCount(2)
    assert.deepInclude(fixture.events[1], { outcome: 'retrying', attempt: 2, delay: 2000 })
    fixture.clock.advance(2000)
    await fixture.eventCount(3)
    assert.deepInclude(fixture.events[2], {
      outcome: 'sent',
      attempt: 3,
      invalidationId: 'IFAULTSERVER01',
    })
    assert.deepEqual(fixture.events[2].paths, ['/logo.png'])

    // The same CallerReference on every attempt: CloudFront answers a
    // repeat of a request it took with the same invalidation.
    const references = fixture.received.map(
      (request) => /<CallerReference>(.*)<\/CallerReference>/.exec(request.body)![1]
    )
    assert.lengthOf(new Set(references), 1)
    assert.equal(fixture.received[0].path, '/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation')
  })

  test('row 42: changes made while a request is retried go into the next request', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await diskAgainst([refusal(400, 'TooManyInvalidationsInProgress'), accepted])
    cleanup(() => fixture.stop())
    await fixture.disk.put('a.png', 'a')
    fixture.clock.advance(1000)
    await fixture.eventCount(1)
    await fixture.disk.put('b.png', 'b')
    await fixture.disk.put('c.png', 'c')
    fixture.clock.advance(1000)
    await fixture.eventCount(2)
    assert.deepInclude(fixture.events[1], { outcome: 'sent' })
    assert.deepEqual(fixture.events[1].paths, ['/a.png'])
    fixture.clock.advance(1000)
    await fixture.eventCount(3)
    assert.deepEqual(fixture.events[2].paths, ['/b.png', '/c.png'])
    assert.lengthOf(fixture.received, 3)
  })

  test('access denied is reported as failed at once, and the write succeeded', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await diskAgainst([refusal(403, 'AccessDenied')])
    cleanup(() => fixture.stop())
    await fixture.disk.put('logo.png', 'new')
    fixture.clock.advance(1000)
    await fixture.eventCount(1)
    assert.deepInclude(fixture.events[0], { outcome: 'failed', attempt: 1 })
    assert.equal((fixture.events[0] as { error: Error }).error.name, 'AccessDenied')
    assert.equal(await fixture.disk.get('logo.png'), 'new')
    assert.lengthOf(fixture.received, 1)
  })

  test('with awaitInvalidation the write waits, and fails with E_DJAMAZING_INVALIDATION_FAILED once retries run out', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await diskAgainst([refusal(400, 'TooManyInvalidationsInProgress')], {
      awaitInvalidation: true,
      retries: 2,
    })
    cleanup(() => fixture.stop())
    const write = fixture.disk.put('logo.png', 'new')
    const outcome = write.then(
      () => 'resolved',
      (error) => error
    )
    await fixture.timerSet()
    fixture.clock.advance(1000)
    await fixture.eventCount(1)
    await fixture.timerSet()
    fixture.clock.advance(1000)
    await fixture.eventCount(2)
    const error = await outcome
    assert.instanceOf(error, errors.E_DJAMAZING_INVALIDATION_FAILED)
    assert.include(error.message, '/logo.png')
    assert.include(error.message, 'after 2 attempts')
    assert.include(error.message, 'The file itself was written')
    assert.equal(error.cause.name, 'TooManyInvalidationsInProgress')
    assert.equal(await fixture.disk.get('logo.png'), 'new')
  })

  test('with awaitInvalidation the write resolves once CloudFront accepted', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await diskAgainst([accepted], { awaitInvalidation: true })
    cleanup(() => fixture.stop())
    let done = false
    const write = fixture.disk.put('logo.png', 'new').then(() => (done = true))
    await fixture.timerSet()
    assert.isFalse(done)
    fixture.clock.advance(1000)
    await withDeadline(write, 20_000, 'the write')
    assert.deepInclude(fixture.events[0], { outcome: 'sent' })
  })

  test('a listener that throws fails neither the write nor the invalidation', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await diskAgainst([accepted], {
      onEvent() {
        throw new Error('listener bug')
      },
    })
    cleanup(() => fixture.stop())
    await fixture.disk.put('logo.png', 'new')
    fixture.clock.advance(1000)
    await withDeadline(
      fixture.disk.resolvedDisk.invalidation!.invalidator.flush(),
      20_000,
      'the request'
    )
    assert.lengthOf(fixture.received, 1)
  })
})

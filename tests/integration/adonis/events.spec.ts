import { tracingChannel } from 'node:diagnostics_channel'
import { EventEmitter, once } from 'node:events'
import { test } from '@japa/runner'
import { LinkSigner } from '../../../src/links/main.ts'
import { APP_KEY, startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

/*
 * The events of docs/events.md, from a real AdonisJS app.
 */

const KEY = 'alice/report.pdf'
const EVENTS = [
  'djamazing:link:redirected',
  'djamazing:link:refused',
  'djamazing:edge:served',
  'djamazing:edge:refused',
] as const

type Recorded = { name: (typeof EVENTS)[number]; data: any }

/**
 * Every push to a list of recorded events is announced here.
 */
const pushed = new EventEmitter()

/**
 * Waits until `list` holds `count` events, for 10 s at most: the emitter
 * runs listeners after the response is sent, and the edge reports when
 * its socket closes. At the deadline it returns: the assertions that
 * follow say what is missing.
 */
async function waitFor(list: unknown[], count: number) {
  const signal = AbortSignal.timeout(10_000)
  while (list.length < count && !signal.aborted) {
    await once(pushed, 'push', { signal }).catch(() => {})
  }
}

function tally(events: Recorded[]) {
  const counts: Record<string, number> = {}
  for (const { name, data } of events) {
    const label = data.reason ? `${name} ${data.reason} ${data.status}` : name
    counts[label] = (counts[label] ?? 0) + 1
  }
  return counts
}

test.group('AdonisJS events | every decision of the redirect route and the local edge', (group) => {
  let app: AdonisTestApp
  const events: Recorded[] = []

  group.setup(async () => {
    app = await startAdonisApp()
    await app.drive.use('uploads').put(KEY, 'the report')
    const emitter = await app.app.container.make('emitter')
    for (const name of EVENTS)
      emitter.on(name, (data) => {
        events.push({ name, data })
        pushed.emit('push')
      })
    return () => app.stop()
  })
  group.each.setup(() => {
    events.length = 0
  })

  test('100 mixed requests: the recorded events count what happened, and hold no secret', async ({
    assert,
  }) => {
    const alice = await app.login('alice')
    const bob = await app.login('bob')
    const link = await app.urlFor(alice, KEY)
    // A genuine link of alice's, signed with the app key, expired an hour ago.
    const expired = new LinkSigner({ secrets: [APP_KEY], expiresIn: '1h' }).linkFor(
      'uploads',
      KEY,
      { userId: 1, realm: 'web', now: new Date(Date.now() - 2 * 3600_000) }
    )
    const mac = new URLSearchParams(link.split('?')[1]).get('s')!
    const tampered = [
      link.replace(`s=${mac}`, `s=${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`),
      link.replace('alice/report.pdf', 'alice/other.pdf'),
    ]
    const kinds = [
      { link, cookie: alice }, // the owner
      { link, cookie: bob }, // another user
      { link, cookie: '' }, // a guest
      { link: tampered[0], cookie: alice },
      { link: expired, cookie: alice },
    ]

    const locations: string[] = []
    for (let i = 0; i < 100; i++) {
      const kind = kinds[i % kinds.length]
      const target = i % 10 === 3 ? { ...kind, link: tampered[1] } : kind
      const response = await fetch(`${app.baseUrl}${target.link}`, {
        headers: target.cookie ? { cookie: target.cookie } : {},
        redirect: 'manual',
      })
      await response.arrayBuffer()
      if (response.status === 302) {
        const location = response.headers.get('location')!
        locations.push(location)
        const served = await fetch(location)
        assert.equal(await served.text(), 'the report')
      }
    }
    await waitFor(events, 120)

    assert.deepEqual(tally(events), {
      'djamazing:link:redirected': 20,
      'djamazing:edge:served': 20,
      'djamazing:link:refused bad-signature 403': 40,
      'djamazing:link:refused login-required 401': 20,
      'djamazing:link:refused expired 403': 20,
    })
    const redirected = events.find((event) => event.name === 'djamazing:link:redirected')!.data
    assert.deepEqual(redirected, {
      outcome: 'redirected',
      disk: 'uploads',
      key: KEY,
      userId: '1',
      realm: 'web',
      clientAddress: '127.0.0.1',
    })
    const served = events.find((event) => event.name === 'djamazing:edge:served')!.data
    assert.containsSubset(served, {
      disk: 'uploads',
      key: `uploads/${KEY}`,
      method: 'GET',
      status: 200,
      signed: true,
      aborted: false,
      clientAddress: '127.0.0.1',
    })
    for (const { name, data } of events.filter(
      (event) => event.name === 'djamazing:link:refused'
    )) {
      assert.deepEqual(
        Object.keys(data).sort(),
        ['clientAddress', 'disk', 'outcome', 'reason', 'status'],
        name
      )
    }

    // No signature, cookie value or secret anywhere in what was recorded.
    const recorded = JSON.stringify(events)
    const secrets = [
      APP_KEY,
      ...[link, expired, ...tampered].map((url) =>
        new URLSearchParams(url.split('?')[1]).get('s')!
      ),
      ...locations.map((url) => new URL(url).searchParams.get('Signature')!),
      // The session cookies (the empty remember-me cookie is no value).
      ...[alice, bob].flatMap((cookie) =>
        cookie
          .split('; ')
          .map((pair) => pair.split('=')[1])
          .filter((value) => value !== '')
      ),
      app.privateKey.split('\n').slice(1, -2).join('').slice(36), // past the PKCS#8 header
      'Signature',
      'Expires',
      '?',
    ]
    assert.lengthOf(locations, 20)
    for (const secret of secrets) {
      assert.isAbove(secret.length, 0)
      assert.notInclude(recorded, secret)
    }
  }).timeout(60_000)

  test('the local edge reports its refusals with the verifier’s reason and the disk', async ({
    assert,
  }) => {
    const unsigned = await fetch(`${app.baseUrl}/cdn/uploads/${KEY}`)
    assert.equal(unsigned.status, 403)
    const missing = await fetch(`${app.baseUrl}/cdn/static/missing.txt`)
    assert.equal(missing.status, 404)
    await waitFor(events, 2)

    assert.deepEqual(
      events.map(({ name, data }) => [name, data.disk, data.reason, data.status]),
      [
        ['djamazing:edge:refused', 'uploads', 'missing-key-pair-id', 403],
        ['djamazing:edge:refused', 'static', 'not-found', 404],
      ]
    )
  })

  test('the documented preload file logs one line per file opened, a warning per refusal', async ({
    assert,
  }) => {
    // The services bind to the app booted when they are first imported: this one.
    const { default: emitter } = await import('@adonisjs/core/services/emitter')
    const { default: logger } = await import('@adonisjs/core/services/logger')
    assert.strictEqual(emitter, await app.app.container.make('emitter'))
    const lines: [string, object, string][] = []
    const saved = { info: logger.info, warn: logger.warn }
    logger.info = ((fields: object, message: string) =>
      lines.push(['info', fields, message])) as any
    logger.warn = ((fields: object, message: string) =>
      lines.push(['warn', fields, message])) as any

    try {
      await import('../../fixtures/start/events.ts')
      const alice = await app.login('alice')
      const link = await app.urlFor(alice, KEY)
      await fetch(`${app.baseUrl}${link}`, { headers: { cookie: alice }, redirect: 'manual' })
      await fetch(`${app.baseUrl}${link}`, { redirect: 'manual' })
      await waitFor(events, 2)
    } finally {
      Object.assign(logger, saved)
    }
    assert.deepEqual(lines, [
      [
        'info',
        { disk: 'uploads', key: KEY, userId: '1', clientAddress: '127.0.0.1' },
        'file opened',
      ],
      [
        'warn',
        { disk: 'uploads', reason: 'login-required', status: 401, clientAddress: '127.0.0.1' },
        'link refused',
      ],
    ])
  })
})

test.group('AdonisJS events | emitted only when something listens', (group) => {
  let app: AdonisTestApp
  group.setup(async () => {
    app = await startAdonisApp()
    await app.drive.use('uploads').put(KEY, 'the report')
    return () => app.stop()
  })

  test('no listener, no dispatch (as http:request_completed); a listener added later hears the next redirect', async ({
    assert,
  }) => {
    // AdonisJS traces every dispatch on this channel; subscribing to it
    // adds no listener.
    const dispatched: string[] = []
    const channel = tracingChannel<string, { event: unknown }>('adonisjs.event.dispatch')
    const subscriber = {
      start: ({ event }: { event: unknown }) => void dispatched.push(String(event)),
    }
    channel.subscribe(subscriber as any)
    try {
      const alice = await app.login('alice')
      const link = await app.urlFor(alice, KEY)
      const open = async (cookie: string) => {
        const { status } = await fetch(`${app.baseUrl}${link}`, {
          headers: { cookie },
          redirect: 'manual',
        })
        return status
      }
      assert.equal(await open(alice), 302)
      assert.equal(await open(''), 401)
      assert.notInclude(dispatched.join(' '), 'djamazing:')
      // The session guard's own events went through the same channel.
      assert.include(dispatched, 'session_auth:authentication_succeeded')

      const heard: unknown[] = []
      const emitter = await app.app.container.make('emitter')
      emitter.on('djamazing:link:redirected', (data) => {
        heard.push(data)
        pushed.emit('push')
      })
      assert.equal(await open(alice), 302)
      await waitFor(heard, 1)
      assert.lengthOf(heard, 1)
      assert.include(dispatched, 'djamazing:link:redirected')
      assert.notInclude(dispatched, 'djamazing:link:refused')
      emitter.clearListeners('djamazing:link:redirected')
    } finally {
      channel.unsubscribe(subscriber as any)
    }
  })
})

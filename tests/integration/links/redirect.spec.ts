import { createServer, request, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import {
  createRedirectHandler,
  type RedirectHandlerOptions,
} from '../../../src/links/node_handler.ts'
import type { LinkEvent } from '../../../src/links/types.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { CDN_ORIGIN, cdnSigner, cdnVerifier, makeDisks, makeSigner } from '../../helpers/links.ts'
import { malformedLinks } from '../../helpers/malformed_links.ts'

/**
 * A plain node:http server with the redirect handler; the user comes from
 * an `x-user` header standing in for a session cookie.
 */
async function startServer(
  options: Partial<RedirectHandlerOptions> = {}
): Promise<{ server: Server; origin: string }> {
  const handler = createRedirectHandler({
    disks: makeDisks(),
    currentUser: (req: IncomingMessage) => {
      const user = req.headers['x-user']
      const revision = req.headers['x-revision']
      return typeof user === 'string' ? { id: user, revision: revision as string } : null
    },
    ...options,
  })
  const server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/**
 * Sends the request target exactly as given (no URL normalisation).
 */
function send(
  origin: string,
  target: string,
  options: { method?: string; user?: string } = {}
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path: target,
        method: options.method ?? 'GET',
        headers: options.user ? { 'x-user': options.user } : {},
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      }
    )
    req.on('error', reject)
    req.end()
  })
}

test.group('Redirect route over node:http', (group) => {
  let origin = ''
  group.setup(async () => {
    const started = await startServer()
    origin = started.origin
    return () => new Promise<void>((resolve) => started.server.close(() => resolve()))
  })

  test('alice gets a 302 to the CDN; bob 403; a guest 401; HEAD like GET', async ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'docs/a b.pdf', { userId: 'alice' })
    const ok = await send(origin, link, { user: 'alice' })
    assert.equal(ok.status, 302)
    assert.equal(new URL(ok.headers.location!).origin, CDN_ORIGIN)
    assert.equal(new URL(ok.headers.location!).pathname, '/media/docs/a%20b.pdf')
    assert.isTrue(cdnVerifier.verify({ url: ok.headers.location! }).ok)
    assert.equal(ok.body, '')

    const head = await send(origin, link, { user: 'alice', method: 'HEAD' })
    assert.equal(head.status, 302)
    assert.equal(head.headers.location?.split('?')[0], ok.headers.location?.split('?')[0])

    const bob = await send(origin, link, { user: 'bob' })
    assert.equal(bob.status, 403)
    assert.equal(bob.body, 'Forbidden')
    assert.isUndefined(bob.headers.location)

    const guest = await send(origin, link)
    assert.equal(guest.status, 401)
    assert.isUndefined(guest.headers['www-authenticate'])

    for (const response of [ok, head, bob, guest]) {
      assert.equal(response.headers['cache-control'], 'private, no-store')
      assert.equal(response.headers['referrer-policy'], 'no-referrer')
    }
  })

  test('every awkward key: the Location origin is the CDN origin', async ({ assert }) => {
    const signer = makeSigner()
    for (const { key } of AWKWARD_KEYS) {
      const response = await send(origin, signer.linkFor('uploads', key, { userId: 'alice' }), {
        user: 'alice',
      })
      assert.equal(response.status, 302, key)
      assert.equal(new URL(response.headers.location!).origin, CDN_ORIGIN, key)
      assert.isTrue(cdnVerifier.verify({ url: response.headers.location! }).ok, key)
    }
  })

  test('malformed links over HTTP: a 4xx with the headers, never a 5xx', async ({ assert }) => {
    // Node's HTTP parser itself refuses request lines over 16 KiB (431) and
    // raw non-ASCII bytes (400) before any handler runs; the redirect core
    // gets those in the unit suite.
    const cases = malformedLinks().filter(
      ([, target]) => target.length < 8192 && /^[\x21-\x7e]+$/.test(target)
    )
    assert.isAtLeast(cases.length, 50)
    for (const [what, target] of cases) {
      const response = await send(origin, target, { user: 'alice' }).catch((e) => {
        throw new Error(`${what}: ${e.message}`)
      })
      assert.isAtLeast(response.status, 400, what)
      assert.isBelow(response.status, 500, what)
      assert.equal(response.headers['cache-control'], 'private, no-store', what)
      assert.equal(response.headers['referrer-policy'], 'no-referrer', what)
    }
  })

  test('paths outside the prefix are 404', async ({ assert }) => {
    const response = await send(origin, '/elsewhere')
    assert.equal(response.status, 404)
  })
})

test.group('Redirect route over node:http: events', (group) => {
  let origin = ''
  const events: LinkEvent[] = []
  const errors: unknown[] = []
  group.setup(async () => {
    const started = await startServer({
      onRequest: (event) => {
        events.push(event)
        if (event.outcome === 'refused' && event.reason === 'unknown-disk') {
          throw new Error('the audit log is down')
        }
      },
      onError: (error) => errors.push(error),
    })
    origin = started.origin
    return () => new Promise<void>((resolve) => started.server.close(() => resolve()))
  })
  group.each.setup(() => {
    events.length = 0
    errors.length = 0
  })

  test('onRequest reports every decision with the client address, never the link', async ({
    assert,
  }) => {
    const signer = makeSigner()
    const link = signer.linkFor('private', 'alice/a.txt', { userId: 'alice' })
    const answers = [
      await send(origin, link, { user: 'alice' }),
      await send(origin, link, { user: 'bob' }),
      await send(origin, link),
      await send(origin, link, { user: 'alice', method: 'DELETE' }),
      await send(origin, link.replace('?e=', '?x=1&e='), { user: 'alice' }),
      await send(origin, '/elsewhere'),
    ]
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [302, 403, 401, 405, 403, 404]
    )
    assert.deepEqual(events, [
      {
        outcome: 'redirected',
        disk: 'private',
        key: 'alice/a.txt',
        userId: 'alice',
        clientAddress: '127.0.0.1',
      },
      ...(
        [
          ['bad-signature', 403],
          ['login-required', 401],
          ['method-not-allowed', 405],
          ['malformed', 403],
        ] as const
      ).map(([reason, status]) => ({
        outcome: 'refused' as const,
        disk: 'private',
        reason,
        status,
        clientAddress: '127.0.0.1',
      })),
    ])
    assert.notInclude(JSON.stringify(events), new URLSearchParams(link.split('?')[1]).get('s')!)
    assert.isEmpty(errors)
  })

  test('a failing listener goes to onError and does not change the answer', async ({ assert }) => {
    const response = await send(origin, '/djamazing/nowhere/a.txt', { user: 'alice' })
    assert.equal(response.status, 404)
    assert.equal(response.body, 'Not Found')
    assert.deepEqual(events, [
      {
        outcome: 'refused',
        disk: 'nowhere',
        reason: 'unknown-disk',
        status: 404,
        clientAddress: '127.0.0.1',
      },
    ])
    assert.deepEqual(
      errors.map((error) => (error as Error).message),
      ['the audit log is down']
    )
  })
})

test.group('Redirect route over node:http: the documented audit hooks', () => {
  test('onRequest collects the decisions, onError the failures', async ({ assert }) => {
    const auditLog: LinkEvent[] = []
    const captured: unknown[] = []
    const errorTracker = { capture: (error: unknown) => captured.push(error) }
    const userIdFromSession = (req: IncomingMessage) => (req.headers['x-user'] as string) ?? null
    // A disk whose CloudFront signer fails for one key (simulated fault).
    const uploadsDriver = makeDisks(makeSigner(), {
      signUrlAsync: (url, options) => {
        if (url.includes('broken.txt')) throw new Error('the CloudFront key is unusable')
        return cdnSigner.signUrlAsync(url, options)
      },
    })('uploads')!

    const redirect = createRedirectHandler({
      disks: { uploads: uploadsDriver },
      currentUser: (req) => userIdFromSession(req),
      onRequest: (event) => auditLog.push(event),
      onError: (error) => errorTracker.capture(error),
    })
    const server = createServer((req, res) => void redirect(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const signer = makeSigner()
      const link = signer.linkFor('uploads', 'a.txt', { userId: 'alice' })
      const broken = signer.linkFor('uploads', 'broken.txt', { userId: 'alice' })
      const answers = [
        await send(origin, link, { user: 'alice' }),
        await send(origin, link, { user: 'bob' }),
        await send(origin, broken, { user: 'alice' }),
      ]
      assert.deepEqual(
        answers.map((answer) => answer.status),
        [302, 403, 500]
      )
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    assert.deepEqual(
      auditLog.map((event) =>
        event.outcome === 'redirected' ? [event.disk, event.userId] : [event.disk, event.status]
      ),
      [
        ['uploads', 'alice'],
        ['uploads', 403],
      ]
    )
    assert.deepEqual(
      captured.map((error) => (error as Error).message),
      ['the CloudFront key is unusable']
    )
  })
})

test.group('Redirect route over node:http: server faults', () => {
  test('a failing CDN signer (simulated fault) is a bare 500, never a redirect, and goes to onError', async ({
    assert,
  }) => {
    const errors: unknown[] = []
    const handler = createRedirectHandler({
      disks: makeDisks(makeSigner(), {
        signUrlAsync: () => {
          throw new Error('private key unavailable')
        },
      }),
      currentUser: () => 'alice',
      onError: (error) => errors.push(error),
    })
    const server = createServer((req, res) => void handler(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 'alice' })
      const response = await send(origin, link)
      assert.equal(response.status, 500)
      assert.equal(response.body, 'Internal Server Error')
      assert.notInclude(response.body, 'private key')
      assert.isUndefined(response.headers.location)
      assert.equal(response.headers['cache-control'], 'private, no-store')
      assert.deepEqual(
        errors.map((error) => (error as Error).message),
        ['private key unavailable']
      )
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

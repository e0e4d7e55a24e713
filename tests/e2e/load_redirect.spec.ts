import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { CloudFrontVerifier } from '../../src/cloudfront/main.ts'
import { createRedirectHandler, LinkSigner } from '../../src/links/main.ts'
import { appSecrets } from '../../src/adonis/app_secrets.ts'
import { KEY_PAIR_ID, startAdonisApp, type AdonisTestApp } from '../helpers/adonis_app.ts'
import { RSA_KEY } from '../helpers/cloudfront_keys.ts'
import { CDN_ORIGIN, makeSigner, protectedLinks } from '../helpers/links.ts'
import { describeLoad, patientKeepAlive, runLoad, type LoadRequest } from '../helpers/load.ts'

/**
 * The redirect route under load: 10,000 requests, 100 at a time, over
 * real HTTP on loopback, with the real link signer and the real
 * CloudFront signer (RSA-2048, signing on the thread pool): on a real
 * AdonisJS app (session guard, the provider's route), and on the plain
 * node:http adapter. Valid links
 * must all get 302, invalid ones 403, and nothing else may happen.
 * Timings are printed, not asserted: the machine is shared.
 */
const AMOUNT = 10_000
const CONNECTIONS = 100

test.group('Load | redirect route of a real AdonisJS app', (group) => {
  let app: AdonisTestApp
  group.setup(async () => {
    app = await startAdonisApp({ keyType: 'rsa' })
    const server = await app.app.container.make('server')
    patientKeepAlive(server.getNodeServer()!)
    return () => app.stop()
  })

  test(`${AMOUNT.toLocaleString('en-US')} requests at concurrency ${CONNECTIONS}, valid links and invalid ones: only 302 and 403, no errors`, async ({
    assert,
  }) => {
    const alice = { cookie: await app.login('alice') }
    const bob = await app.login('bob')
    const links = new LinkSigner({ secrets: await appSecrets(app.app) })
    const valid = async (key: string): Promise<LoadRequest> => ({
      path: await app.urlFor(alice.cookie, key),
      headers: alice,
    })
    const tampered = await app.urlFor(alice.cookie, 'photos/a.jpg')
    // Keys within flydrive's Disk alphabet (drive.use() refuses others).
    // 6 valid, 4 invalid (a tampered MAC, bob's link, an expired one, a malformed query).
    const requests: LoadRequest[] = [
      await valid('photos/2026/summer 1.jpg'),
      { path: `${tampered.slice(0, -1)}${tampered.endsWith('A') ? 'B' : 'A'}`, headers: alice },
      await valid('reports/q1 2026.pdf'),
      { path: await app.urlFor(bob, 'bob.txt'), headers: alice },
      await valid('alice/notes.txt'),
      {
        path: links.linkFor('uploads', 'old.txt', {
          userId: 1,
          now: new Date(Date.now() - 7200_000),
        }),
        headers: alice,
      },
      await valid('a.txt'),
      { path: '/djamazing/uploads/a.txt?e=1&s=short', headers: alice },
      await valid('deep/er/and/deeper/file.bin'),
      await valid('bang!.txt'),
    ]
    // The app's CloudFront signer writes Locations on the app's own /cdn.
    const verifier = new CloudFrontVerifier({ publicKeys: { [KEY_PAIR_ID]: app.publicKey } })
    for (const request of requests) {
      const response = await fetch(`${app.baseUrl}${request.path}`, {
        headers: request.headers,
        redirect: 'manual',
      })
      await response.arrayBuffer()
      if (response.status === 302) {
        assert.isTrue(verifier.verify({ url: response.headers.get('location')! }).ok)
      }
    }

    const result = await runLoad({
      url: app.baseUrl,
      requests,
      amount: AMOUNT,
      connections: CONNECTIONS,
    })
    console.log(describeLoad('redirect route (AdonisJS, session guard, RSA-2048)', result))

    assert.equal(result.errors, 0)
    assert.equal(result.timeouts, 0)
    assert.isAtLeast(result.requests, AMOUNT)
    // Every request written got its response: no connection dropped mid-response.
    assert.equal(result.sent, result.requests)
    assert.deepEqual(Object.keys(result.statusCodes).sort(), ['302', '403'])
    assert.closeTo(result.statusCodes['302'] / result.requests, 0.6, 0.02)
  }).timeout(120_000)
})

test.group('Load | redirect route over node:http', (group) => {
  let server: ReturnType<typeof createServer>
  let url: string
  const served = new Map<number, number>()
  const locations: { location: string; at: Date }[] = []
  const signer = makeSigner()

  group.setup(async () => {
    const uploads = { protectedLinks: protectedLinks(signer) }
    // Who is logged in: a cookie naming the user, standing in for a session.
    const currentUser = (req: IncomingMessage) =>
      /(?:^|; )user=(\w+)/.exec(req.headers.cookie ?? '')?.[1] ?? null
    const handler = createRedirectHandler({ disks: { uploads }, currentUser })
    server = createServer((req, res) => {
      res.on('finish', () => served.set(res.statusCode, (served.get(res.statusCode) ?? 0) + 1))
      // The adapter writes its headers with writeHead: read Location there.
      const writeHead = res.writeHead.bind(res)
      res.writeHead = ((status: number, headers?: Record<string, string>) => {
        if (headers?.Location && locations.length < 200) {
          locations.push({ location: headers.Location, at: new Date() })
        }
        return writeHead(status, headers)
      }) as typeof res.writeHead
      handler(req, res)
    })
    patientKeepAlive(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })

  test(`${AMOUNT.toLocaleString('en-US')} requests at concurrency ${CONNECTIONS}, valid links and invalid ones: only 302 and 403, no errors`, async ({
    assert,
  }) => {
    const alice = { cookie: 'user=alice' }
    const valid = (key: string): LoadRequest => ({
      path: signer.linkFor('uploads', key, { userId: 'alice', expiresIn: '1h' }),
      headers: alice,
    })
    const tampered = (key: string): LoadRequest => {
      const link = signer.linkFor('uploads', key, { userId: 'alice', expiresIn: '1h' })
      const flipped = link.endsWith('A') ? 'B' : 'A'
      return { path: `${link.slice(0, -1)}${flipped}`, headers: alice }
    }
    // 6 valid, 4 invalid (a tampered MAC, bob's link, an expired one, a malformed query).
    const requests: LoadRequest[] = [
      valid('photos/2026/summer (1).jpg'),
      tampered('photos/a.jpg'),
      valid('reports/q1 2026.pdf'),
      { path: signer.linkFor('uploads', 'bob.txt', { userId: 'bob' }), headers: alice },
      valid('café/ファイル.txt'),
      {
        path: signer.linkFor('uploads', 'old.txt', {
          userId: 'alice',
          now: new Date(Date.now() - 7200_000),
        }),
        headers: alice,
      },
      valid('a.txt'),
      { path: '/djamazing/uploads/a.txt?e=1&s=short', headers: alice },
      valid('deep/er/and/deeper/file.bin'),
      valid('plus+sign.txt'),
    ]
    served.clear()
    const result = await runLoad({ url, requests, amount: AMOUNT, connections: CONNECTIONS })
    console.log(describeLoad('redirect route (node:http, RSA-2048)', result))

    assert.equal(result.errors, 0)
    assert.equal(result.timeouts, 0)
    assert.isAtLeast(result.requests, AMOUNT)
    // Every request written got its response: no connection dropped mid-response.
    assert.equal(result.sent, result.requests)
    assert.deepEqual(Object.keys(result.statusCodes).sort(), ['302', '403'])
    // Each connection cycles through the list: 6 in 10 are valid.
    const redirects = result.statusCodes['302']
    assert.closeTo(redirects / result.requests, 0.6, 0.02)
    assert.equal(served.get(302), redirects)
    assert.equal(served.get(403), result.statusCodes['403'])

    const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })
    assert.isAbove(locations.length, 100)
    // Each target verifies as CloudFront would, when it was sent (1.5 s URLs).
    for (const { location, at } of locations) {
      assert.equal(new URL(location).origin, CDN_ORIGIN)
      assert.isTrue(verifier.verify({ url: location, now: at }).ok, location)
    }
  }).timeout(120_000)
})

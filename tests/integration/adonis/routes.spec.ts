import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'
import { freePort } from '../../helpers/app_process.ts'

test.group('AdonisJS provider | the redirect routes', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('no redirect route is registered for the public disk, and no route name starts with drive.', async ({
    assert,
  }) => {
    const router = await app.app.container.make('router')
    const names = router.toJSON().root.map((route) => route.name)
    assert.includeMembers(names, ['djamazing.uploads.redirect', 'djamazing.other.redirect'])
    assert.notInclude(names, 'djamazing.static.redirect')
    assert.isFalse(names.some((name) => name?.startsWith('drive.')))
  })
})

test.group('AdonisJS provider | the local edge', () => {
  test('is mounted where cdnUrl points at the app, once for the disks sharing it', async ({
    assert,
  }) => {
    const app = await startAdonisApp()
    try {
      const router = await app.app.container.make('router')
      const edges = router.toJSON().root.filter((route) => route.name?.endsWith('.edge'))
      assert.deepEqual(
        edges.map((route) => route.pattern),
        ['/cdn/*']
      )
    } finally {
      await app.stop()
    }
  })

  test('is not mounted for a CDN elsewhere', async ({ assert }) => {
    const app = await startAdonisApp({ cdnUrl: 'https://d111111abcdef8.cloudfront.net' })
    try {
      const router = await app.app.container.make('router')
      const names = router.toJSON().root.map((route) => route.name)
      assert.isFalse(names.some((name) => name?.endsWith('.edge')))
      assert.include(names, 'djamazing.uploads.redirect')
    } finally {
      await app.stop()
    }
  })
})

// docs/local-edge.md, "On its own origin".
test.group('AdonisJS provider | the local edge on its own origin', () => {
  test('listens on the port of a cdnUrl that is not the app, with each disk’s CORS', async ({
    assert,
  }) => {
    const port = await freePort()
    const cdnUrl = `http://127.0.0.1:${port}/cdn`
    const cors = {
      accessControlAllowOrigins: ['http://app.example.test'],
      accessControlAllowMethods: ['GET' as const, 'HEAD' as const],
      accessControlAllowCredentials: true,
    }
    const app = await startAdonisApp({
      cdnUrl,
      uploads: { localEdge: { cors } },
      static: { localEdge: { cors: { ...cors, accessControlMaxAgeSec: 600 } } },
      other: { localEdge: true },
    })
    try {
      const router = await app.app.container.make('router')
      const names = router.toJSON().root.map((route) => route.name)
      assert.isFalse(
        names.some((name) => name?.endsWith('.edge')),
        'not mounted on the app'
      )
      assert.include(names, 'djamazing.uploads.redirect')

      await app.drive.use('uploads').put('a.txt', 'protected')
      await app.drive.use('static').put('logo.txt', 'public')
      const signed = await app.drive.use('uploads').getSignedUrl('a.txt')
      assert.isTrue(signed.startsWith(`${cdnUrl}/uploads/a.txt?`), signed)

      const fromApp = { origin: 'http://app.example.test' }
      const allowed = await fetch(signed, { headers: fromApp })
      assert.equal(allowed.status, 200)
      assert.equal(await allowed.text(), 'protected')
      assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.example.test')
      assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true')

      // Another origin: served (CORS is the browser's check), without the headers.
      const other = await fetch(signed, { headers: { origin: 'http://evil.example.test' } })
      assert.equal(other.status, 200)
      assert.isNull(other.headers.get('access-control-allow-origin'))

      // A preflight: on the public disk, answered from its CORS settings (a
      // preflight carries no cookies, so a signed behavior refuses it).
      const preflight = await fetch(`${cdnUrl}/static/logo.txt`, {
        method: 'OPTIONS',
        headers: { ...fromApp, 'access-control-request-method': 'GET' },
      })
      assert.equal(preflight.status, 200)
      assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, HEAD')
      assert.equal(preflight.headers.get('access-control-max-age'), '600')
      const publicFile = await fetch(`${cdnUrl}/static/logo.txt`, { headers: fromApp })
      assert.equal(await publicFile.text(), 'public')
      assert.equal(publicFile.headers.get('access-control-allow-origin'), 'http://app.example.test')
      // A disk without CORS settings sends none.
      await app.drive.use('other').put('b.txt', 'other')
      const plain = await fetch(await app.drive.use('other').getSignedUrl('b.txt'), {
        headers: fromApp,
      })
      assert.equal(await plain.text(), 'other')
      assert.isNull(plain.headers.get('access-control-allow-origin'))

      // Outside the edges' paths, and the app no longer answers /cdn.
      const elsewhere = await fetch(`http://127.0.0.1:${port}/elsewhere`)
      assert.equal(elsewhere.status, 404)
      const onApp = await fetch(`${app.baseUrl}/cdn/static/logo.txt`)
      assert.equal(onApp.status, 404)
    } finally {
      await app.stop()
    }
    // Stopping the app frees the port.
    await assert.rejects(() => fetch(`${cdnUrl}/static/logo.txt`))
  })

  test('settings alone do not serve a CDN URL that can be a distribution', async ({ assert }) => {
    const app = await startAdonisApp({
      cdnUrl: 'https://d111111abcdef8.cloudfront.net/media',
      uploads: {
        localEdge: {
          cors: {
            accessControlAllowOrigins: ['*'],
            accessControlAllowMethods: ['GET'],
            accessControlAllowCredentials: false,
          },
        },
      },
    })
    try {
      const router = await app.app.container.make('router')
      const names = router.toJSON().root.map((route) => route.name)
      assert.isFalse(names.some((name) => name?.endsWith('.edge')))
    } finally {
      await app.stop()
    }
  })

  test('localEdge: true with a cdnUrl elsewhere (a proxy, a tunnel) stays mounted on the app', async ({
    assert,
  }) => {
    // The proxy's port is taken, as it is when a proxy forwards to the app.
    const proxy = createServer()
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const { port } = proxy.address() as AddressInfo
    try {
      const app = await startAdonisApp({
        cdnUrl: `http://127.0.0.1:${port}/cdn`,
        static: { localEdge: true },
      })
      try {
        const router = await app.app.container.make('router')
        const names = router.toJSON().root.map((route) => route.name)
        assert.isTrue(
          names.some((name) => name?.endsWith('.edge')),
          'mounted on the app'
        )
        await app.drive.use('static').put('logo.txt', 'public')
        const onApp = await fetch(`${app.baseUrl}/cdn/static/logo.txt`)
        assert.equal(await onApp.text(), 'public')
      } finally {
        await app.stop()
      }
    } finally {
      await new Promise((resolve) => proxy.close(resolve))
    }
  })

  test('a port that is taken fails at boot, naming cdnUrl', async ({ assert }) => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as AddressInfo
    try {
      await assert.rejects(
        () =>
          startAdonisApp({
            cdnUrl: `http://127.0.0.1:${port}/cdn`,
            static: { localEdge: { cache: false } },
          }),
        new RegExp(
          `services.static.cdnUrl": the local edge of "http://127.0.0.1:${port}" cannot listen on 127.0.0.1:${port}`
        )
      )
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })
})

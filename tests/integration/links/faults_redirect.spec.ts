import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { DjamazingDriver } from '../../../src/driver.ts'
import { createRedirectHandler } from '../../../src/links/main.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { KEY_PAIR_ID, startAdonisApp } from '../../helpers/adonis_app.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { closedPort, hangingServer } from '../../helpers/fault_servers.ts'
import { SECRET } from '../../helpers/links.ts'

/**
 * The redirect route signs a CloudFront URL from configuration and the
 * verified link: it never talks to S3, so it keeps answering while S3 is
 * down or hanging.
 */
test.group('Faults | the redirect route while S3 is down', () => {
  test('AdonisJS app with its s3rver stopped: links still redirect to URLs that verify; the local edge then answers the 502 page of CloudFront, no crash', async ({
    assert,
  }) => {
    const app = await startAdonisApp({ keyType: 'rsa' })
    try {
      const cookie = await app.login('alice')
      const link = await app.urlFor(cookie, 'alice/photo.jpg')
      await app.s3.stop()

      const verifier = new CloudFrontVerifier({ publicKeys: { [KEY_PAIR_ID]: app.publicKey } })
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${app.baseUrl}${link}`, {
          headers: { cookie },
          redirect: 'manual',
        })
        await response.arrayBuffer()
        assert.equal(response.status, 302)
        const location = response.headers.get('location')!
        assert.isTrue(verifier.verify({ url: location, now: new Date() }).ok)
      }

      // Following it reaches the local edge, whose origin is down.
      const redirect = await fetch(`${app.baseUrl}${link}`, {
        headers: { cookie },
        redirect: 'manual',
      })
      // CloudFront's 502 page: it cannot connect to the origin.
      const edge = await fetch(redirect.headers.get('location')!)
      assert.equal(edge.status, 502)
      assert.equal(edge.headers.get('content-type'), 'text/html')
      const page = await edge.text()
      assert.include(page, '<H1>502 ERROR</H1>')
      assert.include(page, "CloudFront wasn't able to connect to the origin.")

      // The app is still up.
      const again = await fetch(`${app.baseUrl}${link}`, {
        headers: { cookie },
        redirect: 'manual',
      })
      await again.arrayBuffer()
      assert.equal(again.status, 302)
    } finally {
      await app.stop()
    }
  }).timeout(60_000)

  test(
    'node:http adapter over a driver whose S3 endpoint {what} (fake): 302 at once, and S3 never contacted'
  )
    .with([
      { what: 'refuses connections', hang: false },
      { what: 'accepts and never answers', hang: true },
    ])
    .run(async ({ assert }, { hang }) => {
      const hanging = hang ? await hangingServer() : undefined
      const endpoint = hanging ? hanging.endpoint : await closedPort()
      const driver = new DjamazingDriver({
        disk: 'uploads',
        bucket: 'uploads',
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        mode: 'protected',
        cdnUrl: 'https://d111111abcdef8.cloudfront.net',
        cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
        links: { secrets: [SECRET], currentUserId: () => 'alice' },
      } as DjamazingOptions)
      const link = await driver.getUrl('reports/q1.pdf')

      const handler = createRedirectHandler({
        disks: { uploads: driver },
        currentUser: () => 'alice',
      })
      const server = createServer((req, res) => handler(req, res))
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${link}`
        const started = performance.now()
        const response = await fetch(url, { redirect: 'manual' })
        await response.arrayBuffer()
        assert.equal(response.status, 302)
        assert.isTrue(
          response.headers.get('location')!.startsWith('https://d111111abcdef8.cloudfront.net/')
        )
        // Bounded, no hang: a generous ceiling for a busy machine.
        assert.isBelow(performance.now() - started, 30_000)
        if (hanging) assert.equal(hanging.count, 0)
      } finally {
        server.closeAllConnections()
        server.close()
        await hanging?.close()
      }
    })
})

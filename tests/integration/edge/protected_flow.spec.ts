import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { test } from '@japa/runner'
import { parseCdnUrl } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { createEdgeHandler } from '../../../src/edge/main.ts'
import { createRedirectHandler, LinkSigner } from '../../../src/links/main.ts'
import { ProtectedLinks } from '../../../src/links/protected_links.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

/**
 * The whole protected flow on one plain node:http server, no AWS account:
 * the app's redirect route at /djamazing checks the link against the user
 * logged in now and redirects to a short-lived CloudFront signed URL,
 * which the local edge at /cdn checks before streaming from s3rver.
 */
test.group('Edge | the protected flow end to end', (group) => {
  let fixture: EdgeFixture
  let server: Server
  let origin: string
  let clockOffset = 0
  const links = new LinkSigner({ secrets: ['Rk5tW1qZ8vN3xL6mJ9pB2cH7yD4gF0sE'] })
  const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })

  group.setup(async () => {
    fixture = await startEdgeFixture({ defaultBehavior: { signed: false } })
    await fixture.put('invoices/2026 #1.pdf', 'invoice bytes', { ContentType: 'application/pdf' })

    let edge: ReturnType<typeof createEdgeHandler> | undefined
    let redirect: ReturnType<typeof createRedirectHandler> | undefined
    server = createServer((req, res) => {
      if (req.url!.startsWith('/cdn/')) return edge!(req, res)
      return redirect!(req, res)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    edge = createEdgeHandler({
      client: fixture.client,
      bucket: fixture.s3.bucket,
      publicUrl: `${origin}/cdn`,
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      now: () => new Date(Date.now() + clockOffset),
    })
    redirect = createRedirectHandler({
      disks: {
        uploads: {
          protectedLinks: new ProtectedLinks({
            disk: 'uploads',
            signer: links,
            cloudfront: signer,
            cdn: parseCdnUrl(`${origin}/cdn`, 'cdnUrl'),
            redirects: { expiresIn: 1.5 },
          }),
        },
      },
      currentUser: (req) => req.headers['x-user'] as string | undefined,
    })
    return async () => {
      server.closeAllConnections()
      server.close()
      await fixture.stop()
    }
  })

  test('the owner follows the link to the file; anyone else, or later, is refused', async ({
    assert,
  }) => {
    const link = links.linkFor('uploads', 'invoices/2026 #1.pdf', {
      userId: 'alice',
      contentDisposition: 'attachment; filename="invoice.pdf"',
    })

    const redirect = await fetch(`${origin}${link}`, {
      headers: { 'x-user': 'alice' },
      redirect: 'manual',
    })
    assert.equal(redirect.status, 302)
    const location = redirect.headers.get('location')!
    assert.isTrue(location.startsWith(`${origin}/cdn/`), location)
    assert.include(location, 'Signature=')

    const file = await fetch(location)
    assert.equal(file.status, 200)
    assert.equal(file.headers.get('content-type'), 'application/pdf')
    assert.equal(file.headers.get('content-disposition'), 'attachment; filename="invoice.pdf"')
    assert.equal(await file.text(), 'invoice bytes')

    const bob = await fetch(`${origin}${link}`, {
      headers: { 'x-user': 'bob' },
      redirect: 'manual',
    })
    assert.equal(bob.status, 403)

    // A few seconds later the CloudFront URL has expired at the edge.
    clockOffset = 5_000
    try {
      const late = await fetch(location)
      assert.equal(late.status, 403)
      assert.include(await late.text(), '<Code>AccessDenied</Code>')
    } finally {
      clockOffset = 0
    }
  })
})

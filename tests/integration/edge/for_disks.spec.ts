import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../index.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'

import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { SECRET } from '../../helpers/links.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

/*
 * The local edge of plain node:http apps, built from their disks: the
 * example of docs/local-edge.md, run as written.
 */

/**
 * The path and query of a URL: what a browser asks the edge's server for.
 */
const targetOf = (url: string) => url.slice(new URL(url).origin.length)

test.group('Edge | createEdgeForDisks in a node:http server', (group) => {
  let s3: S3Server
  group.setup(async () => {
    s3 = await startS3Server()
    return () => s3.stop()
  })

  test('serves the public disk unsigned and the protected one signed, from the disks alone', async ({
    assert,
    cleanup,
  }) => {
    // The edge checks signatures against the disks' CDN URL, never the
    // Host header: the server may listen anywhere.
    const shared = {
      ...s3.clientConfig,
      bucket: s3.bucket,
      cdnUrl: 'http://localhost:3333/cdn',
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
    } as const
    const links = { secrets: [SECRET], currentUserId: () => 1 }

    const uploads = new DjamazingDriver({
      ...shared,
      disk: 'uploads',
      mode: 'protected',
      prefix: 'uploads/',
      links,
    })
    const site = new DjamazingDriver({
      ...shared,
      disk: 'static',
      mode: 'public',
      prefix: 'static/',
    })

    // One edge per CDN URL, reading through the disks' own S3 client and keys.
    const edges = createEdgeForDisks([uploads, site])
    const server = createServer((req, res) => {
      const edge = edges.find((one) => req.url?.startsWith(`${one.path}/`))
      if (!edge) return res.writeHead(404).end()
      if (req.method === 'PUT' && edge.upload) return edge.upload(req, res)
      return edge.serve(req, res)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    cleanup(() => {
      server.closeAllConnections()
      server.close()
    })
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    assert.lengthOf(edges, 1)
    assert.equal(edges[0].path, '/cdn')
    assert.isUndefined(edges[0].upload, 'an S3 disk takes no uploads at the edge')

    await site.put('logo.txt', 'public logo')
    await uploads.put('report.txt', 'protected report')

    const logo = await fetch(`${origin}${targetOf(await site.getUrl('logo.txt'))}`)
    assert.equal(logo.status, 200)
    assert.equal(await logo.text(), 'public logo')

    const unsigned = await fetch(`${origin}/cdn/uploads/report.txt`)
    assert.equal(unsigned.status, 403)
    await unsigned.arrayBuffer()

    const signed = await fetch(`${origin}${targetOf(await uploads.getSignedUrl('report.txt'))}`)
    assert.equal(signed.status, 200)
    assert.equal(await signed.text(), 'protected report')

    const elsewhere = await fetch(`${origin}/other/report.txt`)
    assert.equal(elsewhere.status, 404)
  })

  test('refuses disks that share a CDN URL but not the bucket', async ({ assert }) => {
    const shared = { ...s3.clientConfig, cdnUrl: 'http://localhost:3333/cdn' }
    const one = new DjamazingDriver({ ...shared, bucket: 'one', mode: 'public' })
    const two = new DjamazingDriver({ ...shared, bucket: 'two', mode: 'public', disk: 'two' })
    assert.throws(
      () => createEdgeForDisks([one, two]),
      /services\.two\.cdnUrl.*share the CDN URL .* but not the bucket/
    )
  })

  test("takes the edge's originTimeout and onWarning: a public disk around a protected one is warned about", async ({
    assert,
  }) => {
    const shared = { ...s3.clientConfig, bucket: s3.bucket, cdnUrl: 'http://localhost:3333/cdn' }
    const site = new DjamazingDriver({ ...shared, disk: 'site', mode: 'public', prefix: 'site/' })
    const inner = new DjamazingDriver({
      ...shared,
      disk: 'inner',
      mode: 'protected',
      prefix: 'site/private/',
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
      links: { secrets: [SECRET], currentUserId: () => 1 },
    })
    const warnings: string[] = []
    createEdgeForDisks([site, inner], { onWarning: (message) => warnings.push(message) })
    assert.lengthOf(warnings, 1)
    assert.include(warnings[0], 'the signed pattern "site/private/*" can be read unsigned')
    assert.throws(() => createEdgeForDisks([site], { originTimeout: 0 }), /edge\.originTimeout/)
  })
})

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { test } from '@japa/runner'
import { createEdgeHandler, type EdgeHandler } from '../../../src/edge/main.ts'
import { withDeadline } from '../../helpers/deadline.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'

/**
 * A host server with its own routes that mounts the edge for `store`
 * (unsigned) under /media/, the way an application server would.
 */
async function hostServer(
  store: { client: S3Client; bucket: string },
  mount: (edge: EdgeHandler) => Parameters<typeof createServer>[1]
) {
  let edge: EdgeHandler | undefined
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') return res.end('ok')
    return mount(edge!)!(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  edge = createEdgeHandler({
    ...store,
    publicUrl: `${origin}/media`,
    defaultBehavior: { signed: false },
  })
  return {
    origin,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

test.group('Edge | mounted in another server', (group) => {
  let s3: S3Server
  let client: S3Client
  group.setup(async () => {
    s3 = await startS3Server()
    client = s3.client()
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'photos/a b.txt', Body: 'mounted' })
    )
    return async () => {
      client.destroy()
      await s3.stop()
    }
  })

  test('handler(req, res) serves req.url under the path of publicUrl', async ({ assert }) => {
    const host = await hostServer(
      { client, bucket: s3.bucket },
      (edge) => (req, res) => edge(req, res)
    )
    try {
      const response = await fetch(`${host.origin}/media/photos/a%20b.txt`)
      assert.equal(response.status, 200)
      assert.equal(await response.text(), 'mounted')
      const outside = await fetch(`${host.origin}/other/photos/a%20b.txt`)
      assert.equal(outside.status, 404)
      const health = await fetch(`${host.origin}/health`)
      assert.equal(await health.text(), 'ok')
    } finally {
      host.close()
    }
  })

  test('handler.serve(req, res, target) serves a target a router cut off', async ({ assert }) => {
    const host = await hostServer({ client, bucket: s3.bucket }, (edge) => (req, res) => {
      const prefix = '/media/'
      if (!req.url!.startsWith(prefix)) {
        res.statusCode = 404
        return res.end()
      }
      return edge.serve(req, res, req.url!.slice(prefix.length))
    })
    try {
      const response = await fetch(`${host.origin}/media/photos/a%20b.txt`, {
        headers: { Range: 'bytes=0-2' },
      })
      assert.equal(response.status, 206)
      assert.equal(await response.text(), 'mou')
    } finally {
      host.close()
    }
  })

  test('the returned promise settles once the response is complete', async ({ assert }) => {
    let settled!: (finished: boolean) => void
    const settledAfterFinish = new Promise<boolean>((resolve) => (settled = resolve))
    const host = await hostServer({ client, bucket: s3.bucket }, (edge) => (req, res) => {
      void edge(req, res).then(() => settled(res.writableFinished))
    })
    try {
      const response = await fetch(`${host.origin}/media/photos/a%20b.txt`)
      await response.text()
      assert.isTrue(await withDeadline(settledAfterFinish, 5000, 'the edge promise'))
    } finally {
      host.close()
    }
  })
})

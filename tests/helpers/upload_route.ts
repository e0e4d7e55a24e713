import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LocalStore } from '../../src/store/local_store.ts'
import { createUploadHandler } from '../../src/store/local_upload_handler.ts'

/**
 * The local store's upload route for one bucket on a real node:http
 * server under `/cdn/`, its clock read from `clock.now` (freeze it by
 * setting it). `base` is the CDN URL of the disks it serves.
 */
export async function startUploadRoute(options: {
  root: string
  bucket: string
  secret: string
  clock: { now: Date }
}) {
  const handler = createUploadHandler({
    store: new LocalStore({ root: options.root, bucket: options.bucket, createBucket: false }),
    uploadSecret: options.secret,
    now: () => options.clock.now,
  })
  const server = createServer((req, res) =>
    handler(req, res, (req.url ?? '').slice('/cdn/'.length))
  )
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cdn`,
    stop() {
      server.closeAllConnections()
      server.close()
    },
  }
}

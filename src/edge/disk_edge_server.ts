import { createServer, type Server } from 'node:http'
import type { DiskEdge } from './disks.ts'

export type DiskEdgeServer = {
  server: Server
  close(): Promise<void>
}

/**
 * Serves the edges of disks on their own origin (host and port), as the
 * CloudFront distribution is another origin than the app in production:
 * each request goes to the edge whose path it is under (a PUT to its
 * upload handler, on local store disks), anything else is 404.
 */
export async function listenForDiskEdges(
  edges: readonly DiskEdge[],
  listen: { host: string; port: number }
): Promise<DiskEdgeServer> {
  // The same limits as `startEdgeServer`: CloudFront's 413 past 20,480
  // bytes needs more than Node's 16 KiB of headers, and idle keep-alive
  // connections stay open longer than Node's 5 s.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const edge = edges.find((one) => req.url?.startsWith(`${one.path}/`))
    if (!edge) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
    if (req.method === 'PUT' && edge.upload) return void edge.upload(req, res)
    return void edge.serve(req, res)
  })
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

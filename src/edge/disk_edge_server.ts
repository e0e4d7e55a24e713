import type { DiskEdge } from './disks.ts'
import { listen } from './server.ts'

/**
 * Serves the edges of disks on their own origin (host and port), as the
 * CloudFront distribution is another origin than the app in production:
 * each request goes to the edge whose path it is under (a PUT to its
 * upload handler, on local store disks), anything else is 404.
 */
export function listenForDiskEdges(
  edges: readonly DiskEdge[],
  address: { host: string; port: number }
) {
  return listen(
    (req, res) => {
      const edge = edges.find((one) => req.url?.startsWith(`${one.path}/`))
      if (!edge) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
      if (req.method === 'PUT' && edge.upload) return void edge.upload(req, res)
      return void edge.serve(req, res)
    },
    address.port,
    address.host
  )
}

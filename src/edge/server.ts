import { once } from 'node:events'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createEdgeHandler, type EdgeHandler } from './handler.ts'
import { createInvalidationApi, isInvalidationApiCall } from './invalidation_api.ts'
import type { EdgeOptions } from './types.ts'

/**
 * Options of `startEdgeServer`: the edge's options, with `publicUrl`
 * optional (default: the server's own address plus `basePath`).
 */
export type EdgeServerOptions = Omit<EdgeOptions, 'publicUrl'> & {
  publicUrl?: string
  /**
   * Default `127.0.0.1`: the edge is for laptops, CI and demos.
   */
  host?: string
  /**
   * Default `0`: a free port.
   */
  port?: number
  /**
   * The path the edge serves under when `publicUrl` is not given, e.g.
   * `/cdn`. Default `/`.
   */
  basePath?: string
  /**
   * Answer the CloudFront API's invalidation calls for these distribution
   * ids (a `CloudFrontClient` with the edge's `url` as its `endpoint`).
   */
  distributionIds?: readonly string[]
}

export type EdgeServer = Pick<EdgeHandler, 'invalidate'> &
  Awaited<ReturnType<typeof listen>> & {
    /**
     * The edge's public URL: the `cdnUrl` to give the disks it serves.
     */
    url: string
  }

/**
 * A node:http server for an edge, listening, and its `close()` (which
 * also ends idle keep-alive connections).
 */
export async function listen(
  listener: RequestListener,
  port: number,
  host: string
): Promise<{ server: Server; close(): Promise<void> }> {
  // Node refuses headers over 16 KiB with a bare 431; CloudFront takes
  // requests up to 20,480 bytes and answers 413 past that. Read enough
  // to give CloudFront's answer.
  const server = createServer({ maxHeaderSize: 64 * 1024 }, listener)
  // Node closes idle keep-alive connections after 5 s. A client that is
  // slow to send its next request on a busy machine (load tests, CI) then
  // writes into a closing socket and sees ECONNRESET. Keep them longer, as
  // servers behind load balancers do; headers must still arrive in time.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  // Rejects with the server's error (a port in use) instead.
  await once(server.listen(port, host), 'listening')
  return {
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/**
 * Starts the edge on its own node:http server.
 */
export async function startEdgeServer(options: EdgeServerOptions): Promise<EdgeServer> {
  const {
    host = '127.0.0.1',
    port = 0,
    basePath = '/',
    publicUrl,
    distributionIds = [],
    ...edgeOptions
  } = options
  let handle: RequestListener | undefined
  const listening = await listen((req, res) => handle!(req, res), port, host)
  const address = listening.server.address() as AddressInfo
  const url =
    publicUrl ??
    `http://${host.includes(':') ? `[${host}]` : host}:${address.port}${basePath.startsWith('/') ? '' : '/'}${basePath}`
  let edge: EdgeHandler
  try {
    edge = createEdgeHandler({ ...edgeOptions, publicUrl: url })
  } catch (error) {
    listening.server.close()
    throw error
  }
  const apiBase = new URL(url).pathname.replace(/\/?$/, '/')
  const api = createInvalidationApi(distributionIds, apiBase, edge.invalidate)
  handle = (req, res) => {
    const target = (req.url ?? '').startsWith(apiBase) ? req.url!.slice(apiBase.length) : ''
    return api && isInvalidationApiCall(req, target) ? api.handle(req, res, target) : edge(req, res)
  }
  return { url, ...listening, invalidate: edge.invalidate }
}

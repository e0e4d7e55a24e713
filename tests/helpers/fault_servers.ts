import { once } from 'node:events'
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { DjamazingDriver } from '../../src/driver.ts'
import type { DjamazingOptions } from '../../src/types.ts'

/**
 * Fake S3 endpoints for faults a real S3 (or s3rver) cannot be made to
 * produce on demand: a refused connection, a server that never answers,
 * 5xx answers, a connection cut in the middle of a body. Loopback only.
 */
export type FaultServer = {
  endpoint: string
  /**
   * Connections accepted (net servers) or requests received (HTTP servers).
   */
  count: number
  close(): Promise<void>
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * An endpoint on a port nothing listens on: connections are refused.
 */
export async function closedPort(): Promise<string> {
  const server = createNetServer()
  const endpoint = await listen(server)
  await new Promise((resolve) => server.close(resolve))
  return endpoint
}

/**
 * Accepts connections, reads the request, and never answers.
 */
export async function hangingServer(): Promise<FaultServer> {
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    fault.count++
    sockets.add(socket)
    socket.on('error', () => {})
    socket.resume()
  })
  const fault: FaultServer = {
    endpoint: await listen(server),
    count: 0,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  return fault
}

/**
 * An HTTP server answering each request with `handler`, counting requests.
 */
export async function httpFaultServer(
  handler: (req: IncomingMessage, res: ServerResponse, count: number) => void
): Promise<FaultServer> {
  const server = createHttpServer((req, res) => {
    fault.count++
    req.resume()
    handler(req, res, fault.count)
  })
  const fault: FaultServer = {
    endpoint: await listen(server as unknown as Server),
    count: 0,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
  return fault
}

/**
 * S3's XML error body.
 */
export function s3ErrorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULT</RequestId></Error>`
}

/**
 * A public disk on `endpoint`, with the client settings of the test S3
 * server and `options` over them.
 */
export function faultDriver(endpoint: string, options: Partial<DjamazingOptions> = {}) {
  return new DjamazingDriver({
    bucket: 'djamazing-test',
    mode: 'public',
    cdnUrl: 'https://d111111abcdef8.cloudfront.net',
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...options,
  } as DjamazingOptions)
}

/**
 * The error a promise rejects with, or null.
 */
export function rejectionOf(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => null,
    (error) => error
  )
}

/**
 * A proxy in front of a real server (fake, for misconfigurations of the
 * servers in between): forwards every request to `upstream()` as sent, and
 * passes the answer back, unless `rewrite` replaces it or `dropHeaders`
 * takes headers out of it.
 */
export async function forwardingProxy(
  upstream: () => string,
  options: {
    rewrite?: (
      req: IncomingMessage,
      answer: IncomingMessage
    ) => { status: number; body: string } | undefined
    dropHeaders?: string[]
  }
): Promise<FaultServer> {
  return httpFaultServer((req, res) => {
    const target = new URL(req.url ?? '/', upstream())
    const forwarded = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        const replaced = options.rewrite?.(req, answer)
        if (replaced) {
          answer.resume()
          res.writeHead(replaced.status, { 'content-type': 'application/xml' })
          res.end(req.method === 'HEAD' ? undefined : replaced.body)
          return
        }
        const headers = { ...answer.headers }
        for (const name of options.dropHeaders ?? []) delete headers[name]
        res.writeHead(answer.statusCode ?? 502, headers)
        answer.pipe(res)
      }
    )
    forwarded.on('error', () => res.destroy())
    req.pipe(forwarded)
  })
}

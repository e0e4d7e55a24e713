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
 * One request a proxy passed on, with the status of its answer.
 */
export type ProxiedRequest = {
  method: string
  /**
   * The path, without the query.
   */
  path: string
  range: string | undefined
  ifRange: string | undefined
  status: number
  /**
   * The answer's `ETag`.
   */
  etag: string | undefined
  /**
   * When the answer's head came back (`Date.now()`).
   */
  at: number
}

/**
 * Where a proxy loses a connection in the middle of a body (fake, for a
 * network that drops a download): the first full answer (no `Range` asked)
 * to a request `when` selects gets `after` bytes of its body, then nothing
 * until `hold()` resolves (a test moves its clock there), then its
 * connection closes with `Content-Length` unmet, as a server or a network
 * closing it early would leave it.
 */
export type BodyCut = {
  when: (path: string) => boolean
  after: number
  hold: () => Promise<void> | void
}

/**
 * A proxy in front of a real server (fake, for misconfigurations of the
 * servers in between and for lost connections): forwards every request to
 * `upstream()` as sent, and passes the answer back, unless `rewrite`
 * replaces it, `dropHeaders` takes headers out of it, or `cut` loses its
 * connection mid-body. `requests` lists what it forwarded.
 */
export async function forwardingProxy(
  upstream: () => string,
  options: {
    rewrite?: (
      req: IncomingMessage,
      answer: IncomingMessage
    ) => { status: number; body: string } | undefined
    dropHeaders?: string[]
    cut?: BodyCut
  }
): Promise<FaultServer & { requests: ProxiedRequest[] }> {
  const requests: ProxiedRequest[] = []
  let cutDone = false
  const server = await httpFaultServer((req, res) => {
    const target = new URL(req.url ?? '/', upstream())
    const forwarded = httpRequest(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        const status = answer.statusCode ?? 502
        requests.push({
          method: req.method ?? '',
          path: target.pathname,
          range: req.headers.range,
          ifRange: req.headers['if-range'] as string | undefined,
          status,
          etag: answer.headers.etag,
          at: Date.now(),
        })
        const replaced = options.rewrite?.(req, answer)
        if (replaced) {
          answer.resume()
          res.writeHead(replaced.status, { 'content-type': 'application/xml' })
          res.end(req.method === 'HEAD' ? undefined : replaced.body)
          return
        }
        const headers = { ...answer.headers }
        for (const name of options.dropHeaders ?? []) delete headers[name]
        res.writeHead(status, headers)
        const cut = options.cut
        if (cut && !cutDone && status === 200 && !req.headers.range && cut.when(target.pathname)) {
          cutDone = true
          cutBody(answer, res, cut)
        } else {
          answer.pipe(res)
        }
      }
    )
    forwarded.on('error', () => res.destroy())
    req.pipe(forwarded)
  })
  return Object.assign(server, { requests })
}

/**
 * Passes `cut.after` bytes of `answer`, holds the connection until
 * `cut.hold()` resolved and the bytes were handed to the socket, then
 * closes it (a FIN, not a reset: the client has nothing more to send on
 * it, and the kernel sends what it holds before the FIN).
 */
function cutBody(answer: IncomingMessage, res: ServerResponse, cut: BodyCut) {
  let sent = 0
  answer.on('data', (chunk: Buffer) => {
    if (sent >= cut.after) return
    const part = chunk.subarray(0, cut.after - sent)
    sent += part.length
    if (sent < cut.after) {
      res.write(part)
      return
    }
    answer.destroy()
    const written = new Promise<void>((resolve) => res.write(part, () => resolve()))
    void Promise.all([written, cut.hold()]).then(() => res.socket?.destroy())
  })
}

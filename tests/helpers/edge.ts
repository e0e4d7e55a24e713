import { EventEmitter, once } from 'node:events'
import type { Readable } from 'node:stream'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3'
import { startEdgeServer, type EdgeServer, type EdgeServerOptions } from '../../src/edge/main.ts'
import type { EdgeRequestEvent } from '../../src/edge/types.ts'
import { parseCdnUrl, type CdnBase } from '../../src/cdn_url.ts'
import { NOW, RSA_KEY } from './cloudfront_keys.ts'
import { startS3Server, type S3Server } from './s3_server.ts'
import { withDeadline } from './deadline.ts'

/**
 * A request the edge sent to its S3 origin, recorded by a middleware on
 * the real S3 client just before it goes on the wire.
 */
export type OriginRequest = {
  method: string
  hostname: string
  port?: number
  path: string
  headers: Record<string, string>
  /**
   * The origin's response body stream, once the response arrived.
   */
  responseBody?: Readable
}

export type EdgeFixture = {
  s3: S3Server
  client: S3Client
  edge: EdgeServer
  /**
   * Every request the edge made to S3, in order.
   */
  originRequests: OriginRequest[]
  /**
   * Every `onRequest` event of the edge, in order.
   */
  events: EdgeRequestEvent[]
  /**
   * Resolves once `events` holds an event (at once if it does already);
   * rejects after `ms`.
   */
  anEvent(ms?: number): Promise<void>
  put(key: string, body: string | Uint8Array, extra?: Partial<PutObjectCommandInput>): Promise<void>
  stop(): Promise<void>
}

/**
 * A real s3rver (child process) behind a real edge server on 127.0.0.1.
 */
export async function startEdgeFixture(
  options: Partial<Omit<EdgeServerOptions, 'client' | 'bucket'>> = {}
): Promise<EdgeFixture> {
  const s3 = await startS3Server()
  const client = s3.client()
  const originRequests: OriginRequest[] = []
  const events: EdgeRequestEvent[] = []
  const eventBus = new EventEmitter()
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as OriginRequest
      const recorded: OriginRequest = {
        method: request.method,
        hostname: request.hostname,
        port: request.port,
        path: request.path,
        headers: { ...request.headers },
      }
      originRequests.push(recorded)
      const result = await next(args)
      recorded.responseBody = (result.response as { body?: Readable }).body
      return result
    },
    { step: 'finalizeRequest', name: 'recordOriginRequests' }
  )
  // Writes go through a separate client, so only the edge's reads are recorded.
  const writer = s3.client()
  const edge = await startEdgeServer({
    basePath: '/cdn',
    ...options,
    client,
    bucket: s3.bucket,
    onRequest: (event) => {
      events.push(event)
      eventBus.emit('event')
      options.onRequest?.(event)
    },
  })
  return {
    s3,
    client,
    edge,
    originRequests,
    events,
    async anEvent(ms = 10_000) {
      if (events.length === 0) await withDeadline(once(eventBus, 'event'), ms, 'edge event')
    },
    async put(key, body, extra = {}) {
      await writer.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ...extra }))
    },
    async stop() {
      await edge.close()
      client.destroy()
      writer.destroy()
      await s3.stop()
    },
  }
}

/**
 * An edge fixture that checks signatures of RSA_KEY (unless `options`
 * names other `publicKeys`) against a clock stopped at NOW, and the
 * `CdnBase` of its URL for `cdnUrlFor`.
 */
export async function startSigningEdgeFixture(
  options: Partial<Omit<EdgeServerOptions, 'client' | 'bucket'>> = {}
): Promise<{ fixture: EdgeFixture; cdn: CdnBase }> {
  const fixture = await startEdgeFixture({
    publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
    now: () => NOW,
    ...options,
  })
  return { fixture, cdn: parseCdnUrl(fixture.edge.url, 'edge') }
}

export type RawResponse = { status: number; headers: IncomingHttpHeaders; body: Buffer }

/**
 * Sends a request with the request target written exactly as given
 * (`http://evil.com/x`, `//evil.com/x`, ...), which fetch would normalise.
 */
export function rawRequest(
  serverUrl: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<RawResponse> {
  const { hostname, port } = new URL(serverUrl)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path: target, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })
        )
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * The `<Code>` and `<Message>` of an edge error body, after checking the
 * body has exactly CloudFront's shape.
 */
export function parseErrorXml(body: string): { code: string; message: string } {
  const match =
    /^<\?xml version="1\.0" encoding="UTF-8"\?><Error><Code>([^<]*)<\/Code><Message>([^<]*)<\/Message><\/Error>$/.exec(
      body
    )
  if (!match) throw new Error(`not a CloudFront-shaped error body: ${body}`)
  return { code: match[1], message: match[2] }
}

import { once } from 'node:events'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CloudFrontClient } from '@aws-sdk/client-cloudfront'

/**
 * A CloudFront API request exactly as the SDK put it on the wire,
 * recorded by a middleware at the end of the client's stack.
 */
export type SerializedRequest = {
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, string>
  body: string
}

/**
 * A real `CloudFrontClient` pointed at `endpoint`, recording what it sends.
 */
export function recordingCloudFrontClient(endpoint: string) {
  const client = new CloudFrontClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' },
    maxAttempts: 1,
  })
  const requests: SerializedRequest[] = []
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as {
        method: string
        path: string
        query: Record<string, unknown>
        headers: Record<string, string>
        body?: unknown
      }
      requests.push({
        method: request.method,
        path: request.path,
        query: { ...request.query },
        headers: { ...request.headers },
        body: typeof request.body === 'string' ? request.body : '',
      })
      return next(args)
    },
    { step: 'finalizeRequest', priority: 'low', name: 'recordSerializedRequest' }
  )
  return { client, requests }
}

/**
 * A node:http server on 127.0.0.1 whose handler is set later (the disks
 * that the handler serves need its URL first).
 */
export async function lateServer(): Promise<{
  server: Server
  origin: string
  handle(listener: RequestListener): void
  close(): void
}> {
  let listener: RequestListener = (_req, res) => res.writeHead(503).end()
  const server = createServer((req, res) => listener(req, res))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle(next) {
      listener = next
    },
    close() {
      server.closeAllConnections()
      server.close()
    },
  }
}

/**
 * CloudFront's error body for `code`.
 */
export function cloudFrontErrorXml(code: string, message: string): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>5e1f6d9c-0000-4a4c-9c2b-000000000000</RequestId></ErrorResponse>`
}

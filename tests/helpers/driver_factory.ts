import type { S3Client } from '@aws-sdk/client-s3'
import { DjamazingDriver } from '../../src/driver.ts'
import type { DjamazingOptions } from '../../src/types.ts'
import { RSA_KEY } from './cloudfront_keys.ts'
import { SECRET } from './links.ts'
import { startS3Server, type S3Server } from './s3_server.ts'

export const CDN_URL = 'https://d111111abcdef8.cloudfront.net/media'

/**
 * The options of a valid protected disk named `uploads`, as
 * `config/drive.ts` gives them (the RSA test key, the test secret, links
 * for user 1), with `change` over them. Creating its driver sends no request.
 */
export function protectedDiskOptions(
  change: Partial<DjamazingOptions> & Record<string, unknown> = {}
): DjamazingOptions {
  return {
    disk: 'uploads',
    bucket: 'media',
    region: 'us-east-1',
    mode: 'protected',
    cdnUrl: CDN_URL,
    cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
    links: { secrets: [SECRET], currentUserId: () => 1 },
    ...change,
  } as DjamazingOptions
}

/**
 * One request the S3 client sent, as it went on the wire.
 */
export type SentRequest = {
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, string>
}

/**
 * Records every request the client sends, after signing. Real requests
 * still go to the server; this only watches them.
 */
export function recordRequests(client: S3Client): SentRequest[] {
  const sent: SentRequest[] = []
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as SentRequest
      sent.push({
        method: request.method,
        path: request.path,
        query: { ...request.query },
        headers: { ...request.headers },
      })
      return next(args)
    },
    { step: 'finalizeRequest', name: 'recordRequests', priority: 'low' }
  )
  return sent
}

export type DriverFixture = {
  s3: S3Server
  client: S3Client
  requests: SentRequest[]
  /**
   * A public disk on the test bucket through the shared client, with
   * `options` over the defaults.
   */
  driver(options?: Partial<DjamazingOptions>): DjamazingDriver
  stop(): Promise<void>
}

/**
 * A real s3rver (child process) and drivers talking to it over HTTP.
 */
export async function driverFixture(buckets?: string[]): Promise<DriverFixture> {
  const s3 = await startS3Server({ buckets })
  const client = s3.client()
  const requests = recordRequests(client)
  return {
    s3,
    client,
    requests,
    driver(options = {}) {
      return new DjamazingDriver({
        client,
        bucket: s3.bucket,
        mode: 'public',
        cdnUrl: CDN_URL,
        ...options,
      } as DjamazingOptions)
    },
    async stop() {
      client.destroy()
      await s3.stop()
    },
  }
}

import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { S3Client } from '@aws-sdk/client-s3'
import { forkS3rver } from '../../bin/s3rver.ts'

export type S3Server = {
  endpoint: string
  bucket: string
  directory: string
  /**
   * S3 client settings for s3rver: path style, its fixed credentials, and
   * checksums only when required (s3rver mangles aws-chunked bodies).
   */
  clientConfig: {
    endpoint: string
    region: string
    forcePathStyle: true
    credentials: { accessKeyId: string; secretAccessKey: string }
    requestChecksumCalculation: 'WHEN_REQUIRED'
    responseChecksumValidation: 'WHEN_REQUIRED'
  }
  client(): S3Client
  stop(): Promise<void>
  process: ChildProcess
}

/**
 * Starts a real s3rver on 127.0.0.1 with a random port and a fresh temp
 * directory, in a child process, with the given buckets created (and
 * CORS for direct uploads from `corsOrigins`).
 */
export async function startS3Server(
  options: { buckets?: string[]; corsOrigins?: string[] } = {}
): Promise<S3Server> {
  const buckets = options.buckets ?? ['djamazing-test']
  const directory = await mkdtemp(join(tmpdir(), 'djamazing-s3-'))
  const s3rver = await forkS3rver({ directory, buckets, corsOrigins: options.corsOrigins })
  const endpoint = s3rver.endpoint
  const clientConfig = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true as const,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  }

  return {
    endpoint,
    bucket: buckets[0],
    directory,
    clientConfig,
    process: s3rver.process,
    client: () => new S3Client(clientConfig),
    async stop() {
      await s3rver.stop()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

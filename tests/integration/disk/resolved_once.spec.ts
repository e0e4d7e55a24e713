import fs from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { runDoctor } from '../../../src/doctor/run.ts'
import { DjamazingDriver } from '../../../src/driver.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'
import { createRedirectHandler } from '../../../src/links/main.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { asPut, putToTarget, sha256Of } from '../../helpers/direct_upload.ts'
import { SECRET } from '../../helpers/links.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

/*
 * One disk, used through every part that reads it: protected links and
 * their redirect, the local edge, direct uploads and the doctor. Each part
 * reads the one resolved disk, so the disk has exactly one S3 client and
 * loads its CloudFront private key exactly once.
 *
 * Counted without changing the package: every S3 client the AWS SDK builds
 * asks its credential provider once (and keeps the answer, which has no
 * expiry), so calls to the disk's provider count the clients that talked
 * to S3; every load of the private key reads its PEM file, so reads of
 * that file (node:fs instrumented for the test) count the loads.
 */

/**
 * The origin the app's pages would be served from: the bucket's CORS rule
 * lets it PUT direct uploads, and the doctor checks that rule.
 */
const APP_ORIGIN = 'http://app.example.test'

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * Counts reads of `file` through node:fs while `run` runs. The package
 * imports `readFileSync` as an ES module binding: `syncBuiltinESMExports`
 * makes that binding the counting one too.
 */
async function countingReadsOf<T>(file: string, run: () => Promise<T>) {
  const original = fs.readFileSync
  let reads = 0
  fs.readFileSync = ((path: unknown, ...rest: unknown[]) => {
    if (path === file) reads++
    return (original as (...args: unknown[]) => unknown)(path, ...rest)
  }) as typeof fs.readFileSync
  syncBuiltinESMExports()
  try {
    const result = await run()
    return { result, reads }
  } finally {
    fs.readFileSync = original
    syncBuiltinESMExports()
  }
}

test.group('Resolved disk | built once, read by every part', (group) => {
  let s3: S3Server
  let folder: string
  group.setup(async () => {
    s3 = await startS3Server({ corsOrigins: [APP_ORIGIN] })
    folder = await mkdtemp(join(tmpdir(), 'djamazing-once-'))
    return async () => {
      await s3.stop()
      await rm(folder, { recursive: true, force: true })
    }
  })

  test('links, the edge, direct uploads and the doctor share one S3 client and one key load', async ({
    assert,
    cleanup,
  }) => {
    const keyFile = join(folder, 'cloudfront-private-key.pem')
    await writeFile(keyFile, RSA_KEY.pem)
    let credentialCalls = 0
    const { credentials, ...connection } = s3.clientConfig

    // The edge serves the disk's CDN URL from a plain node:http server.
    let serveEdge: ReturnType<typeof createEdgeForDisks>[number] | undefined
    const edgeServer = createServer((req, res) => {
      if (serveEdge) return serveEdge.serve(req, res)
      res.writeHead(503).end()
    })
    const edgeOrigin = await listen(edgeServer)
    cleanup(() => new Promise<void>((resolve) => edgeServer.close(() => resolve())))

    const { result, reads } = await countingReadsOf(keyFile, async () => {
      const options = {
        ...connection,
        credentials: async () => {
          credentialCalls++
          return credentials
        },
        disk: 'uploads',
        bucket: s3.bucket,
        mode: 'protected',
        prefix: 'uploads/',
        cdnUrl: `${edgeOrigin}/cdn`,
        cloudfront: { keyPairId: RSA_KEY.id, privateKeyFile: keyFile },
        links: { secrets: [SECRET], currentUserId: () => 7 },
        uploads: {},
      } as DjamazingOptions
      const driver = new DjamazingDriver(options)
      ;[serveEdge] = createEdgeForDisks([driver])

      // Direct upload: a presigned PUT to S3, then the confirm.
      const bytes = new TextEncoder().encode('counted once')
      const target = asPut(
        await driver.startUpload('notes/once.txt', {
          userId: 7,
          contentType: 'text/plain',
          size: bytes.length,
          checksum: sha256Of(bytes),
        })
      )
      const put = await putToTarget(target, bytes)
      assert.equal(put.status, 200, await put.text())
      await driver.confirmUpload(target.token, { userId: 7 })

      // A protected link, its redirect, and the edge serving the target.
      const link = await driver.getUrl('notes/once.txt')
      const redirects = createRedirectHandler({
        disks: { uploads: driver },
        currentUser: () => 7,
      })
      const redirectServer = createServer(redirects)
      const appOrigin = await listen(redirectServer)
      cleanup(() => new Promise<void>((resolve) => redirectServer.close(() => resolve())))
      const redirect = await fetch(`${appOrigin}${link}`, { redirect: 'manual' })
      assert.equal(redirect.status, 302)
      const file = await fetch(redirect.headers.get('location')!)
      assert.equal(file.status, 200)
      assert.equal(await file.text(), 'counted once')

      // The doctor, given the disk's options and the disk as the app
      // resolved it (what the AdonisJS commands give it).
      const report = await runDoctor([
        {
          name: 'uploads',
          options,
          resolved: driver.resolvedDisk,
          secrets: [SECRET],
          appOrigin: APP_ORIGIN,
        },
      ])
      return report
    })

    const failed = result.disks[0].checks.filter((check) => check.status !== 'ok')
    assert.deepEqual(failed, [], JSON.stringify(result, null, 2))
    assert.equal(reads, 1, 'private-key loads')
    assert.equal(credentialCalls, 1, 'S3 clients that talked to S3')
  })

  test('the count sees a second client and a second key load', async ({ assert }) => {
    // The counting itself, shown able to fail: a disk built twice from
    // the same options is two clients and two key loads.
    const keyFile = join(folder, 'second-key.pem')
    await writeFile(keyFile, RSA_KEY.pem)
    let credentialCalls = 0
    const { credentials, ...connection } = s3.clientConfig
    const options = {
      ...connection,
      credentials: async () => {
        credentialCalls++
        return credentials
      },
      disk: 'uploads',
      bucket: s3.bucket,
      mode: 'public',
      cdnUrl: 'http://127.0.0.1:9/cdn',
      cloudfront: { keyPairId: RSA_KEY.id, privateKeyFile: keyFile },
    } as DjamazingOptions
    const { reads } = await countingReadsOf(keyFile, async () => {
      for (const driver of [new DjamazingDriver(options), new DjamazingDriver(options)]) {
        await driver.put('twice.txt', 'x')
      }
    })
    assert.equal(reads, 2)
    assert.equal(credentialCalls, 2)
  })
})

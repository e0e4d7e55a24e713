import { AsyncLocalStorage } from 'node:async_hooks'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { S3Client } from '@aws-sdk/client-s3'
import { Disk } from 'flydrive'
import { DjamazingDriver } from '../../../index.ts'
import {
  createRedirectHandler,
  folderCookieClearing,
  handleLinkRequest,
} from '../../../src/links/main.ts'
import { createEdgeHandler, startEdgeServer, type EdgeServer } from '../../../src/edge/main.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

/*
 * The examples of docs/flydrive.md (plain flydrive, the node:http redirect
 * route, another framework), docs/local-edge.md, docs/driver.md and the
 * folder-link logout of docs/protected-links.md, run as
 * written against a real s3rver and real HTTP servers (each page marks its
 * blocks with this file, and tests/unit/docs/readme.spec.ts checks their lines
 * are here). The examples read their settings from environment variables;
 * the group sets them to s3rver, the edge and a throwaway key pair, and
 * restores them afterwards.
 */

const ENV = [
  'S3_BUCKET',
  'CLOUDFRONT_URL',
  'AWS_REGION',
  'CLOUDFRONT_KEY_PAIR_ID',
  'CLOUDFRONT_PRIVATE_KEY_FILE',
  'APP_KEY',
] as const

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function closeServer(server: Server | undefined) {
  if (!server?.listening) return
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}

test.group('Documented examples | plain flydrive, node:http and the local edge', (group) => {
  let s3: S3Server
  let edgeServer: EdgeServer
  let directory: string
  const servers: Server[] = []
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]))

  group.setup(async () => {
    s3 = await startS3Server({ buckets: ['media'] })
    directory = await mkdtemp(join(tmpdir(), 'djamazing-readme-'))
    const keyFile = join(directory, 'cloudfront_private_key.pem')
    await writeFile(keyFile, RSA_KEY.pem, { mode: 0o600 })

    // The example of docs/local-edge.md: a CloudFront stand-in in front of s3rver.
    const { endpoint, region, credentials } = s3.clientConfig
    const publicKeyPem = RSA_KEY.publicPem
    const edge = await startEdgeServer({
      client: new S3Client({ endpoint, region, forcePathStyle: true, credentials }),
      bucket: 'media',
      basePath: '/cdn',
      publicKeys: { K2JCJMDEHXQW5F: publicKeyPem }, // what CloudFront's key group holds
      behaviors: [{ pathPattern: 'static/*', signed: false }],
    })

    Object.assign(process.env, {
      S3_BUCKET: 'media',
      CLOUDFRONT_URL: edge.url,
      AWS_REGION: region,
      CLOUDFRONT_KEY_PAIR_ID: RSA_KEY.id,
      CLOUDFRONT_PRIVATE_KEY_FILE: keyFile,
      APP_KEY: 'Jv2mQ8wT5zX1nK7pL4bR9cY3hF6gD0sA',
    })
    edgeServer = edge

    return async () => {
      for (const name of ENV) {
        if (saved[name] === undefined) delete process.env[name]
        else process.env[name] = saved[name]
      }
      await Promise.all(servers.map(closeServer))
      await edge.close()
      await s3.stop()
      await rm(directory, { recursive: true, force: true })
    }
  })

  test('the edge serves public prefixes openly and everything else only when signed', async ({
    assert,
  }) => {
    assert.match(edgeServer.url, /^http:\/\/127\.0\.0\.1:\d+\/cdn$/)
    const writer = new Disk(
      new DjamazingDriver({
        ...s3.clientConfig,
        bucket: 'media',
        mode: 'public',
        cdnUrl: edgeServer.url,
      })
    )
    await writer.put('static/a.txt', 'public bytes')
    await writer.put('private/a.txt', 'private bytes')
    const open = await fetch(`${edgeServer.url}/static/a.txt`)
    assert.equal(open.status, 200)
    assert.equal(await open.text(), 'public bytes')
    const closed = await fetch(`${edgeServer.url}/private/a.txt`)
    assert.equal(closed.status, 403)
    assert.include(await closed.text(), '<Code>MissingKey</Code>')
  })

  test('the plain flydrive example: a public disk, a protected disk, the redirect route', async ({
    assert,
  }) => {
    const logoSvg = '<svg xmlns="http://www.w3.org/2000/svg"/>'
    const reportBytes = new Uint8Array(64 * 1024).map((_, index) => (index * 31) % 256)
    // The examples' "your session lookup": here the user id travels in a header.
    const userIdFromSession = (req: IncomingMessage) =>
      (req.headers['x-user'] as string | undefined) ?? null
    // s3rver, not AWS: its endpoint, path-style URLs, checksums only when required.
    const connection = {
      endpoint: s3.clientConfig.endpoint,
      forcePathStyle: true,
      credentials: s3.clientConfig.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    } as const

    // The id of the user of the current request, set by your own auth code.
    const requestUser = new AsyncLocalStorage<string>()

    const shared = {
      bucket: process.env.S3_BUCKET!,
      cdnUrl: process.env.CLOUDFRONT_URL!,
      region: process.env.AWS_REGION,
      ...connection,
      cloudfront: {
        keyPairId: process.env.CLOUDFRONT_KEY_PAIR_ID!,
        privateKeyFile: process.env.CLOUDFRONT_PRIVATE_KEY_FILE!,
      },
    }
    const assets = new Disk(
      new DjamazingDriver({ ...shared, disk: 'static', mode: 'public', prefix: 'static/' })
    )
    const uploadsDriver = new DjamazingDriver({
      ...shared,
      disk: 'uploads',
      mode: 'protected',
      prefix: 'uploads/',
      links: {
        secrets: [process.env.APP_KEY!],
        currentUserId: () => requestUser.getStore() ?? null,
      },
    })
    const uploads = new Disk(uploadsDriver)

    await assets.put('logo.svg', logoSvg)
    const logoUrl = await assets.getUrl('logo.svg')
    await uploads.put('42/report.pdf', reportBytes)
    const href = await requestUser.run('42', () => uploads.getUrl('42/report.pdf'))

    const redirect = createRedirectHandler({
      disks: { uploads: uploadsDriver },
      currentUser: (req) => userIdFromSession(req),
      authorize: ({ key, userId }) => key.startsWith(`${userId}/`),
    })
    const server = createServer((req, res) => redirect(req, res))
    servers.push(server)
    const app = await listen(server)

    // The public disk: a plain CDN URL, served by the edge without a signature.
    assert.equal(logoUrl, `${edgeServer.url}/static/logo.svg`)
    const logo = await fetch(logoUrl)
    assert.equal(logo.status, 200)
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml')
    assert.equal(await logo.text(), logoSvg)

    // The protected disk: a link for user 42, which redirects user 42 only.
    assert.match(href, /^\/djamazing\/uploads\/42\/report\.pdf\?e=\d+&s=[\w-]{43}$/)
    const follow = (link: string, user?: string) =>
      fetch(`${app}${link}`, { redirect: 'manual', headers: user ? { 'x-user': user } : {} })
    const statusOf = async (link: string, user?: string) => {
      const response = await follow(link, user)
      return response.status
    }

    const found = await follow(href, '42')
    assert.equal(found.status, 302)
    assert.equal(found.headers.get('cache-control'), 'private, no-store')
    assert.equal(found.headers.get('referrer-policy'), 'no-referrer')
    const location = found.headers.get('location')!
    assert.isTrue(location.startsWith(`${edgeServer.url}/uploads/42/report.pdf?Expires=`), location)
    const file = await fetch(location)
    assert.equal(file.status, 200)
    assert.deepEqual(new Uint8Array(await file.arrayBuffer()), reportBytes)
    // The object itself is not public at the edge.
    const direct = await fetch(`${edgeServer.url}/uploads/42/report.pdf`)
    assert.equal(direct.status, 403)

    assert.equal(await statusOf(href, '7'), 403, 'another user')
    assert.equal(await statusOf(href), 401, 'a guest')

    // authorize: user 7 holds a genuine link of their own to user 42's file.
    const sneaky = await requestUser.run('7', () => uploads.getUrl('42/report.pdf'))
    assert.equal(await statusOf(sneaky, '7'), 403)

    // A link of the Django package's format is refused, never a 5xx.
    const django = '/djamazing/uploads/42/report.pdf/?signature=Kq3xVYjZ6X3r0d2qSgQmP1o9fEw'
    assert.equal(await statusOf(django, '42'), 403)
    assert.equal(await statusOf(django), 403)

    // The framework-free core, as docs/flydrive.md calls it for another framework.
    const disks: Record<string, DjamazingDriver> = { uploads: uploadsDriver }
    const authorize = () => true
    const method = 'GET'
    const disk = 'uploads'
    const rawKey = '42/report.pdf'
    const rawQueryString = href.slice(href.indexOf('?') + 1)
    const userId = '42'
    const revision = undefined
    const { status, headers, body } = await handleLinkRequest(
      { method, disk, rawKey, query: rawQueryString, userId, revision },
      (name) => disks[name],
      authorize
    )
    assert.equal(status, 302)
    assert.isTrue(headers.Location.startsWith(`${edgeServer.url}/uploads/42/report.pdf?Expires=`))
    assert.isUndefined(body)
  })

  test('the edge as a node:http handler inside another server: by req.url, or by the rest', async ({
    assert,
  }) => {
    const client = s3.client()
    const publicKeyPem = RSA_KEY.publicPem
    await new Disk(
      new DjamazingDriver({
        ...s3.clientConfig,
        bucket: 'media',
        mode: 'public',
        cdnUrl: edgeServer.url,
      })
    ).put('photos/a b.jpg', 'photo bytes')

    const handler = createEdgeHandler({
      client,
      bucket: 'media',
      publicUrl: 'http://localhost:3333/cdn',
      publicKeys: { K2JCJMDEHXQW5F: publicKeyPem },
    })
    const server = createServer(async (req, res) => {
      if (req.url!.startsWith('/cdn/')) {
        await handler(req, res) // req.url under /cdn/
      } else {
        const rest = req.url!.slice('/mounted/'.length)
        await handler.serve(req, res, rest)
      }
    })
    servers.push(server)
    const origin = await listen(server)

    // Signed for the edge's public URL: the Host the request arrives on is never used.
    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    const signed = signer.signUrl('http://localhost:3333/cdn/photos/a%20b.jpg', { expiresIn: 60 })
    const target = signed.slice('http://localhost:3333/cdn/'.length)

    const byUrl = await fetch(`${origin}/cdn/${target}`)
    assert.equal(byUrl.status, 200)
    assert.equal(await byUrl.text(), 'photo bytes')
    const byRest = await fetch(`${origin}/mounted/${target}`)
    assert.equal(byRest.status, 200)
    assert.equal(await byRest.text(), 'photo bytes')
    const unsigned = await fetch(`${origin}/cdn/photos/a%20b.jpg`)
    assert.equal(unsigned.status, 403)
  })

  test('folder links through the node:http handler: cookies open the folder at the edge, logout deletes them', async ({
    assert,
  }) => {
    const { endpoint, region, credentials } = s3.clientConfig
    const uploadsDriver = new DjamazingDriver({
      endpoint,
      region,
      credentials,
      forcePathStyle: true,
      bucket: 'media',
      disk: 'uploads',
      mode: 'protected',
      prefix: 'uploads/',
      cdnUrl: edgeServer.url,
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
      links: { secrets: [process.env.APP_KEY!], currentUserId: () => '42' },
      folderCookies: { expiresIn: '10m' },
    })
    const uploads = new Disk(uploadsDriver)
    await uploads.put('courses/12/hls/index.m3u8', '#EXTM3U\nsegment-000.ts\n')
    await uploads.put('courses/12/hls/segment-000.ts', 'segment bytes')

    const redirect = createRedirectHandler({
      disks: { uploads: uploadsDriver },
      currentUser: (req) => (req.headers['x-user'] as string | undefined) ?? null,
    })
    const server = createServer((req, res) => {
      if (req.url === '/logout') {
        // Your logout route: end the session, then delete the folder cookies in this browser.
        res.setHeader('Set-Cookie', folderCookieClearing(req.headers.cookie))
        res.end()
        return
      }
      void redirect(req, res)
    })
    servers.push(server)
    const app = await listen(server)

    // A browser's cookie jar, enough for this: name and path, deletion by Max-Age=0.
    const jar = new Map<string, { name: string; value: string; path: string }>()
    const keep = (response: Response) => {
      for (const header of response.headers.getSetCookie()) {
        const [pair, ...attributes] = header.split('; ')
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
        const path = attributes.find((part) => part.startsWith('Path='))?.slice(5) ?? '/'
        if (attributes.includes('Max-Age=0')) jar.delete(`${name} ${path}`)
        else jar.set(`${name} ${path}`, { name, value, path })
      }
    }
    const cookiesFor = (url: string) =>
      [...jar.values()]
        .filter(({ path }) => new URL(url).pathname.startsWith(path))
        .map(({ name, value }) => `${name}=${value}`)
        .join('; ')
    const get = (url: string, headers: Record<string, string> = {}) =>
      fetch(url, { redirect: 'manual', headers: { cookie: cookiesFor(url), ...headers } })
    const statusOf = async (url: string, cookie = cookiesFor(url)) => {
      const { status } = await fetch(url, { headers: { cookie } })
      return status
    }

    const link = await uploadsDriver.linkForFolder('courses/12/hls/', { entry: 'index.m3u8' })
    const opened = await get(`${app}${link}`, { 'x-user': '42' })
    assert.equal(opened.status, 302)
    keep(opened)
    const playlist = opened.headers.get('location')!
    assert.equal(playlist, `${edgeServer.url}/uploads/courses/12/hls/index.m3u8`)
    const segment = `${edgeServer.url}/uploads/courses/12/hls/segment-000.ts`
    assert.equal(await statusOf(playlist), 200)
    const served = await get(segment)
    assert.equal(served.status, 200)
    assert.equal(await served.text(), 'segment bytes')
    assert.equal(await statusOf(segment, ''), 403, 'no cookies, no file')

    const loggedOut = await get(`${app}/logout`)
    keep(loggedOut)
    assert.deepEqual(
      [...jar.keys()].filter((key) => key.startsWith('CloudFront-')),
      [],
      'the CloudFront cookies are deleted'
    )
    assert.equal(await statusOf(segment), 403)
  })
})

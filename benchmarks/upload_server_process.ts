import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DjamazingDriver } from '../src/driver.ts'
import { LocalStore } from '../src/store/local_store.ts'
import { createUploadHandler } from '../src/store/local_upload_handler.ts'

/*
 * The server side of the browser upload benchmark, in its own process so
 * that its CPU time is its own: the local store's upload route under
 * /cdn/, a page loading the browser module, and the app routes of
 * docs/uploads.md for two disks on the same store: `multipart` (the
 * default threshold) and `single` (one PUT up to 5 GiB). No sessions: the
 * user is fixed. Prints `port <n>` once listening. Argument: the store's
 * root folder.
 */

const root = process.argv[2]
const SECRET = 'the benchmark app key, 32 characters'
const BUCKET = 'bench'
const USER = 1

const handleUpload = createUploadHandler({
  store: new LocalStore({ root, bucket: BUCKET }),
  uploadSecret: SECRET,
})
const moduleSource = await readFile(new URL('../browser/direct_upload.js', import.meta.url))
const server = createServer((req, res) => {
  route(req, res).catch((error) => {
    res.writeHead(500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ message: (error as Error).message }))
  })
})
server.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
const disk = (multipartThreshold: number) =>
  new DjamazingDriver({
    store: 'local',
    bucket: BUCKET,
    mode: 'public',
    prefix: 'uploads/',
    cdnUrl: `${base}/cdn`,
    localStore: { root, uploadSecret: SECRET },
    uploads: { secrets: [SECRET], maxSize: 4 * 1024 ** 3, multipartThreshold },
  })
const drivers: Record<string, DjamazingDriver> = {
  multipart: disk(64 * 1024 * 1024),
  single: disk(5 * 1024 ** 3),
}
console.log(`port ${(server.address() as AddressInfo).port}`)

async function json(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString() || '{}')
}

async function route(req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? '/'
  if (req.method === 'PUT' && url.startsWith('/cdn/')) {
    return handleUpload(req, res, url.slice('/cdn/'.length))
  }
  if (url === '/') {
    res.writeHead(200, { 'content-type': 'text/html' })
    return res.end('<!doctype html><input type="file" id="file" />')
  }
  if (url === '/direct_upload.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' })
    return res.end(moduleSource)
  }
  const match =
    /^\/(multipart|single)\/(start|confirm|start\/parts|start\/parts\/list|start\/complete|start\/abort|delete)$/.exec(
      url
    )
  if (!match || req.method !== 'POST') {
    res.writeHead(404)
    return res.end()
  }
  const driver = drivers[match[1]]
  const body = await json(req)
  const userId = USER
  const answers: Record<string, () => Promise<unknown>> = {
    'start': () =>
      driver.startUpload(`bench/${Date.now()}-${Math.random()}.bin`, {
        userId,
        contentType: 'application/octet-stream',
        size: body.size,
        checksum: body.checksum,
      }),
    'confirm': () => driver.confirmUpload(body.token, { userId }),
    'start/parts': () =>
      driver.signUploadPart(body.token, {
        userId,
        partNumber: body.partNumber,
        checksum: body.checksum,
      }),
    'start/parts/list': async () => ({
      parts: await driver.listUploadParts(body.token, { userId }),
    }),
    'start/complete': () =>
      driver.completeUpload(body.token, { userId, checksums: body.checksums }),
    'start/abort': () => driver.abortUpload(body.token, { userId }),
    'delete': () => driver.delete(body.key),
  }
  try {
    const answer = await answers[match[2]]()
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(answer ?? {}))
  } catch (error: any) {
    res.writeHead(error?.status ?? 500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ message: error?.message }))
  }
}

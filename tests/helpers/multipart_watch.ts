import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page, Request } from 'playwright-core'

/*
 * What the browser tests of multipart uploads watch: the part PUTs a page
 * sends and the store answers, the files the store keeps for unconfirmed
 * uploads, and the stored file's bytes.
 */

export const sha256OfStream = async (stream: AsyncIterable<Buffer>) => {
  const hash = createHash('sha256')
  for await (const chunk of stream) hash.update(chunk)
  return hash.digest('hex')
}

/**
 * Part PUTs as the page sends them: `partNumber` from the URL, and whether
 * the store answered 200.
 */
export function watchParts(page: Page) {
  const sent: { partNumber: number; request: Request }[] = []
  const stored: number[] = []
  const failed: string[] = []
  const waiters: (() => void)[] = []
  const partOf = (request: Request) => {
    if (request.method() !== 'PUT') return undefined
    const value = new URL(request.url()).searchParams.get('partNumber')
    return value === null ? undefined : Number(value)
  }
  page.on('request', (request) => {
    const partNumber = partOf(request)
    if (partNumber !== undefined) sent.push({ partNumber, request })
  })
  page.on('requestfinished', async (request) => {
    const partNumber = partOf(request)
    if (partNumber === undefined) return
    const response = await request.response()
    if (response?.status() === 200) stored.push(partNumber)
    for (const wake of waiters.splice(0)) wake()
  })
  // Any request of the upload: offline, a part's PUT or the request for
  // its URL fails, whichever comes first.
  page.on('requestfailed', (request) => {
    failed.push(request.url())
    for (const wake of waiters.splice(0)) wake()
  })
  return {
    sent,
    stored,
    failed,
    /**
     * Resolves once `condition` holds, checked after each part's end.
     */
    until(condition: () => boolean, what: string, ms = 300_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
        const check = () => {
          if (condition()) {
            clearTimeout(timer)
            resolve()
          } else waiters.push(check)
        }
        check()
      })
    },
  }
}

/**
 * Files the demo's store still holds for unconfirmed uploads: objects
 * under the pending prefix, and parts of multipart uploads (s3rver's
 * folder of uploads, the local store's).
 */
export async function leftovers(dataDirectory: string): Promise<string[]> {
  const paths = await readdir(dataDirectory, { recursive: true, withFileTypes: true })
  return paths
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dataDirectory.length))
    .filter((path) =>
      /pending-uploads\/|\._S3rver_uploads\/[^/]+\/|\/(\.djamazing|\.state)\/uploads\//.test(path)
    )
}

/**
 * The stored file's bytes, through its protected link, hashed.
 */
export async function downloadedSha256(page: Page, demoUrl: string, name: string) {
  const link = page.locator('#gallery a.download', { hasText: name })
  await link.waitFor({ timeout: 120_000 })
  const href = new URL((await link.getAttribute('href'))!, demoUrl).href
  const response = await fetch(href, {
    headers: { cookie: await cookieHeader(page) },
    redirect: 'follow',
  })
  if (response.status !== 200) throw new Error(`download answered ${response.status}`)
  return sha256OfStream(response.body as unknown as AsyncIterable<Buffer>)
}

async function cookieHeader(page: Page) {
  const cookies = await page.context().cookies()
  return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
}

/**
 * The response of the app's route at `url`; a test failing before it
 * comes leaves no unhandled rejection behind.
 */
export function completion(page: Page, url: string, timeout: number) {
  const response = page.waitForResponse((candidate) => candidate.url() === url, { timeout })
  response.catch(() => {})
  return response
}

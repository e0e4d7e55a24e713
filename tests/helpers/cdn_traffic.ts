import { EventEmitter, once } from 'node:events'
import type { Page } from 'playwright-core'

/**
 * One response Chromium got for a CDN URL, from its network events.
 */
export type CdnResponse = {
  url: string
  status: number
  range: string | undefined
  fromCache: boolean
  /**
   * The link the browser was redirected from, if any.
   */
  redirectedFrom: string | undefined
  /**
   * Body bytes that came over the network (0 for a cache hit).
   */
  bytes: number
}

/**
 * Watches a page's network through the Chrome DevTools Protocol and
 * records every response for a URL under `cdnPrefix`, with the bytes
 * that really came over the network: what a user pays in egress and waits for.
 */
export async function watchCdnTraffic(page: Page, cdnPrefix: string) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  const requests = new Map<string, { url: string; range?: string; from?: string }>()
  const responses = new Map<string, CdnResponse>()
  let all: CdnResponse[] = []
  const finished = new WeakSet<CdnResponse>()
  const progress = new EventEmitter()

  cdp.on('Network.requestWillBeSent', (event) => {
    const location = event.redirectResponse ? requests.get(event.requestId)?.url : undefined
    requests.set(event.requestId, {
      url: event.request.url,
      range: event.request.headers.Range ?? event.request.headers.range,
      from: location,
    })
  })
  cdp.on('Network.responseReceived', (event) => {
    if (process.env.DEBUG_CDP)
      console.log('resp', event.response.url.slice(0, 120), event.response.status, event.type)
    const request = requests.get(event.requestId)
    if (!event.response.url.startsWith(cdnPrefix)) return
    const response: CdnResponse = {
      url: event.response.url,
      status: event.response.status,
      range: request?.range,
      fromCache: event.response.fromDiskCache === true || event.response.fromServiceWorker === true,
      redirectedFrom: request?.from,
      bytes: 0,
    }
    responses.set(event.requestId, response)
    all.push(response)
  })
  cdp.on('Network.requestServedFromCache', (event) => {
    const response = responses.get(event.requestId)
    if (response) response.fromCache = true
  })
  cdp.on('Network.dataReceived', (event) => {
    const response = responses.get(event.requestId)
    if (response) response.bytes += event.encodedDataLength
  })
  for (const name of ['Network.loadingFinished', 'Network.loadingFailed'] as const) {
    cdp.on(name, (event) => {
      const response = responses.get(event.requestId)
      if (!response) return
      finished.add(response)
      progress.emit('finished')
    })
  }

  return {
    /**
     * Resolves once `count` of the responses recorded since the last
     * `take()` have finished loading (their bytes counted); CDP's events
     * trail the page's own load event. Rejects after `ms`.
     */
    async settled(count: number, ms = 10_000) {
      const signal = AbortSignal.timeout(ms)
      while (all.filter((response) => finished.has(response)).length < count) {
        await once(progress, 'finished', { signal }).catch(() => {
          throw new Error(`${count} CDN responses: not all finished after ${ms} ms`)
        })
      }
    },
    /**
     * The responses recorded since the last `take()`, then forgets them.
     */
    take(): CdnResponse[] {
      const taken = all
      all = []
      return taken
    },
  }
}

/**
 * Sums the body bytes that came over the network.
 */
export function networkBytes(responses: CdnResponse[]): number {
  return responses.reduce((sum, response) => sum + response.bytes, 0)
}

export type CdnTraffic = Awaited<ReturnType<typeof watchCdnTraffic>>

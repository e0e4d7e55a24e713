/**
 * A tiny browser stand-in over `fetch`: keeps cookies, never follows
 * redirects (tests look at every hop).
 */
export class CookieClient {
  #base: string
  #cookies = new Map<string, string>()

  constructor(base: string) {
    this.#base = base
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.#base)
    const headers = new Headers(init.headers)
    if (url.origin === new URL(this.#base).origin && this.#cookies.size > 0) {
      headers.set(
        'cookie',
        [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
      )
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute))
      if (expired || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
    return response
  }

  /**
   * The `Cookie` header it sends now: what someone copying the cookie
   * would take.
   */
  cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /**
   * The value of one cookie it keeps (e.g. shield's `XSRF-TOKEN`, which a
   * page's script sends back as the `X-XSRF-TOKEN` header).
   */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name)
  }

  get(path: string) {
    return this.request(path)
  }

  postForm(path: string, fields: Record<string, string>) {
    return this.request(path, { method: 'POST', body: new URLSearchParams(fields) })
  }

  postJson(path: string, body: unknown) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify(body),
    })
  }
}

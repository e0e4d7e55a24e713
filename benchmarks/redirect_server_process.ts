import { fork } from 'node:child_process'
import { once } from 'node:events'
import autocannon from 'autocannon'

/**
 * Load for one measurement: bounded, loopback only.
 */
const LOAD = { connections: 50, duration: 3 }

/**
 * What `redirect_server.ts` sends once it listens.
 */
export type RedirectServer = {
  port: number
  link: string
  cookie: string
  uniqueLinks: string[]
  /**
   * `link`'s path and query under the bare session-checked route.
   */
  sameShapePath: string
  /**
   * With `variants`: a link to a stored variant of the photo `link` opens.
   */
  variantLink?: string
  stop(): Promise<void>
}

/**
 * Starts `redirect_server.ts` in a process of its own (so that autocannon
 * does not share its event loop) with `args`, e.g. `['rsa', 'window']`.
 */
export async function startRedirectServer(args: string[]): Promise<RedirectServer> {
  const child = fork(new URL('./redirect_server.ts', import.meta.url), args, {
    execArgv: ['--openssl-legacy-provider', '--import=@poppinss/ts-exec'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const [info] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`benchmark server exited with code ${code}`)
    }),
  ])) as [Omit<RedirectServer, 'stop'>]
  return {
    ...info,
    async stop() {
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    },
  }
}

/**
 * Requests per second over `paths`, taken in turn, every answer a 302
 * (anything else means the benchmark measures refusals, and fails).
 */
export async function redirectsPerSecond(server: RedirectServer, paths: string[]): Promise<number> {
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    headers: { cookie: server.cookie },
    requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }],
    ...LOAD,
  })
  const answered = result['2xx'] + result['3xx'] + result['4xx'] + result['5xx']
  if (result['3xx'] !== answered || result.errors > 0) {
    throw new Error(
      `${paths[0]}: ${result['3xx']} of ${answered} answers were redirects, ${result.errors} errors`
    )
  }
  return result.requests.total / LOAD.duration
}

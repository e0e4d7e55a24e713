import { fork } from 'node:child_process'
import { once } from 'node:events'

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

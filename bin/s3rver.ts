import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

export type S3rverProcess = {
  /**
   * `http://127.0.0.1:<port>`
   */
  endpoint: string
  process: ChildProcess
  /**
   * Disconnects from the child, which closes s3rver and exits; resolves once
   * it has exited.
   */
  stop(): Promise<void>
}

/**
 * Starts s3rver in a child process (see `s3rver_process.js`) with the given
 * buckets created, and resolves once it listens. Used by the tests (fresh
 * folder, wiped on close) and the demo (kept between runs).
 */
export async function forkS3rver(options: {
  directory: string
  buckets: string[]
  resetOnClose?: boolean
  /**
   * Origins allowed to PUT from a browser (direct uploads): each bucket
   * gets the CORS rule of docs/uploads.md for them.
   */
  corsOrigins?: string[]
  stdio?: 'inherit' | 'ignore'
}): Promise<S3rverProcess> {
  const { stdio = 'ignore', ...settings } = options
  const child = fork(new URL('./s3rver_process.js', import.meta.url), [JSON.stringify(settings)], {
    execArgv: ['--openssl-legacy-provider'],
    stdio: ['ignore', stdio, 'inherit', 'ipc'],
  })
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`s3rver exited with code ${code} before listening`)
    }),
  ])) as [{ port: number }]

  return {
    endpoint: `http://127.0.0.1:${message.port}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      if (child.connected) child.disconnect()
      else child.kill()
      await exited
    },
  }
}

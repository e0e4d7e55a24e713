import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { withDeadline } from './deadline.ts'

export type CommandResult = { code: number | null; output: string }

/**
 * Runs a command of an app (`node ace ...`) with this process's Node.js,
 * and resolves with its exit code and everything it printed.
 */
export async function runNode(
  cwd: string,
  args: string[],
  env: Record<string, string> = {}
): Promise<CommandResult> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, output }
}

/**
 * A free TCP port on the loopback interface.
 */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

export type RunningApp = {
  url: string
  output(): string
  stop(): Promise<void>
}

/**
 * AdonisJS's own log line once its HTTP server listens; `node ace serve`
 * passes it through from the server process it runs.
 */
export const ADONIS_LISTENING = /started HTTP server on /

/**
 * The message an AdonisJS HTTP server sends its parent over the IPC
 * channel once it listens (`app.notify`, as `node ace serve` reads it).
 */
function isAdonisReady(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    'isAdonisJS' in message &&
    'environment' in message &&
    message.environment === 'web'
  )
}

/**
 * Starts an app's HTTP server (`node ace serve`, or `node bin/server.js`
 * in a build, or any node script) on `port`, in a process group of its
 * own so that stopping it also stops what it spawned. Resolves on the
 * server's own event: AdonisJS's ready message over the IPC channel, or
 * a line of its output matching `ready` (AdonisJS's log line by default;
 * a plain server names the line it prints). Rejects with what the child
 * printed if it exits first or gives no event within 90 s.
 */
export async function startNodeServer(
  cwd: string,
  args: string[],
  port: number,
  env: Record<string, string> = {},
  ready: RegExp = ADONIS_LISTENING
): Promise<RunningApp> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  const started = new Promise<void>((resolve, reject) => {
    const onOutput = (chunk: Buffer) => {
      output += chunk
      if (ready.test(output)) resolve()
    }
    child.stdout!.on('data', onOutput)
    child.stderr!.on('data', onOutput)
    child.on('message', (message) => isAdonisReady(message) && resolve())
    child.once('error', reject)
    child.once('exit', (code, signal) =>
      reject(new Error(`The app exited (${signal ?? `code ${code}`}) before it listened`))
    )
  })
  const exited = once(child, 'exit')
  const closed = once(child, 'close')
  const url = `http://localhost:${port}`
  // The group: `node ace serve` runs the server in a child process of its own.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name)
    } catch {}
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    signal('SIGTERM')
    const timer = setTimeout(() => signal('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  try {
    await withDeadline(started, 90_000, `${args.join(' ')} listening on ${port}`)
  } catch (error) {
    await stop()
    // What it left running too (`node ace serve`'s server), then everything
    // it printed, stderr included.
    signal('SIGKILL')
    await closed
    throw new Error(`The app did not start: ${(error as Error).message}\n${output}`, {
      cause: error,
    })
  }
  return { url, output: () => output, stop }
}

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'

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
 * Starts an app's HTTP server (`node ace serve`, or `node bin/server.js`
 * in a build) on `port`, in a process group of its own so that stopping
 * it also stops what it spawned. Resolves once `GET /` answers.
 */
export async function startNodeServer(
  cwd: string,
  args: string[],
  port: number,
  env: Record<string, string> = {}
): Promise<RunningApp> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port) },
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = once(child, 'exit')
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
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    const answered = await fetch(url, { redirect: 'manual' }).then(
      () => true,
      () => false
    )
    if (answered) return { url, output: () => output, stop }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  await stop()
  throw new Error(`The app did not start:\n${output}`)
}

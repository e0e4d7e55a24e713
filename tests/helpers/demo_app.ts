import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setChildClockOffset } from './test_clock.ts'

/**
 * The demo's uploads disk, in seconds: redirects within its 5-minute
 * window share one CloudFront URL (demo/config/drive.ts), which expires
 * 1.5 s after the window's end (the default redirects.expiresIn).
 */
export const DEMO_REDIRECTS = { window: 300, expiresIn: 1.5 }

/**
 * How far to move the demo's clock so that every CloudFront URL it made
 * with the default lifetime is dead: past a whole window and the timeout.
 */
export const PAST_DEFAULT_LIFETIME_MS =
  (DEMO_REDIRECTS.window + DEMO_REDIRECTS.expiresIn + 1) * 1000

export type DemoApp = {
  /**
   * The URL the demo printed, e.g. `http://127.0.0.1:41234`.
   */
  url: string
  passwords: { alice: string; bob: string }
  dataDirectory: string
  process: ChildProcess
  /**
   * Everything the demo printed so far (stdout and stderr).
   */
  output(): string
  /**
   * Ids of the processes the demo started (the S3 server), found through
   * /proc: kept so a test can check they are gone after `stop()`.
   */
  childPids(): Promise<number[]>
  /**
   * Moves the demo's clock forward by `ms` (the test clock of
   * `test_clock.ts`): its links, redirect windows and edge see the time
   * it would be then. Resolves once the demo reads the new time.
   */
  advanceClock(ms: number): Promise<void>
  /**
   * Milliseconds the demo's clock is ahead of the real time.
   */
  clockOffset(): number
  /**
   * Sends SIGINT, as Ctrl-C does, and resolves with the exit code.
   */
  stop(): Promise<number | null>
}

export type DemoAppOptions = {
  /**
   * `--local`: the local store instead of s3rver.
   */
  store?: 'local'
  /**
   * `--edge-origin`: the edge on its own origin.
   */
  edgeOrigin?: boolean
  /**
   * More environment variables (DEMO_APP_HOST, CLOUDFRONT_CORS_ORIGINS...).
   */
  env?: Record<string, string>
}

// `npm run demo` and what it prints, as docs/development.md and README.md show them.
/**
 * Starts `npm run demo` as a user would (the same command, without npm in
 * between so the signal reaches the demo itself), on a free port, with its
 * data in a fresh temp folder (`store: 'local'`: `--local`, the local store
 * instead of s3rver). Resolves once it printed the URL to open.
 */
export async function startDemoApp(options: DemoAppOptions = {}): Promise<DemoApp> {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'djamazing-demo-'))
  // The demo as `npm run demo` runs it, with a clock the test moves.
  const args = [
    '--import=@poppinss/ts-exec',
    '--import=./bin/package_from_source.ts',
    '--import=./tests/helpers/test_clock_preload.ts',
    'bin/demo.ts',
  ]
  if (options.store === 'local') args.push('--local')
  if (options.edgeOrigin) args.push('--edge-origin')
  const child = spawn(process.execPath, args, {
    cwd: new URL('../../', import.meta.url),
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_DATA_DIR: dataDirectory,
      ...options.env,
    },
    // The IPC channel carries the test clock's offset.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`The demo did not start within 60 s. Output:\n${output}`))
    }, 60_000)
    const look = () => {
      const match = output.match(/^Open (http:\/\/\S+)$/m)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout!.on('data', look)
    child.once('exit', (code) => {
      clearTimeout(timer)
      void rm(dataDirectory, { recursive: true, force: true })
      reject(new Error(`The demo exited with code ${code}. Output:\n${output}`))
    })
  })

  const password = (user: string) => output.match(new RegExp(`${user} / (\\S+)`))![1]
  const exited = once(child, 'exit')
  let clockOffset = 0

  return {
    url,
    passwords: { alice: password('alice'), bob: password('bob') },
    dataDirectory,
    process: child,
    output: () => output,
    childPids: () => childPidsOf(child.pid!),
    async advanceClock(ms) {
      clockOffset += ms
      await setChildClockOffset(child, clockOffset)
    },
    clockOffset: () => clockOffset,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      const [code] = await exited
      await rm(dataDirectory, { recursive: true, force: true })
      return code as number | null
    },
  }
}

/**
 * The direct children of a process, from /proc (Linux).
 */
async function childPidsOf(parent: number): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8')
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === parent) pids.push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  return pids
}

/**
 * Whether a process with this id still exists.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

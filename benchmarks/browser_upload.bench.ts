import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchChromium } from '../tests/helpers/chromium.ts'
import { randomFiles } from '../tests/helpers/random_file.ts'
import { row, runStandalone, sideBySide, type Benchmark } from './report.ts'

/**
 * A 300 MB file from Chromium to the local store through the browser
 * module: multipart (parts of 16 MiB, each hashed as read, three in
 * flight) against one PUT of the same file (hashed whole first), rounds
 * interleaved; and the server's CPU time per GiB uploaded, read from
 * /proc for its own process. docs/benchmarks.md shows its figures.
 */
const MiB = 1024 * 1024
const SIZE = 300 * MiB
const ROUNDS = 3

/**
 * utime + stime of a process, in seconds.
 */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const benchmark: Benchmark = {
  name: 'browser uploads (Chromium, local store)',
  async run() {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-bench-upload-'))
    const files = randomFiles()
    const server = spawn(
      process.execPath,
      ['--import=@poppinss/ts-exec', 'benchmarks/upload_server_process.ts', root],
      { cwd: new URL('../', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] }
    )
    const browser = await launchChromium()
    try {
      const port = await new Promise<string>((resolve, reject) => {
        server.once('exit', (code) => reject(new Error(`the upload server exited (${code})`)))
        server.stdout!.on('data', (chunk) => {
          const match = /port (\d+)/.exec(String(chunk))
          if (match) resolve(match[1])
        })
      })
      const base = `http://127.0.0.1:${port}`
      const file = await files.file(SIZE)
      const page = await browser.context.newPage()
      await page.goto(base)
      await page.setInputFiles('#file', file.path)
      const cpu = { multipart: { seconds: 0, bytes: 0 }, single: { seconds: 0, bytes: 0 } }

      /**
       * One upload through `mode`'s routes: MiB/s as the page saw it.
       */
      const upload = (mode: 'multipart' | 'single') => async () => {
        const before = await cpuSeconds(server.pid!)
        // A string: the benchmark is compiled without the DOM's types.
        const seconds = (await page.evaluate(`(async () => {
          const { directUpload } = await import('/direct_upload.js')
          const file = document.querySelector('#file').files[0]
          const started = performance.now()
          const done = await directUpload(file, {
            start: '/${mode}/start',
            confirm: '/${mode}/confirm',
            multipartThreshold: ${mode === 'multipart' ? 64 * MiB : 'Infinity'},
          })
          const seconds = (performance.now() - started) / 1000
          await fetch('/${mode}/delete', { method: 'POST', body: JSON.stringify({ key: done.key }) })
          return seconds
        })()`)) as number
        cpu[mode].seconds += (await cpuSeconds(server.pid!)) - before
        cpu[mode].bytes += SIZE
        return SIZE / MiB / seconds
      }
      const [multipart, single] = await sideBySide(upload('multipart'), upload('single'), ROUNDS)
      const perGiB = (mode: 'multipart' | 'single') =>
        (cpu[mode].seconds / cpu[mode].bytes) * 1024 * MiB
      return [
        row('browser upload of 300 MB, multipart (16 MiB parts, 3 at once) vs one PUT', {
          ours: multipart,
          baseline: single,
          unit: 'MiB/s',
          goal: 0.9,
          higherIsBetter: true,
        }),
        row('server CPU per GiB uploaded, multipart vs one PUT (local store, incl. confirm)', {
          ours: perGiB('multipart'),
          baseline: perGiB('single'),
          unit: 'CPU s/GiB',
          goal: null,
          higherIsBetter: false,
        }),
      ]
    } finally {
      await browser.close()
      server.kill()
      await files.remove()
      await rm(root, { recursive: true, force: true })
    }
  },
}

export default benchmark
await runStandalone(benchmark, import.meta.url)

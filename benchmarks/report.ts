/**
 * One row of the benchmark report: our figure next to a named baseline
 * measured side by side in the same run, and the ratio against its goal.
 */
export type BenchRow = {
  measure: string
  ours: number
  baseline: number
  unit: string
  /**
   * ours / baseline when higher is better, baseline / ours otherwise:
   * above 1 always means we do better than the baseline.
   */
  ratio: number
  /**
   * The ratio we aim for, or null where the row only reports a figure.
   */
  goal: number | null
  higherIsBetter: boolean
}

export type Benchmark = {
  name: string
  run(): Promise<BenchRow[]>
}

export function row(
  measure: string,
  values: {
    ours: number
    baseline: number
    unit: string
    goal: number | null
    higherIsBetter: boolean
  }
): BenchRow {
  const { ours, baseline, higherIsBetter } = values
  const ratio = higherIsBetter ? ours / baseline : baseline / ours
  return { measure, ...values, ratio: Number(ratio.toFixed(3)) }
}

/**
 * Interleaves runs of `a` and `b` and returns the median of each, so that
 * noise from the machine (2 cores, other processes) hits both alike.
 */
export async function sideBySide(
  a: () => Promise<number> | number,
  b: () => Promise<number> | number,
  rounds = 5
): Promise<[number, number]> {
  const [ours, baseline] = await interleaved([a, b], rounds)
  return [ours, baseline]
}

/**
 * {@link sideBySide} for any number of measurements. Each runs once
 * unrecorded first (JIT, connection pools, the server's caches), then
 * every round runs each in turn, starting one later each round: what a
 * measurement leaves behind (a server still flushing a file, garbage to
 * collect) does not always fall on the same one. Each gets the median of
 * its rounds.
 */
export async function interleaved(
  measurements: (() => Promise<number> | number)[],
  rounds = 5
): Promise<number[]> {
  for (const measure of measurements) await measure()
  const values: number[][] = measurements.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < measurements.length; turn++) {
      const index = (round + turn) % measurements.length
      values[index].push(await measurements[index]())
    }
  }
  return values.map(median)
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Operations per second of a synchronous function, over about `ms` milliseconds.
 */
export function opsPerSecond(fn: () => unknown, ms = 300): number {
  let count = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++) fn()
    count += 50
    elapsed = performance.now() - start
  }
  return (count * 1000) / elapsed
}

function formatNumber(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
}

/**
 * The report as a plain-text table: measure, ours, baseline, ratio, goal
 * (with "met" or "MISSED"), one row per line.
 */
export function formatTable(rows: BenchRow[]): string {
  const lines = rows.map((r) => [
    r.measure,
    `${formatNumber(r.ours)} ${r.unit}`,
    `${formatNumber(r.baseline)} ${r.unit}`,
    `${r.ratio.toFixed(2)}x`,
    r.goal === null ? '-' : `>= ${r.goal}x ${r.ratio >= r.goal ? 'met' : 'MISSED'}`,
  ])
  const header = ['measure', 'ours', 'baseline', 'ratio', 'goal']
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)]
    .map((line) => `${line}\n`)
    .join('')
}

/**
 * The report as JSON: an array of `{ measure, ours, baseline, unit, ratio,
 * goal, higherIsBetter }`, in that key order, nothing else.
 */
export function formatJson(rows: BenchRow[]): string {
  const plain = rows.map(({ measure, ours, baseline, unit, ratio, goal, higherIsBetter }) => ({
    measure,
    ours,
    baseline,
    unit,
    ratio,
    goal,
    higherIsBetter,
  }))
  return `${JSON.stringify(plain, null, 2)}\n`
}

/**
 * Lets a benchmark file run on its own: `node --import=@poppinss/ts-exec benchmarks/x.bench.ts`.
 */
export async function runStandalone(benchmark: Benchmark, importMetaUrl: string) {
  if (process.argv[1] && importMetaUrl.endsWith(process.argv[1].split('/').pop()!)) {
    const json = process.argv.includes('--json')
    const rows = json ? await quietly(() => benchmark.run()) : await benchmark.run()
    process.stdout.write(json ? formatJson(rows) : formatTable(rows))
  }
}

/**
 * Runs `fn` with `console.log` and `console.info` sent to stderr, so that
 * with `--json` nothing but the JSON reaches stdout, whatever a benchmark
 * or a library it loads prints meanwhile.
 */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const { log, info } = console
  console.log = console.info = (...args: unknown[]) => console.error(...args)
  try {
    return await fn()
  } finally {
    console.log = log
    console.info = info
  }
}

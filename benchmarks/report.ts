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
  /**
   * For rows measured in paired rounds ({@link pairedRounds}): `ratio` is
   * then the median of the per-round ratios, and this is their spread.
   */
  spread?: Spread
}

/**
 * How the per-round ratios of a paired measurement spread: the lower and
 * upper quartiles, the lowest and highest, and how many rounds.
 */
export type Spread = { q1: number; q3: number; min: number; max: number; rounds: number }

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

/**
 * A measurement side by side with its baseline, in many short paired
 * rounds: each round runs both, one right after the other (the first one
 * alternating: ours then baseline, then baseline then ours), and its ratio
 * is taken within the round, so that what the machine does meanwhile (other
 * processes on the same cores) hits both halves of a pair alike and drops
 * out of the ratio. `warmUp` rounds run first, unrecorded (JIT, connection
 * pools, the server's caches).
 *
 * Two rows: the measurement (the median of each side's values, the median
 * of the per-round ratios and their spread), and this process's CPU time
 * (all its threads) per side per round, which waiting for a busy core does
 * not inflate as it does wall time: what a side costs, not when it ran.
 */
export async function pairedRounds(
  measure: string,
  values: { unit: string; goal: number | null; higherIsBetter: boolean },
  ours: () => Promise<number> | number,
  baseline: () => Promise<number> | number,
  options: { rounds: number; warmUp?: number }
): Promise<[BenchRow, BenchRow]> {
  const { higherIsBetter } = values
  const timed = async (side: () => Promise<number> | number): Promise<[number, number]> => {
    const before = process.cpuUsage()
    const value = await side()
    const { user, system } = process.cpuUsage(before)
    return [value, (user + system) / 1000]
  }
  const pair = async (round: number) => {
    if (round % 2 === 0) {
      const a = await timed(ours)
      return { ours: a, baseline: await timed(baseline) }
    }
    const b = await timed(baseline)
    return { ours: await timed(ours), baseline: b }
  }
  const warmUp = options.warmUp ?? 1
  for (let round = 0; round < warmUp; round++) await pair(round)
  const samples = { ours: [] as number[], baseline: [] as number[], ratios: [] as number[] }
  const cpu = { ours: [] as number[], baseline: [] as number[], ratios: [] as number[] }
  for (let round = 0; round < options.rounds; round++) {
    const { ours: a, baseline: b } = await pair(round)
    samples.ours.push(a[0])
    samples.baseline.push(b[0])
    samples.ratios.push(higherIsBetter ? a[0] / b[0] : b[0] / a[0])
    cpu.ours.push(a[1])
    cpu.baseline.push(b[1])
    cpu.ratios.push(b[1] / a[1])
  }
  const result = (
    name: string,
    of: typeof samples,
    fields: Omit<BenchRow, 'measure' | 'ours' | 'baseline' | 'ratio' | 'spread'>
  ): BenchRow => {
    const sorted = [...of.ratios].sort((x, y) => x - y)
    const fixed = (value: number) => Number(value.toFixed(3))
    return {
      measure: name,
      ours: median(of.ours),
      baseline: median(of.baseline),
      ratio: fixed(median(of.ratios)),
      ...fields,
      spread: {
        q1: fixed(quantile(sorted, 0.25)),
        q3: fixed(quantile(sorted, 0.75)),
        min: fixed(sorted[0]),
        max: fixed(sorted[sorted.length - 1]),
        rounds: sorted.length,
      },
    }
  }
  return [
    result(measure, samples, { unit: values.unit, goal: values.goal, higherIsBetter }),
    result(`  the same: this process's CPU time per round`, cpu, {
      unit: 'ms',
      goal: null,
      higherIsBetter: false,
    }),
  ]
}

/**
 * The `q` quantile of sorted values, interpolated between neighbours.
 */
export function quantile(sorted: number[], q: number): number {
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.min(sorted.length - 1, below + 1)
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below)
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
    r.spread
      ? `${r.ratio.toFixed(2)}x (${r.spread.q1.toFixed(2)}-${r.spread.q3.toFixed(2)}, n=${r.spread.rounds})`
      : `${r.ratio.toFixed(2)}x`,
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
 * goal, higherIsBetter }`, in that key order, and `spread` last on rows
 * measured in paired rounds; nothing else.
 */
export function formatJson(rows: BenchRow[]): string {
  const plain = rows.map(
    ({ measure, ours, baseline, unit, ratio, goal, higherIsBetter, spread }) => ({
      measure,
      ours,
      baseline,
      unit,
      ratio,
      goal,
      higherIsBetter,
      ...(spread && { spread: { ...spread } }),
    })
  )
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

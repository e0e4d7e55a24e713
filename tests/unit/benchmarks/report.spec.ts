import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { test } from '@japa/runner'
import { formatJson, formatTable, pairedRounds, quietly, row } from '../../../benchmarks/report.ts'

const run = promisify(execFile)

/**
 * Synthetic rows: one met goal, one missed, one lower-is-better, one
 * without a goal.
 */
const ROWS = [
  row('signing vs the AWS signer', {
    ours: 3300,
    baseline: 1600,
    unit: 'ops/s',
    goal: 1.9,
    higherIsBetter: true,
  }),
  row('redirects vs a bare route', {
    ours: 2000,
    baseline: 2000,
    unit: 'req/s',
    goal: 1.3,
    higherIsBetter: true,
  }),
  row('100 links, vs a 1 ms budget', {
    ours: 0.25,
    baseline: 1,
    unit: 'ms',
    goal: 1,
    higherIsBetter: false,
  }),
  row('edge throughput vs SDK', {
    ours: 150,
    baseline: 200,
    unit: 'MiB/s',
    goal: null,
    higherIsBetter: true,
  }),
]

// The table and JSON of `npm run bench`, as docs/benchmarks.md shows them.
test.group('Benchmark report', () => {
  test('row computes the ratio so that above 1 is always better', ({ assert }) => {
    assert.equal(ROWS[0].ratio, 2.063)
    assert.equal(ROWS[1].ratio, 1)
    assert.equal(ROWS[2].ratio, 4)
    assert.equal(ROWS[3].ratio, 0.75)
  })

  test('the table has a header, a rule and one aligned line per row with ratio and goal', ({
    assert,
  }) => {
    const lines = formatTable(ROWS).trimEnd().split('\n')
    assert.lengthOf(lines, 2 + ROWS.length)
    assert.match(lines[0], /^measure\s+ours\s+baseline\s+ratio\s+goal$/)
    assert.match(lines[1], /^-+( +-+){4}$/)
    assert.match(
      lines[2],
      /^signing vs the AWS signer\s+3,300 ops\/s\s+1,600 ops\/s\s+2\.06x\s+>= 1\.9x met$/
    )
    assert.match(lines[3], /1\.00x\s+>= 1\.3x MISSED$/)
    assert.match(lines[4], /0\.250 ms\s+1\.00 ms\s+4\.00x\s+>= 1x met$/)
    assert.match(lines[5], /0\.75x\s+-$/)
    // Columns line up: every "ratio" cell starts where the header's does.
    const column = lines[0].indexOf('ratio')
    for (const line of lines.slice(2)) assert.match(line.slice(column), /^\d+\.\d\dx/)
  })

  test('the JSON is an array of { measure, ours, baseline, unit, ratio, goal, higherIsBetter }', ({
    assert,
  }) => {
    const parsed = JSON.parse(formatJson(ROWS))
    assert.isArray(parsed)
    assert.lengthOf(parsed, ROWS.length)
    for (const entry of parsed) {
      assert.deepEqual(Object.keys(entry), [
        'measure',
        'ours',
        'baseline',
        'unit',
        'ratio',
        'goal',
        'higherIsBetter',
      ])
      assert.isString(entry.measure)
      assert.isNumber(entry.ours)
      assert.isNumber(entry.baseline)
      assert.isString(entry.unit)
      assert.isNumber(entry.ratio)
      assert.isTrue(entry.goal === null || typeof entry.goal === 'number')
      assert.isBoolean(entry.higherIsBetter)
    }
    assert.deepEqual(parsed[2], { ...ROWS[2] })
  })

  test('pairedRounds alternates which side goes first and takes the ratio within each round', async ({
    assert,
  }) => {
    // The machine slows down tenfold from round to round; within a round
    // both sides see the same speed, ours always 1.25x the baseline's.
    const calls: string[] = []
    const speed = () => 10 ** -Math.floor((calls.length - 1) / 2)
    const [measured, cpu] = await pairedRounds(
      'ours vs baseline',
      { unit: 'ops/s', goal: 1, higherIsBetter: true },
      () => {
        calls.push('ours')
        return 125 * speed()
      },
      () => {
        calls.push('baseline')
        return 100 * speed()
      },
      { rounds: 4, warmUp: 1 }
    )
    // The warm-up round, then four, ours first on even rounds.
    assert.deepEqual(calls, [
      ...['ours', 'baseline'],
      ...['ours', 'baseline'],
      ...['baseline', 'ours'],
      ...['ours', 'baseline'],
      ...['baseline', 'ours'],
    ])
    assert.equal(measured.measure, 'ours vs baseline')
    assert.equal(measured.goal, 1)
    assert.equal(measured.ratio, 1.25)
    assert.deepEqual(measured.spread, { q1: 1.25, q3: 1.25, min: 1.25, max: 1.25, rounds: 4 })
    // The medians of each side's values mix rounds of different speeds.
    assert.closeTo(measured.ours, 125 * 0.0055, 1e-9)
    assert.closeTo(measured.baseline, 100 * 0.0055, 1e-9)
    assert.equal(cpu.unit, 'ms')
    assert.isNull(cpu.goal)
    assert.isFalse(cpu.higherIsBetter)
    assert.equal(cpu.spread!.rounds, 4)
  })

  test('a paired row shows its spread in the table and the JSON', async ({ assert }) => {
    const [measured] = await pairedRounds(
      'paired',
      { unit: 'ops/s', goal: 1, higherIsBetter: true },
      () => 2,
      () => 1,
      { rounds: 3, warmUp: 0 }
    )
    assert.match(formatTable([measured]), /2\.00x \(2\.00-2\.00, n=3\)\s+>= 1x met/)
    const [entry] = JSON.parse(formatJson([measured]))
    assert.deepEqual(Object.keys(entry).at(-1), 'spread')
    assert.deepEqual(entry.spread, { q1: 2, q3: 2, min: 2, max: 2, rounds: 3 })
  })

  test('quietly sends console.log to stderr while a benchmark runs, and restores it', async ({
    assert,
  }) => {
    const { log, error } = console
    const seen: unknown[][] = []
    console.error = (...args: unknown[]) => seen.push(args)
    try {
      const result = await quietly(async () => {
        console.log('progress', 1)
        console.info('more')
        return 42
      })
      assert.equal(result, 42)
    } finally {
      console.error = error
    }
    assert.deepEqual(seen, [['progress', 1], ['more']])
    assert.strictEqual(console.log, log)
  })

  test('a benchmark run with --json prints only the JSON array on stdout, even when it logs', async ({
    assert,
  }) => {
    const directory = await mkdtemp(join(tmpdir(), 'djamazing-bench-'))
    try {
      const report = fileURLToPath(new URL('../../../benchmarks/report.ts', import.meta.url))
      const file = join(directory, 'noisy.bench.ts')
      await writeFile(
        file,
        `import { row, runStandalone } from ${JSON.stringify(report)}
const benchmark = {
  name: 'noisy',
  async run() {
    console.log('warming up...')
    process.stderr.write('progress\\n')
    return [row('noisy', { ours: 2, baseline: 1, unit: 'ops/s', goal: 1.5, higherIsBetter: true })]
  },
}
export default benchmark
await runStandalone(benchmark, import.meta.url)
`
      )
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import=@poppinss/ts-exec', file, '--json'],
        { cwd: fileURLToPath(new URL('../../../', import.meta.url)) }
      )
      assert.deepEqual(JSON.parse(stdout), [
        {
          measure: 'noisy',
          ours: 2,
          baseline: 1,
          unit: 'ops/s',
          ratio: 2,
          goal: 1.5,
          higherIsBetter: true,
        },
      ])
      assert.include(stderr, 'warming up...')
      assert.include(stderr, 'progress')
    } finally {
      await rm(directory, { recursive: true, force: true })
    }
  }).timeout(30_000)
})

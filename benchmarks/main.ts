import { readdir } from 'node:fs/promises'
import { formatJson, formatTable, quietly, type Benchmark, type BenchRow } from './report.ts'

/**
 * `npm run bench` runs every `benchmarks/*.bench.ts` and prints one table;
 * `npm run bench -- --json` prints the rows as a JSON array instead. Only
 * the table or the JSON go to stdout; progress goes to stderr. (npm itself
 * prints a "> djamazing bench" banner on stdout first: `npm run -s bench --
 * --json` leaves it out.)
 */
// docs/benchmarks.md shows its command lines and tables.
const json = process.argv.includes('--json')
const entries = await readdir(import.meta.dirname)
const files = entries.filter((f) => f.endsWith('.bench.ts')).sort()
const rows: BenchRow[] = await quietly(async () => {
  const all: BenchRow[] = []
  for (const file of files) {
    const { default: benchmark } = (await import(`./${file}`)) as { default: Benchmark }
    console.error(`running ${benchmark.name}...`)
    all.push(...(await benchmark.run()))
  }
  return all
})
process.stdout.write(json ? formatJson(rows) : formatTable(rows))
process.exit(0)

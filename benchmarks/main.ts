import { readdir } from 'node:fs/promises'
import { printTable, type Benchmark, type BenchRow } from './report.ts'

/**
 * `npm run bench` runs every `benchmarks/*.bench.ts` and prints one table;
 * `npm run bench -- --json` prints the rows as JSON on stdout.
 */
const json = process.argv.includes('--json')
const entries = await readdir(import.meta.dirname)
const files = entries.filter((f) => f.endsWith('.bench.ts')).sort()
const rows: BenchRow[] = []
for (const file of files) {
  const { default: benchmark } = (await import(`./${file}`)) as { default: Benchmark }
  if (!json) console.error(`running ${benchmark.name}...`)
  rows.push(...(await benchmark.run()))
}
if (json) console.log(JSON.stringify(rows, null, 2))
else printTable(rows)
process.exit(0)

import { writeSync } from 'node:fs'
import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import { fileSystem } from '@japa/file-system'
import { configure, processCLIArgs, run } from '@japa/runner'
import { spec } from '@japa/runner/reporters'
import type { NamedReporterContract } from '@japa/runner/types'

/**
 * CI tooling reads one plain line, `N passed, N failed[, N skipped]`,
 * alone on a line at the very end.
 */
const summaryLine: NamedReporterContract = {
  name: 'summary-line',
  handler(runner, emitter) {
    emitter.on('runner:end', () => {
      const { passed, failed, skipped } = runner.getSummary().aggregates
      // Written on exit so that it comes after Japa's own summary.
      process.once('exit', () => {
        writeSync(1, `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
      })
    })
  },
}

const [major] = process.versions.node.split('.').map(Number)
if (major < 24) {
  console.error(
    `djamazing needs Node.js >= 24, this is ${process.version}. Run the tests with "npm test".`
  )
  process.exit(1)
}

processCLIArgs(process.argv.splice(2))
configure({
  suites: [
    { name: 'unit', files: ['tests/unit/**/*.spec.ts'], timeout: 10_000 },
    { name: 'integration', files: ['tests/integration/**/*.spec.ts'], timeout: 120_000 },
    // The packed tarball in fresh projects, configure on the official
    // starter kits, a real browser, load, gigabyte streams: minutes each,
    // left to `npm run test:e2e`.
    { name: 'e2e', files: ['tests/e2e/**/*.spec.ts'], timeout: 120_000 },
    // One upload above 5 GiB through a real browser: `npm run test:big`,
    // run by hand (tens of minutes, gigabytes of disk), never in CI.
    { name: 'big', files: ['tests/big/**/*.spec.ts'], timeout: 3_600_000 },
  ],
  // `npm test` runs these; `npm run test:e2e` names the e2e suite instead.
  filters: { suites: ['unit', 'integration'] },
  plugins: [assert(), apiClient(), fileSystem({ autoClean: true })],
  reporters: { activated: ['spec', 'summary-line'], list: [spec(), summaryLine] },
  forceExit: true,
})

run()

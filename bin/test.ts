import { writeSync } from 'node:fs'
import { glob } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
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
/**
 * The end-to-end tests: the packed tarball installed into fresh projects,
 * configure on the official starter kits, a real browser, load. Minutes
 * each, so `npm test` leaves them to `npm run test:e2e`.
 */
const E2E = [
  'tests/integration/package_install.spec.ts',
  'tests/integration/packed_app.spec.ts',
  'tests/integration/configure_starter_kits.spec.ts',
  'tests/integration/load_*.spec.ts',
  'tests/browser/**/*.spec.ts',
]

configure({
  suites: [
    { name: 'unit', files: ['tests/unit/**/*.spec.ts'], timeout: 10_000 },
    {
      name: 'integration',
      files: async () => {
        const e2e = new Set<string>()
        for (const pattern of E2E) for await (const file of glob(pattern)) e2e.add(file)
        const files: URL[] = []
        for await (const file of glob('tests/integration/**/*.spec.ts')) {
          if (!e2e.has(file)) files.push(pathToFileURL(file))
        }
        return files.sort((a, b) => a.href.localeCompare(b.href))
      },
      timeout: 120_000,
    },
    { name: 'e2e', files: E2E, timeout: 120_000 },
  ],
  // `npm test` runs these; `npm run test:e2e` names the e2e suite instead.
  filters: { suites: ['unit', 'integration'] },
  plugins: [assert(), apiClient(), fileSystem({ autoClean: true })],
  reporters: { activated: ['spec', 'summary-line'], list: [spec(), summaryLine] },
  forceExit: true,
})

run()

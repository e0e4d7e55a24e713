import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from '@japa/runner'

const run = promisify(execFile)

// The large-stream child process (tests/helpers/put_stream_rss_process.ts,
// used by the 1 GiB putStream test and the driver benchmark) runs under
// Node's own type stripping, without a loader, so that nothing but the
// upload is in its memory figure. Node refuses TypeScript that is more than
// types there (parameter properties, enums, namespaces): this loads what
// that process loads the same way.
test.group('Benchmark child process', () => {
  test("the driver and the byte streams load under Node's own type stripping", async ({
    assert,
  }) => {
    const modules = ['../../../src/driver.ts', '../../helpers/byte_stream.ts'].map(
      (path) => new URL(path, import.meta.url).href
    )
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `${modules.map((url) => `await import(${JSON.stringify(url)})`).join('\n')}
console.log('loaded')`,
    ])
    assert.equal(stdout.trim(), 'loaded')
  }).timeout(30_000)
})

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { assertSharpInstalled, loadSharp } from '../../../src/variants/sharp.ts'

const run = promisify(execFile)

// docs/variants.md tells to install sharp, and what a disk says without it.
test.group('Variants | sharp, an optional peer dependency', () => {
  test('installed: found at once, loaded when first used', async ({ assert }) => {
    assert.doesNotThrow(() => assertSharpInstalled('services.photos.variants'))
    const sharp = await loadSharp('services.photos.variants')
    const header = await sharp(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"/>'),
      { limitInputPixels: 100, failOn: 'warning', sequentialRead: true }
    ).metadata()
    assert.deepInclude(header, { format: 'svg', width: 3, height: 2 })
    // Imported once: later variants do not resolve the module again (under
    // a loader, a round trip to its thread for every variant).
    assert.strictEqual(loadSharp('services.photos.variants'), loadSharp('other.setting'))
  })

  test('missing: E_DJAMAZING_SHARP_MISSING names the disk setting and the install command', async ({
    assert,
  }) => {
    const { stdout } = await run(
      process.execPath,
      ['--import=@poppinss/ts-exec', 'tests/fixtures/variants/without_sharp.ts'],
      { timeout: 60_000 }
    )
    const report = JSON.parse(stdout.trim().split('\n').pop()!)
    for (const entry of [report.assert, report.load]) {
      assert.equal(entry.code, 'E_DJAMAZING_SHARP_MISSING')
      assert.include(entry.message, '"services.photos.variants" declares image variants')
      assert.include(entry.message, 'npm install sharp')
    }
  })
})

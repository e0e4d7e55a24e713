import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../index.ts'
import type { DjamazingOptions } from '../../../src/types.ts'

const run = promisify(execFile)

/*
 * The settings of docs/invalidation.md: its install command (the missing
 * package's error names it) and the disk fragment, whose distribution id
 * comes from CLOUDFRONT_DISTRIBUTION_ID.
 */

const disk = (invalidation: DjamazingOptions['invalidation']) =>
  new DjamazingDriver({
    disk: 'static',
    mode: 'public',
    bucket: 'site',
    region: 'us-east-1',
    cdnUrl: 'https://cdn.example.com',
    invalidation,
  })

test.group('Invalidation | settings', () => {
  test('the distribution id comes from CLOUDFRONT_DISTRIBUTION_ID, and a missing one names the setting', ({
    assert,
    cleanup,
  }) => {
    const before = process.env.CLOUDFRONT_DISTRIBUTION_ID
    cleanup(() => {
      if (before === undefined) delete process.env.CLOUDFRONT_DISTRIBUTION_ID
      else process.env.CLOUDFRONT_DISTRIBUTION_ID = before
    })
    delete process.env.CLOUDFRONT_DISTRIBUTION_ID
    assert.throws(
      () => disk({}),
      /Invalid "services.static.invalidation.distributionId": the id of the CloudFront distribution is missing: set CLOUDFRONT_DISTRIBUTION_ID/
    )
    process.env.CLOUDFRONT_DISTRIBUTION_ID = 'E2QWRUHAPOMQZL'
    assert.equal(disk({}).resolvedDisk.invalidation?.distributionId, 'E2QWRUHAPOMQZL')
    assert.isUndefined(disk(undefined).resolvedDisk.invalidation, 'opt-in')
  })

  test("limits beyond CloudFront's and bad values are refused at boot, naming the setting", ({
    assert,
  }) => {
    const id = { distributionId: 'EDFDVBD6EXAMPLE' }
    assert.throws(
      () => disk({ ...id, maxPaths: 3001 }),
      /invalidation.maxPaths": 3001 must be a whole number from 1 to 3000/
    )
    assert.throws(
      () => disk({ ...id, maxWildcards: 16 }),
      /invalidation.maxWildcards": 16 must be a whole number from 1 to 15/
    )
    assert.throws(() => disk({ ...id, wildcardAbove: 0 }), /invalidation.wildcardAbove/)
    assert.throws(() => disk({ ...id, batchWindow: '1 fortnight' }), /invalidation.batchWindow/)
    assert.throws(() => disk({ ...id, endpoint: 'not a url' }), /invalidation.endpoint/)
    assert.throws(() => disk({ distributionId: 'a/b' }), /is not a CloudFront distribution id/)
    assert.doesNotThrow(() => disk({ ...id, wildcardAbove: Infinity, maxPaths: 3000 }))
  })

  test('without @aws-sdk/client-cloudfront: E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING says how to install it', async ({
    assert,
  }) => {
    const { stdout } = await run(
      process.execPath,
      ['--import=@poppinss/ts-exec', 'tests/fixtures/invalidation/without_client.ts'],
      { timeout: 60_000 }
    )
    const report = JSON.parse(stdout.trim().split('\n').pop()!)
    assert.equal(report.code, 'E_DJAMAZING_CLOUDFRONT_CLIENT_MISSING')
    assert.include(report.message, '"services.static.invalidation" invalidates CloudFront paths')
    assert.include(report.message, 'npm install @aws-sdk/client-cloudfront')
  })
})

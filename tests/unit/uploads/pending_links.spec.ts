import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'

/*
 * Unconfirmed uploads are never served, whatever URL the app makes: an
 * app that lists its disk and renders a link for every key must not hand
 * out links to other users' pending uploads (unchecked bytes).
 */
test.group('Direct uploads | no URL is made for a key under the pending prefix', () => {
  test('{$self} refuses a pending key with E_DJAMAZING_INVALID_KEY')
    .with(['protected', 'public'] as const)
    .run(async ({ assert }, mode) => {
      const driver = new DjamazingDriver(
        protectedDiskOptions({ mode, prefix: 'media/', uploads: { pendingPrefix: 'incoming' } })
      )
      const pending = 'incoming/0b6c5f0e-8a0e-4a4e-9d1e-1f6f0d1f2a3b'
      const attempts: [string, () => Promise<string>][] = [
        ['getUrl', () => driver.getUrl(pending)],
        ['getSignedUrl', () => driver.getSignedUrl(pending)],
      ]
      if (mode === 'protected') {
        attempts.push(['linkFor', () => driver.linkFor(pending)])
        attempts.push([
          'linkForFolder',
          () => driver.linkForFolder('incoming/', { entry: 'index.m3u8' }),
        ])
      }
      for (const [name, attempt] of attempts) {
        const error = await attempt().catch((e) => e)
        assert.equal(error?.code, 'E_DJAMAZING_INVALID_KEY', name)
        assert.include(error.message, 'pending', name)
      }
      // Keys beside it are served as before.
      assert.isString(await driver.getUrl('incoming-archive/a.png'))
    })
})

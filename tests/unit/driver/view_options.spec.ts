// Documented in docs/protected-links.md (repeat views, media and downloads).
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'

function disk(options: Partial<DjamazingOptions> = {}) {
  return new DjamazingDriver(protectedDiskOptions(options))
}

const queryOf = (link: string) => new URLSearchParams(link.split('?')[1])

test.group('Disk options for view lifetimes', () => {
  test('viewFor needs redirects.maxViewFor and stays under it', async ({ assert }) => {
    await assert.rejects(
      () => disk().linkFor('talk.wav', { viewFor: '1h' }),
      /Invalid link option "viewFor": this disk sets no redirects.maxViewFor/
    )
    await assert.rejects(
      () => disk({ redirects: { maxViewFor: '30m' } }).linkFor('talk.wav', { viewFor: '1h' }),
      /longer than the disk's redirects.maxViewFor \(1800 s\)/
    )
    const link = await disk({ redirects: { maxViewFor: '2h' } }).linkFor('talk.wav', {
      viewFor: '2h',
      bindIp: true,
    })
    assert.equal(queryOf(link).get('v'), '7200')
    assert.equal(queryOf(link).get('ip'), '1')
  })

  test('redirects.mediaViews applies by content type (extension or the link override)', async ({
    assert,
  }) => {
    const media = disk({
      redirects: {
        mediaViews: { contentTypes: ['audio/*', 'video/webm'], viewFor: '20m', bindIp: true },
      },
    })
    for (const key of ['a.wav', 'b.mp3', 'c.webm']) {
      const query = queryOf(await media.getUrl(key))
      assert.equal(query.get('v'), '1200', key)
      assert.equal(query.get('ip'), '1', key)
    }
    for (const key of ['d.mp4', 'e.png', 'no-extension']) {
      const query = queryOf(await media.getUrl(key))
      assert.isNull(query.get('v'), key)
      assert.isNull(query.get('ip'), key)
    }
    const overridden = queryOf(await media.linkFor('blob', { contentType: 'audio/ogg' }))
    assert.equal(overridden.get('v'), '1200')
    // A download of a video as a file: the override decides.
    const download = queryOf(
      await media.linkFor('c.webm', { contentType: 'application/octet-stream' })
    )
    assert.isNull(download.get('v'))
    // redirects.maxViewFor defaults to redirects.mediaViews.viewFor.
    await assert.rejects(() => media.linkFor('a.wav', { viewFor: 1201 }), /maxViewFor \(1200 s\)/)
  })

  test('bad settings fail when the disk is created, naming the setting', ({ assert }) => {
    assert.throws(
      () => disk({ redirects: { window: '1.5s' } }),
      /"services.uploads.redirects.window": a window is a whole number of seconds/
    )
    assert.throws(
      () => disk({ redirects: { window: 'soon' } }),
      /services.uploads.redirects.window/
    )
    assert.throws(
      () => disk({ redirects: { window: 60, cacheSize: 0 } }),
      /services.uploads.redirects.cacheSize/
    )
    assert.throws(
      () =>
        disk({
          redirects: {
            maxViewFor: '10m',
            mediaViews: { contentTypes: ['video/*'], viewFor: '1h' },
          },
        }),
      /services.uploads.redirects.mediaViews.viewFor": it is longer than redirects.maxViewFor/
    )
    assert.throws(
      () => disk({ redirects: { mediaViews: { contentTypes: ['video'], viewFor: '1h' } } }),
      /services.uploads.redirects.mediaViews.contentTypes/
    )
    assert.throws(
      () => disk({ cacheControl: 'max-age=1\r\nSet-Cookie: a=b' }),
      /services.uploads.cacheControl/
    )
    assert.doesNotThrow(() => disk({ redirects: { window: '5m' } }))
  })
})

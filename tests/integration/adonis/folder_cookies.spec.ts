import { test } from '@japa/runner'
import { startAdonisApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS: folder cookies must reach the CDN', () => {
  test('a CDN on another host, without a cookie domain, fails at boot', async ({ assert }) => {
    await assert.rejects(
      () =>
        startAdonisApp({ cdnUrl: 'https://cdn.example.com/media', uploads: { folderCookies: {} } }),
      /services.uploads.folderCookies.domain": the CDN \(cdn.example.com\) is not the app's host \(127.0.0.1\)/
    )
  })

  test('a cookie domain the app is not under fails at boot', async ({ assert }) => {
    await assert.rejects(
      () =>
        startAdonisApp({
          cdnUrl: 'https://cdn.example.com/media',
          uploads: { folderCookies: { domain: '.example.com' } },
        }),
      /the app \(127.0.0.1\) and the CDN \(cdn.example.com\) must both be under ".example.com"/
    )
  })
})

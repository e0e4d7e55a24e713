import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS provider | the redirect routes', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('no redirect route is registered for the public disk, and no route name starts with drive.', async ({
    assert,
  }) => {
    const router = await app.app.container.make('router')
    const names = router.toJSON().root.map((route) => route.name)
    assert.includeMembers(names, ['djamazing.uploads.redirect', 'djamazing.other.redirect'])
    assert.notInclude(names, 'djamazing.static.redirect')
    assert.isFalse(names.some((name) => name?.startsWith('drive.')))
  })
})

test.group('AdonisJS provider | the local edge', () => {
  test('is mounted where cdnUrl points at the app, once for the disks sharing it', async ({
    assert,
  }) => {
    const app = await startAdonisApp()
    try {
      const router = await app.app.container.make('router')
      const edges = router.toJSON().root.filter((route) => route.name?.endsWith('.edge'))
      assert.deepEqual(
        edges.map((route) => route.pattern),
        ['/cdn/*']
      )
    } finally {
      await app.stop()
    }
  })

  test('is not mounted for a CDN elsewhere', async ({ assert }) => {
    const app = await startAdonisApp({ cdnUrl: 'https://d111111abcdef8.cloudfront.net' })
    try {
      const router = await app.app.container.make('router')
      const names = router.toJSON().root.map((route) => route.name)
      assert.isFalse(names.some((name) => name?.endsWith('.edge')))
      assert.include(names, 'djamazing.uploads.redirect')
    } finally {
      await app.stop()
    }
  })
})

import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../helpers/adonis_app.ts'

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

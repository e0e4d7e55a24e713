import { test } from '@japa/runner'
import { startAdonisApp, USERS, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS | revoking every link of a user with userRevision', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp({ uploads: { userRevision: (user) => user.linksRevision } })
    return () => app.stop()
  })

  test('bumping the user’s revision kills the links made before, new ones work', async ({
    assert,
  }) => {
    const alice = USERS.find((user) => user.name === 'alice')!
    const cookie = await app.login('alice')
    const before = await app.urlFor(cookie, 'alice/a.txt')
    const status = async (link: string) => {
      const response = await fetch(`${app.baseUrl}${link}`, {
        headers: { cookie },
        redirect: 'manual',
      })
      return response.status
    }
    assert.equal(await status(before), 302)

    alice.linksRevision++
    try {
      assert.equal(await status(before), 403)
      const after = await app.urlFor(cookie, 'alice/a.txt')
      assert.equal(await status(after), 302)
    } finally {
      alice.linksRevision--
    }
  })
})

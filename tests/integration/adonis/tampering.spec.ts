import { test } from '@japa/runner'
import { startAdonisAppWithAliceLink, type AdonisTestApp } from '../../helpers/adonis_app.ts'

/**
 * Every position of the link (path after the disk, and the whole query)
 * gets a different character, one at a time.
 */
function singleCharacterTamperings(link: string, from: number): string[] {
  const tampered: string[] = []
  for (let i = from; i < link.length; i++) {
    const original = link[i]
    // A replacement that keeps the link parseable where possible.
    const replacement = /[0-9]/.test(original)
      ? String((Number(original) + 1) % 10)
      : /[a-z]/.test(original)
        ? original === 'z'
          ? 'a'
          : String.fromCharCode(original.charCodeAt(0) + 1)
        : /[A-Z]/.test(original)
          ? original === 'Z'
            ? 'A'
            : String.fromCharCode(original.charCodeAt(0) + 1)
          : original === '_'
            ? '-'
            : '_'
    tampered.push(`${link.slice(0, i)}${replacement}${link.slice(i + 1)}`)
  }
  return tampered
}

test.group('AdonisJS redirect route | tampering', (group) => {
  let app: AdonisTestApp
  let alice: string
  let link: string

  group.setup(async () => {
    ;({ app, alice, link } = await startAdonisAppWithAliceLink('alice/notes 2024.txt'))
    return () => app.stop()
  })

  test('every single-character change of alice’s link is refused', async ({ assert }) => {
    const genuine = await fetch(`${app.baseUrl}${link}`, {
      headers: { cookie: alice },
      redirect: 'manual',
    })
    assert.equal(genuine.status, 302)

    const statusOf = async (url: string) => {
      const response = await fetch(`${app.baseUrl}${url}`, {
        headers: { cookie: alice },
        redirect: 'manual',
      })
      await response.arrayBuffer()
      return response.status
    }

    // The key and the query: the link's MAC covers them, so 403.
    const keyAndQuery = singleCharacterTamperings(link, '/djamazing/uploads/'.length)
    assert.isAbove(keyAndQuery.length, 60)
    const notRefused: string[] = []
    for (const tampered of keyAndQuery) {
      const status = await statusOf(tampered)
      if (status !== 403) notRefused.push(`${status} ${tampered}`)
    }
    assert.deepEqual(notRefused, [])

    // The disk name: no such disk, 404.
    for (const tampered of singleCharacterTamperings(link, '/djamazing/'.length).slice(
      0,
      'uploads'.length
    )) {
      assert.equal(await statusOf(tampered), 404, tampered)
    }
  })
})

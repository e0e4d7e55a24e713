import { test } from '@japa/runner'
import { rawRequest } from '../../helpers/edge.ts'
import { startAdonisAppWithAliceLink, type AdonisTestApp } from '../../helpers/adonis_app.ts'

/**
 * Sends a raw request target, byte for byte (fetch would normalise it).
 */
async function rawStatus(app: AdonisTestApp, target: string, method = 'GET', cookie?: string) {
  const headers: Record<string, string> = cookie ? { cookie } : {}
  const response = await rawRequest(app.baseUrl, target, { method, headers })
  return response.status
}

test.group('AdonisJS redirect route | malformed links', (group) => {
  let app: AdonisTestApp
  let alice: string
  let link: string

  group.setup(async () => {
    ;({ app, alice, link } = await startAdonisAppWithAliceLink('alice/a.txt'))
    return () => app.stop()
  })

  test('no malformed link gets a 500 or a redirect', async ({ assert }) => {
    const [path, query] = link.split('?')
    const params = new URLSearchParams(query)
    const names = [...params.keys()]
    const without = (name: string) => {
      const copy = new URLSearchParams(params)
      copy.delete(name)
      return `${path}?${copy}`
    }
    const withValue = (name: string, value: string) => {
      const copy = new URLSearchParams(params)
      copy.set(name, value)
      return `${path}?${copy}`
    }

    const targets = [
      '/djamazing/uploads/',
      '/djamazing/uploads',
      '/djamazing/uploads//',
      '/djamazing/uploads/alice/a.txt',
      '/djamazing/uploads/alice/a.txt?',
      '/djamazing/uploads/alice/a.txt?&&&',
      '/djamazing/uploads/alice/a.txt?=',
      '/djamazing/uploads/alice/a.txt?a=b',
      `${path}`,
      `${path}?${query}&${query}`,
      `${path}?${query}&extra=1`,
      `${path}?extra=1&${query}`,
      `${path}?${query}#fragment`,
      `${path}?${query.replaceAll('&', ';')}`,
      `${path}?${query.toUpperCase()}`,
      `${path}?${encodeURIComponent(query)}`,
      `${path}??${query}`,
      `${path}/?${query}`,
      `${path}%00?${query}`,
      `${path}%?${query}`,
      `${path}%zz?${query}`,
      `${path}%E0%A4%A?${query}`,
      `${path}%C0%AF?${query}`,
      `${path}%FF?${query}`,
      `/djamazing/uploads/%2e%2e/alice/a.txt?${query}`,
      `/djamazing/uploads/../uploads/alice/a.txt?${query}`,
      `/djamazing/uploads/alice/../alice/a.txt?${query}`,
      `/djamazing/uploads/alice/./a.txt?${query}`,
      `/djamazing/uploads/alice%2Fa.txt?${query}`,
      `/djamazing/uploads/alice%2fa.txt?${query}`,
      `/djamazing/uploads/ALICE/a.txt?${query}`,
      `/djamazing/uploads/alice/a.txt%20?${query}`,
      `/djamazing/uploads/%5Calice%5Ca.txt?${query}`,
      `/djamazing/uploads/alice\\a.txt?${query}`,
      `/djamazing/uploads/${'a/'.repeat(600)}a.txt?${query}`,
      `/djamazing/uploads/${'x'.repeat(5000)}?${query}`,
      `${path}?${query}${'&x=1'.repeat(500)}`,
      `/djamazing/%75ploads/alice/a.txt?${query}`,
      `/djamazing/UPLOADS/alice/a.txt?${query}`,
      `/djamazing/uploads%2Falice/a.txt?${query}`,
      `/djamazing//uploads/alice/a.txt?${query}`,
      `//djamazing/uploads/alice/a.txt?${query}`,
      `/djamazing/no_such_disk/alice/a.txt?${query}`,
      `/djamazing/static/alice/a.txt?${query}`,
      `/djamazing/other/alice/a.txt?${query}`,
      ...names.map(without),
      ...names.flatMap((name) => [
        withValue(name, ''),
        withValue(name, '%'),
        withValue(name, 'x'.repeat(10_000)),
        withValue(name, '-1'),
        withValue(name, '1e400'),
        withValue(name, '\u0000'),
        withValue(name, '😀'),
        withValue(name, '[object Object]'),
        `${path}?${query}&${name}=${params.get(name)}`,
        `${path}?${query.replace(`${name}=`, `${name}[]=`)}`,
        `${path}?${query.replace(`${name}=`, `${name}[a]=`)}`,
      ]),
    ]
    assert.isAtLeast(new Set(targets).size, 50)

    const bad: string[] = []
    for (const target of targets) {
      for (const [method, cookie] of [
        ['GET', alice],
        ['HEAD', alice],
        ['GET', undefined],
      ] as const) {
        const status = await rawStatus(app, target, method, cookie)
        if (status >= 500 || (status >= 300 && status < 400)) {
          bad.push(`${method} ${status} ${target.slice(0, 120)}`)
        }
      }
    }
    assert.deepEqual(bad, [])

    // The genuine link still works: the checks above could fail.
    assert.equal(await rawStatus(app, link, 'GET', alice), 302)
  })
})

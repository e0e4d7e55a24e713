import { test } from '@japa/runner'
import { CookieClient } from '../helpers/cookie_client.ts'
import { isAlive, startDemoApp, type DemoApp } from '../helpers/demo_app.ts'

test.group('npm run demo', (group) => {
  let demo: DemoApp | undefined
  group.each.teardown(async () => {
    await demo?.stop()
    demo = undefined
  })

  test('serves the app, lets alice log in and upload, and stops on SIGINT leaving no process', async ({
    assert,
  }) => {
    demo = await startDemoApp()
    const children = await demo.childPids()
    assert.lengthOf(children, 1, 'the S3 server runs in one child process')

    const browser = new CookieClient(demo.url)
    const guest = await browser.get('/files')
    assert.equal(guest.status, 302)
    assert.equal(guest.headers.get('location'), '/login')

    const wrong = await browser.postForm('/login', { username: 'alice', password: 'nope' })
    assert.equal(wrong.headers.get('location'), '/login')

    const login = await browser.postForm('/login', {
      username: 'alice',
      password: demo.passwords.alice,
    })
    assert.equal(login.status, 302)
    assert.equal(login.headers.get('location'), '/files')

    const bytes = Buffer.from(`report ${Date.now()}\n`.repeat(1000))
    const form = new FormData()
    form.append('file', new Blob([bytes], { type: 'text/plain' }), 'quarterly report.txt')
    const upload = await browser.postMultipart('/files', form)
    assert.equal(upload.status, 302)

    const gallery = await browser.get('/files')
    assert.equal(gallery.status, 200)
    assert.include(await gallery.text(), 'quarterly report.txt')

    const exitCode = await demo.stop()
    demo = undefined
    assert.equal(exitCode, 0)
    for (const pid of children) assert.isFalse(isAlive(pid), `process ${pid} is still running`)
  }).timeout(90_000)
})

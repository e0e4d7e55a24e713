import { test } from '@japa/runner'
import { freePort, startNodeServer } from '../../helpers/app_process.ts'

/*
 * startNodeServer waits on the server's own event (AdonisJS's IPC message,
 * or a line it prints), never by polling, and fails as soon as the child
 * exits, with what it printed.
 */
test.group('Test harness | startNodeServer', () => {
  test('a plain server is ready on the line it prints, and answers then', async ({ assert }) => {
    const port = await freePort()
    const script = `require('node:http').createServer((req, res) => res.end('up'))
      .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('Listening on ' + process.env.PORT))`
    const app = await startNodeServer(process.cwd(), ['-e', script], port, {}, /^Listening on /m)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`)
      assert.equal(await response.text(), 'up')
      assert.include(app.output(), `Listening on ${port}`)
    } finally {
      await app.stop()
    }
    await assert.rejects(() => fetch(`http://127.0.0.1:${port}/`))
  })

  test("AdonisJS's ready message over the IPC channel is the event", async ({ assert }) => {
    const port = await freePort()
    // What an AdonisJS HTTP server sends its parent (app.notify) once it listens.
    const script = `require('node:http').createServer((req, res) => res.end('adonis'))
      .listen(Number(process.env.PORT), '127.0.0.1', () =>
        process.send({ isAdonisJS: true, environment: 'web', port: Number(process.env.PORT) }))`
    const app = await startNodeServer(process.cwd(), ['-e', script], port)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`)
      assert.equal(await response.text(), 'adonis')
      assert.equal(app.output(), '')
    } finally {
      await app.stop()
    }
  })

  test('a child that exits before it listens fails at once, with its stderr', async ({
    assert,
  }) => {
    const port = await freePort()
    const started = performance.now()
    const error = await startNodeServer(
      process.cwd(),
      ['-e', `console.error('E_BROKEN_CONFIG: no bucket'); process.exit(3)`],
      port
    ).then(
      () => null,
      (reason: Error) => reason
    )
    assert.instanceOf(error, Error)
    assert.include(error!.message, 'exited (code 3) before it listened')
    assert.include(error!.message, 'E_BROKEN_CONFIG: no bucket')
    // A generous ceiling, far below the 90 s deadline a hang would take.
    assert.isBelow(performance.now() - started, 30_000)
  })
})

import { test } from '@japa/runner'
import { asUser } from '../../../index.ts'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

test.group('AdonisJS | links outside a request and for guests', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('a protected getUrl outside a request, with no user named, is E_DJAMAZING_NO_REQUEST', async ({
    assert,
  }) => {
    try {
      await app.drive.use('uploads').getUrl('alice/a.txt')
      assert.fail('getUrl should have thrown')
    } catch (error: any) {
      assert.equal(error.cause?.code ?? error.code, 'E_DJAMAZING_NO_REQUEST')
    }
  })

  // The asUser example of docs/adonisjs.md.
  test('asUser names the user outside a request; the link works for that user only', async ({
    assert,
  }) => {
    const link = await asUser({ id: 1, name: 'alice' }, () =>
      app.drive.use('uploads').getUrl('alice/a.txt')
    )
    const alice = await app.login('alice')
    const bob = await app.login('bob')
    const asAlice = await fetch(`${app.baseUrl}${link}`, {
      headers: { cookie: alice },
      redirect: 'manual',
    })
    const asBob = await fetch(`${app.baseUrl}${link}`, {
      headers: { cookie: bob },
      redirect: 'manual',
    })
    assert.equal(asAlice.status, 302)
    assert.equal(asBob.status, 403)
  })

  test('a guest getUrl on a disk without guest links is E_DJAMAZING_GUEST_LINK', async ({
    assert,
  }) => {
    const response = await fetch(`${app.baseUrl}/url?disk=uploads&key=a.txt`)
    assert.equal(response.status, 500)
    assert.deepEqual(await response.json(), { error: 'E_DJAMAZING_GUEST_LINK' })
    try {
      await asUser(null, () => app.drive.use('uploads').getUrl('a.txt'))
      assert.fail('getUrl should have thrown')
    } catch (error: any) {
      assert.equal(error.cause?.code ?? error.code, 'E_DJAMAZING_GUEST_LINK')
    }
  })
})

test.group('AdonisJS | a guest link in a template', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('driveUrl for a guest logs E_DJAMAZING_GUEST_LINK and its fix, and keeps the cause', async ({
    assert,
  }) => {
    // The app's own logger, its warnings recorded as well as written.
    const logger = await app.app.container.make('logger')
    const warnings: { err?: Error; message: string }[] = []
    const warn = logger.warn.bind(logger)
    logger.warn = ((object: any, message: string) => {
      warnings.push({ err: object?.err, message })
      return warn(object, message)
    }) as typeof logger.warn

    try {
      const response = await fetch(`${app.baseUrl}/edge-template?key=a.txt`)
      assert.equal(response.status, 500)
    } finally {
      logger.warn = warn
    }

    assert.lengthOf(warnings, 1)
    const [{ err, message }] = warnings
    assert.match(message, /^E_DJAMAZING_GUEST_LINK: /)
    assert.include(message, '@if(auth.user)')
    assert.include(message, 'guestLinks: true')
    assert.equal((err as any)?.code, 'E_DJAMAZING_GUEST_LINK')
  })

  test('the error a guest getUrl raises keeps E_DJAMAZING_GUEST_LINK as its cause', async ({
    assert,
  }) => {
    const error = await asUser(null, () => app.drive.use('uploads').getUrl('a.txt')).catch(
      (failure) => failure
    )
    assert.equal(error.code, 'E_CANNOT_GENERATE_URL')
    assert.equal(error.cause.code, 'E_DJAMAZING_GUEST_LINK')
  })
})

test.group('AdonisJS | a disk with guest links', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp({ uploads: { links: { guestLinks: true } } })
    return () => app.stop()
  })

  test('a guest gets a link that works for guests', async ({ assert }) => {
    const link = await app.urlFor(null, 'public/flyer.pdf')
    const response = await fetch(`${app.baseUrl}${link}`, { redirect: 'manual' })
    assert.equal(response.status, 302)
  })
})

test.group('AdonisJS | an app without the auth middleware', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp({ authMiddleware: false })
    return () => app.stop()
  })

  test('a protected getUrl says to register the initialize-auth middleware', async ({ assert }) => {
    const response = await fetch(`${app.baseUrl}/url?disk=uploads&key=a.txt`)
    assert.deepEqual(await response.json(), { error: 'E_DJAMAZING_AUTH_MISSING' })
  })
})

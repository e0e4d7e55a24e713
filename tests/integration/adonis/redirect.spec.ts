import { test } from '@japa/runner'
import { CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { KEY_PAIR_ID, startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'

const KEY = 'alice/photo one.jpg'
const BYTES = Buffer.from('the bytes of alice’s photo')

test.group('AdonisJS redirect route | the owner of a link', (group) => {
  let app: AdonisTestApp
  let cookie: string
  let verifier: CloudFrontVerifier

  group.setup(async () => {
    app = await startAdonisApp({ uploads: { redirects: { expiresIn: '2s' } } })
    await app.drive.use('uploads').put(KEY, BYTES, { contentType: 'image/jpeg' })
    cookie = await app.login('alice')
    verifier = new CloudFrontVerifier({ publicKeys: { [KEY_PAIR_ID]: app.publicKey } })
    return () => app.stop()
  })

  test('getUrl is a link to the redirect route of the disk', async ({ assert }) => {
    const link = await app.urlFor(cookie, KEY)
    assert.match(link, /^\/djamazing\/uploads\/alice\/photo%20one\.jpg\?/)
  })

  test('alice following her link gets a 302 to a CloudFront signed URL that verifies', async ({
    client,
    assert,
  }) => {
    const link = await app.urlFor(cookie, KEY)
    const before = Date.now()
    const response = await client.get(`${app.baseUrl}${link}`).header('cookie', cookie).redirects(0)
    const after = Date.now()

    assert.equal(response.status(), 302)
    const location = response.header('location')!
    assert.isTrue(location.startsWith(`${app.baseUrl}/cdn/uploads/alice/photo%20one.jpg?`))

    const verified = verifier.verify({ url: location, now: new Date() })
    assert.isTrue(verified.ok, JSON.stringify(verified))
    if (!verified.ok) return
    // redirects.expiresIn 2 s from the moment the route signed (between
    // before and after), rounded up to whole seconds by the signer: bounds
    // from the clock around the request, however long it took.
    const expiresAt = verified.expiresAt.getTime()
    assert.isAtLeast(expiresAt, before + 2000)
    assert.isAtMost(expiresAt, Math.ceil((after + 2000) / 1000) * 1000)
    const later = verifier.verify({ url: location, now: new Date(Date.now() + 3500) })
    assert.isFalse(later.ok)
  })

  test('the redirect carries Cache-Control: private, no-store and Referrer-Policy: no-referrer', async ({
    client,
    assert,
  }) => {
    const link = await app.urlFor(cookie, KEY)
    const response = await client.get(`${app.baseUrl}${link}`).header('cookie', cookie).redirects(0)
    assert.equal(response.status(), 302)
    assert.equal(response.header('cache-control'), 'private, no-store')
    assert.equal(response.header('referrer-policy'), 'no-referrer')
  })

  test('HEAD answers like GET, without a body', async ({ client, assert }) => {
    const link = await app.urlFor(cookie, KEY)
    const response = await client
      .head(`${app.baseUrl}${link}`)
      .header('cookie', cookie)
      .redirects(0)
    assert.equal(response.status(), 302)
    assert.isTrue(verifier.verify({ url: response.header('location')! }).ok)
    assert.equal(response.header('cache-control'), 'private, no-store')
  })

  test('the CloudFront URL opens the file through the local edge mounted on the app', async ({
    assert,
  }) => {
    const link = await app.urlFor(cookie, KEY)
    const redirect = await fetch(`${app.baseUrl}${link}`, {
      headers: { cookie },
      redirect: 'manual',
    })
    const file = await fetch(redirect.headers.get('location')!)
    assert.equal(file.status, 200)
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), BYTES)
  })

  test('the CloudFront URL without its signature is refused by the edge', async ({ assert }) => {
    const unsigned = await fetch(`${app.baseUrl}/cdn/uploads/alice/photo%20one.jpg`)
    assert.equal(unsigned.status, 403)
  })
})

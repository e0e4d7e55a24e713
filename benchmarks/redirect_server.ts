import { sign, createPrivateKey } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import { asUser, type DjamazingDriver } from '../index.ts'
import { startAdonisApp, USERS } from '../tests/helpers/adonis_app.ts'

/**
 * The server side of the redirect benchmark, in a process of its own so
 * that autocannon does not share its event loop: the test app (real
 * AdonisJS, session guard, s3rver), plus two bare routes on the same
 * server to compare against. Sends `{ port, link, cookie, uniqueLinks,
 * sameShapePath }` to the parent.
 */
const keyType = process.argv[2] === 'rsa' ? 'rsa' : 'ec'
/**
 * `window`: the protected disk has a one-hour signature window (so no
 * boundary falls inside a run), and the server also sends 20,000 links
 * to distinct keys, more than its signature cache holds.
 */
const windowed = process.argv[3] === 'window'
/**
 * `variants`: the protected disk declares a thumbnail variant, and the
 * server also sends `variantLink`, a link to the thumbnail of the photo
 * `link` opens, followed once so the variant is stored and known.
 */
const variants = process.argv.includes('variants')
const target = 'https://d111111abcdef8.cloudfront.net/uploads/alice/photo.jpg'

let privateKey: ReturnType<typeof createPrivateKey>
let linkLocation = ''
const app = await startAdonisApp({
  keyType,
  uploads: {
    ...(windowed ? { redirects: { window: '1h', allowLongExpiry: true } } : {}),
    ...(variants ? { variants: { transforms: { thumb: { width: 320 } } } } : {}),
  },
  // No templates here: an Edge renderer per request would weigh on both sides.
  edge: false,
  routes(router) {
    // One synchronous RSA signature and a 302: what a plain route that
    // signs CloudFront URLs inline costs.
    router.get('/bare-sign', (ctx: HttpContext) => {
      const expires = Math.ceil(Date.now() / 1000) + 2
      const policy = `{"Statement":[{"Resource":"${target}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`
      const signature = sign('sha1', Buffer.from(policy), privateKey).toString('base64')
      ctx.response
        .status(302)
        .header('Location', `${target}?Expires=${expires}&Signature=${signature}`)
    })
    router.get('/bare', (ctx: HttpContext) => {
      ctx.response.status(302).header('Location', target)
    })
    // The session read and user lookup every authenticated route pays, then a 302.
    router.get('/bare-auth', async (ctx: HttpContext) => {
      if (!(await (ctx as any).auth.check())) return ctx.response.unauthorized()
      ctx.response.status(302).header('Location', target)
    })
    // The same, for the request the redirect route gets (a path and a
    // query as long, which AdonisJS parses for every route) and with the
    // answer it gives (its headers, a signed Location as long): what is
    // left between the two is the route's own work.
    router.get('/bare-auth/*', async (ctx: HttpContext) => {
      if (!(await (ctx as any).auth.check())) return ctx.response.unauthorized()
      ctx.response
        .status(302)
        .header('Cache-Control', 'private, no-store')
        .header('Referrer-Policy', 'no-referrer')
        .header('Location', linkLocation)
    })
  },
})
privateKey = createPrivateKey(app.privateKey)

const cookie = await app.login('alice')
const link = await app.urlFor(cookie, 'alice/photo.jpg')
const answer = await fetch(`${app.baseUrl}${link}`, { headers: { cookie }, redirect: 'manual' })
linkLocation = answer.headers.get('location')!
const sameShapePath = link.replace(/^\/djamazing\//, '/bare-auth/')
const uniqueLinks = await asUser(USERS[0], () =>
  Promise.all(
    Array.from({ length: 20_000 }, (_, i) => app.drive.use('uploads').getUrl(`alice/${i}.jpg`))
  )
)
let variantLink: string | undefined
if (variants) {
  const photo = await readFile(new URL('../tests/fixtures/photos/lumia_820.jpg', import.meta.url))
  const uploads = app.drive.use('uploads')
  await uploads.put('alice/photo.jpg', photo)
  variantLink = await asUser(USERS[0], () =>
    (uploads.driver as DjamazingDriver).getVariantUrl('alice/photo.jpg', 'thumb')
  )
  const made = await fetch(`${app.baseUrl}${variantLink}`, {
    headers: { cookie },
    redirect: 'manual',
  })
  if (made.status !== 302) throw new Error(`the variant link answered ${made.status}`)
}
process.send!({ port: app.port, link, cookie, uniqueLinks, sameShapePath, variantLink })
process.on('disconnect', () => {
  void app.stop().then(() => process.exit(0))
})

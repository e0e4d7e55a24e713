import { sign, createPrivateKey } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import { startAdonisApp } from '../tests/helpers/adonis_app.ts'

/**
 * The server side of the redirect benchmark, in a process of its own so
 * that autocannon does not share its event loop: the test app (real
 * AdonisJS, session guard, s3rver), plus two bare routes on the same
 * server to compare against. Sends `{ port, link, cookie }` to the parent.
 */
const keyType = process.argv[2] === 'rsa' ? 'rsa' : 'ec'
const target = 'https://d111111abcdef8.cloudfront.net/uploads/alice/photo.jpg'

let privateKey: ReturnType<typeof createPrivateKey>
const app = await startAdonisApp({
  keyType,
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
  },
})
privateKey = createPrivateKey(app.privateKey)

const cookie = await app.login('alice')
const link = await app.urlFor(cookie, 'alice/photo.jpg')
process.send!({ port: app.port, link, cookie })
process.on('disconnect', () => {
  void app.stop().then(() => process.exit(0))
})

import { generateKeyPairSync } from 'node:crypto'
import { parseEnv } from 'node:util'
import { test } from '@japa/runner'
import { startAdonisApp } from '../../helpers/adonis_app.ts'

/*
 * The CLOUDFRONT_PRIVATE_KEY of docs/configure.md.
 */

/**
 * A PEM kept in one environment variable, as hosts without files (PaaS)
 * and secret stores hold it: on one line, `\n` for its newlines.
 */
function oneLinePem() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
  return pem.replaceAll('\n', '\\n')
}

test.group('AdonisJS | the CloudFront private key from an environment variable', () => {
  for (const [how, value] of [
    ['with \\n escapes as the variable holds them', () => oneLinePem()],
    [
      'as .env gives it after parsing a double-quoted line',
      () => parseEnv(`CLOUDFRONT_PRIVATE_KEY="${oneLinePem()}"`).CLOUDFRONT_PRIVATE_KEY!,
    ],
  ] as const) {
    test(`signs protected links, the PEM given ${how}`, async ({ assert }) => {
      const privateKey = value()
      const app = await startAdonisApp({
        uploads: {
          cloudfront: { keyPairId: 'K2JCJMDEHXQW5F', privateKeyFile: undefined, privateKey },
        },
      })
      try {
        const alice = await app.login('alice')
        const link = await app.urlFor(alice, 'alice/a.txt')
        const response = await fetch(`${app.baseUrl}${link}`, {
          headers: { cookie: alice },
          redirect: 'manual',
        })
        assert.equal(response.status, 302)
        assert.include(response.headers.get('location'), 'Key-Pair-Id=K2JCJMDEHXQW5F')
      } finally {
        await app.stop()
      }
    })
  }
})

import { generateKeyPairSync } from 'node:crypto'
import { test } from '@japa/runner'
import { CloudFrontSigner, CloudFrontVerifier } from '../../../src/cloudfront/main.ts'

test.group('CloudFront signer | async signatures in parallel', () => {
  for (const kind of ['rsa', 'ec'] as const) {
    test(`many ${kind} signatures in flight at once all verify (each key copy signs alike)`, async ({
      assert,
    }) => {
      const { privateKey, publicKey } =
        kind === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const signer = new CloudFrontSigner({ keyPairId: 'K2JCJMDEHXQW5F', privateKey })
      const verifier = new CloudFrontVerifier({ publicKeys: { K2JCJMDEHXQW5F: publicKey } })
      const now = new Date()
      const urls = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          signer.signUrlAsync(`https://d111111abcdef8.cloudfront.net/f${i}.txt`, {
            expiresIn: 60,
            now,
          })
        )
      )
      assert.deepEqual(
        urls.map((url) => verifier.verify({ url }).ok),
        urls.map(() => true)
      )
      if (kind === 'rsa') {
        // RSA PKCS#1 v1.5 is deterministic: every copy gives the sync signature.
        const sync = signer.signUrl('https://d111111abcdef8.cloudfront.net/f0.txt', {
          expiresIn: 60,
          now,
        })
        assert.equal(urls[0].split('Signature=')[1], sync.split('Signature=')[1])
      }
    })
  }
})

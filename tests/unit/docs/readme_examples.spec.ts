import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import {
  CloudFrontSigner,
  CloudFrontVerifier,
  cloudFrontSetCookies,
  generateCloudFrontKeyPair,
  publicKeyFrom,
} from '../../../src/cloudfront/main.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/*
 * The examples of docs/cloudfront.md, run as written (the page marks each
 * block with this file, and tests/unit/docs/readme.spec.ts checks its lines are
 * here).
 */

const CDN = 'https://d111111abcdef8.cloudfront.net'

test.group('Documented examples | CloudFront signed URLs', (group) => {
  let directory: string
  const saved = {
    id: process.env.CLOUDFRONT_KEY_PAIR_ID,
    file: process.env.CLOUDFRONT_PRIVATE_KEY_FILE,
  }
  group.setup(async () => {
    directory = await mkdtemp(join(tmpdir(), 'djamazing-readme-'))
    const keyFile = join(directory, 'cloudfront_private_key.pem')
    await writeFile(keyFile, RSA_KEY.pem, { mode: 0o600 })
    process.env.CLOUDFRONT_KEY_PAIR_ID = RSA_KEY.id
    process.env.CLOUDFRONT_PRIVATE_KEY_FILE = keyFile
    return async () => {
      for (const [name, value] of [
        ['CLOUDFRONT_KEY_PAIR_ID', saved.id],
        ['CLOUDFRONT_PRIVATE_KEY_FILE', saved.file],
      ] as const) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      await rm(directory, { recursive: true, force: true })
    }
  })

  test('a signer from a key file signs URLs, on the event loop and off it', async ({ assert }) => {
    const signer = new CloudFrontSigner({
      keyPairId: process.env.CLOUDFRONT_KEY_PAIR_ID!,
      privateKeyFile: process.env.CLOUDFRONT_PRIVATE_KEY_FILE!,
    })
    const url = 'https://d111111abcdef8.cloudfront.net/photos/cat.jpg'
    const now = Date.now()
    const signed = signer.signUrl(url, { expiresIn: '10m' })
    const signedAsync = await signer.signUrlAsync(url, { expiresIn: 90 })

    // The shape docs/cloudfront.md shows.
    assert.match(
      signed,
      /^https:\/\/d111111abcdef8\.cloudfront\.net\/photos\/cat\.jpg\?Expires=\d+&Signature=[A-Za-z0-9~_-]+&Key-Pair-Id=K2JCJMDEHXQW5F$/
    )
    const expires = Number(new URL(signed).searchParams.get('Expires'))
    // Ten minutes from the moment of signing (between now and this line).
    assert.isAtLeast(expires * 1000, now + 600_000)
    assert.isAtMost(expires * 1000, Math.ceil((Date.now() + 600_000) / 1000) * 1000)

    const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })
    for (const candidate of [signed, signedAsync]) {
      assert.isTrue(verifier.verify({ url: candidate }).ok, candidate)
    }
  })

  test('a generated key pair: publicKeyFrom gives back its public half, and it verifies', async ({
    assert,
  }) => {
    const { privateKey, publicKey } = await generateCloudFrontKeyPair('ec') // or 'rsa'; PEM strings
    assert.equal(publicKeyFrom(privateKey), publicKey)
    assert.match(publicKey, /^-----BEGIN PUBLIC KEY-----\n/)

    const signer = new CloudFrontSigner({ keyPairId: 'KNEWECDSAKEY01', privateKey })
    const url = signer.signUrl(`${CDN}/a.txt`, { expiresIn: 60 })
    assert.include(url, '&Hash-Algorithm=SHA256')
    const verifier = new CloudFrontVerifier({ publicKeys: { KNEWECDSAKEY01: publicKey } })
    assert.isTrue(verifier.verify({ url }).ok)
  })

  test('signed cookies for a folder, as Set-Cookie headers of a node:http response', ({
    assert,
  }) => {
    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    const res = new ServerResponse(new IncomingMessage(new Socket()))

    const cookies = signer.signCookies({
      resource: 'https://cdn.example.com/hls/42/*',
      expiresIn: '2h',
    })
    res.setHeader('Set-Cookie', cloudFrontSetCookies(cookies, { domain: '.example.com' }))

    const headers = res.getHeader('set-cookie') as string[]
    assert.sameMembers(
      headers.map((header) => header.split('=')[0]),
      ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']
    )
    for (const header of headers) {
      assert.include(header, '; Domain=.example.com')
      assert.include(header, '; Secure')
      assert.include(header, '; HttpOnly')
      assert.notInclude(header.toLowerCase(), 'max-age')
    }

    // The browser sends them back; CloudFront accepts them for the folder only.
    const cookieHeader = headers.map((header) => header.split(';')[0]).join('; ')
    const verifier = new CloudFrontVerifier({ publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem } })
    const inside = 'https://cdn.example.com/hls/42/segment-001.ts'
    assert.isTrue(verifier.verify({ url: inside, cookies: cookieHeader }).ok)
    const outside = 'https://cdn.example.com/hls/43/segment-001.ts'
    assert.isFalse(verifier.verify({ url: outside, cookies: cookieHeader }).ok)
  })

  test('the verifier accepts a signed URL and refuses it once expired, as CloudFront words it', ({
    assert,
  }) => {
    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    const publicKeyPem = RSA_KEY.publicPem
    const url = signer.signUrl(`${CDN}/photos/cat.jpg`, { expiresIn: 60 })
    const req = new IncomingMessage(new Socket())
    const clientIp = '192.0.2.10'

    const verifier = new CloudFrontVerifier({ publicKeys: { K2JCJMDEHXQW5F: publicKeyPem } })
    const result = verifier.verify({ url, cookies: req.headers.cookie, now: new Date(), clientIp })
    assert.containsSubset(result, {
      ok: true,
      keyPairId: 'K2JCJMDEHXQW5F',
      policy: 'canned',
      resource: `${CDN}/photos/cat.jpg`,
      via: 'url',
      unsignedUrl: `${CDN}/photos/cat.jpg`,
    })

    const later = new Date(Date.now() + 120_000)
    assert.deepEqual(verifier.verify({ url, now: later, clientIp }), {
      ok: false,
      reason: 'expired',
      code: 'AccessDenied',
      message: 'Access denied',
    })
  })
})

import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import {
  CloudFrontSigner,
  generateCloudFrontKeyPair,
  publicKeyFrom,
} from '../../../src/cloudfront/main.ts'
import type { CloudFrontSignerOptions } from '../../../src/cloudfront/types.ts'
import {
  CDN,
  EC_KEY,
  EC_P384_KEY,
  ENCRYPTED_PEM,
  NOW,
  PASSPHRASE,
  PKCS1_ENCRYPTED_PEM,
  PKCS1_PEM,
  RSA_1024_KEY,
  RSA_KEY,
  RSA_NEXT_KEY,
} from '../../helpers/cloudfront_keys.ts'

/**
 * The error a signer construction throws, with its code and message.
 */
function constructionError(options: CloudFrontSignerOptions): { code: string; message: string } {
  try {
    new CloudFrontSigner(options)
  } catch (error) {
    return error as { code: string; message: string }
  }
  throw new Error('the signer was created')
}

const url = `${CDN}/keys.txt`

function signatureOf(signed: string): Buffer {
  const value = new URL(signed).searchParams.get('Signature')!
  return Buffer.from(value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'), 'base64')
}

/**
 * The canned policy of `resource` a CloudFront signed URL's signature
 * covers, rebuilt from the URL's `Expires` as CloudFront does.
 */
function cannedPolicyOf(resource: string, signed: string): Buffer {
  const expires = new URL(signed).searchParams.get('Expires')
  return Buffer.from(
    `{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`
  )
}

test.group('CloudFront keys | accepted forms', (group) => {
  let dir: string
  group.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'djamazing-keys-'))
    return () => rm(dir, { recursive: true, force: true })
  })

  test('{0} signs a URL that the public key verifies')
    .with([
      ['PKCS#8 PEM text', () => ({ privateKey: RSA_KEY.pem })],
      ['PKCS#1 PEM text', () => ({ privateKey: PKCS1_PEM })],
      ['a KeyObject', () => ({ privateKey: RSA_KEY.privateKey })],
      [
        'encrypted PKCS#8 with passphrase',
        () => ({ privateKey: ENCRYPTED_PEM, passphrase: PASSPHRASE }),
      ],
      [
        'encrypted PKCS#1 with passphrase',
        () => ({ privateKey: PKCS1_ENCRYPTED_PEM, passphrase: PASSPHRASE }),
      ],
      [
        'PEM with literal \\n (environment variable)',
        () => ({ privateKey: RSA_KEY.pem.replaceAll('\n', '\\n') }),
      ],
    ] as const)
    .run(({ assert }, [, options]) => {
      const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, ...options() })
      const signed = signer.signUrl(url, { expiresIn: 60, now: NOW })
      const policy = cannedPolicyOf(url, signed)
      assert.isTrue(
        verify('sha1', policy, createPublicKey(RSA_KEY.privateKey), signatureOf(signed))
      )
    })

  test('a PEM file path, read once at construction', async ({ assert }) => {
    const file = join(dir, 'private_key.pem')
    await writeFile(file, RSA_KEY.pem)
    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKeyFile: file })
    await rm(file)
    // The file is gone: signing still works, so it was not read per call.
    assert.include(signer.signUrl(url, { expiresIn: 60 }), 'Signature=')
  })

  test('an ECDSA P-256 key signs with SHA-256 and says so', ({ assert }) => {
    const signer = new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.pem })
    assert.equal(signer.algorithm, 'ECDSA-SHA256')
    const signed = new URL(signer.signUrl(url, { expiresIn: 60, now: NOW }))
    assert.equal(signed.searchParams.get('Hash-Algorithm'), 'SHA256')
  })

  test('an ECDSA key with hashAlgorithm SHA1 signs over SHA-1 without Hash-Algorithm, as CloudFront verifies it', ({
    assert,
  }) => {
    const signer = new CloudFrontSigner({
      keyPairId: EC_KEY.id,
      privateKey: EC_KEY.pem,
      hashAlgorithm: 'SHA1',
    })
    assert.equal(signer.algorithm, 'ECDSA-SHA1')
    const signed = signer.signUrl(url, { expiresIn: 60, now: NOW })
    assert.isFalse(new URL(signed).searchParams.has('Hash-Algorithm'))
    const policy = cannedPolicyOf(url, signed)
    const publicKey = createPublicKey(EC_KEY.privateKey)
    assert.isTrue(verify('sha1', policy, publicKey, signatureOf(signed)))
    assert.isFalse(verify('sha256', policy, publicKey, signatureOf(signed)))
  })

  test('rotation: every key is checked, the current one signs', ({ assert }) => {
    const keys = {
      [RSA_KEY.id]: { privateKey: RSA_KEY.pem },
      [RSA_NEXT_KEY.id]: { privateKey: RSA_NEXT_KEY.pem },
    }
    const before = new CloudFrontSigner({ keyPairId: RSA_KEY.id, keys })
    const after = new CloudFrontSigner({ keyPairId: RSA_NEXT_KEY.id, keys })
    assert.deepEqual(Object.keys(after.publicKeys).sort(), [RSA_KEY.id, RSA_NEXT_KEY.id].sort())
    assert.equal(
      new URL(before.signUrl(url, { expiresIn: 60 })).searchParams.get('Key-Pair-Id'),
      RSA_KEY.id
    )
    const signed = after.signUrl(url, { expiresIn: 60, now: NOW })
    assert.equal(new URL(signed).searchParams.get('Key-Pair-Id'), RSA_NEXT_KEY.id)
    const policy = cannedPolicyOf(url, signed)
    assert.isTrue(
      verify('sha1', policy, createPublicKey(RSA_NEXT_KEY.privateKey), signatureOf(signed))
    )
    assert.isFalse(verify('sha1', policy, createPublicKey(RSA_KEY.privateKey), signatureOf(signed)))
  })

  test('publicKeyFrom derives the SPKI PEM CloudFront asks for', ({ assert }) => {
    assert.equal(publicKeyFrom(RSA_KEY.pem), RSA_KEY.publicPem)
    assert.equal(publicKeyFrom(EC_KEY.privateKey), EC_KEY.publicPem)
    assert.equal(publicKeyFrom(ENCRYPTED_PEM, PASSPHRASE), RSA_KEY.publicPem)
  })

  test('generateCloudFrontKeyPair makes {$self} keys the signer accepts')
    .with(['rsa', 'ec'] as const)
    .run(async ({ assert }, kind) => {
      const pair = await generateCloudFrontKeyPair(kind, 'secret words')
      assert.match(pair.privateKey, /BEGIN ENCRYPTED PRIVATE KEY/)
      assert.match(pair.publicKey, /BEGIN PUBLIC KEY/)
      const signer = new CloudFrontSigner({
        keyPairId: 'KNEWKEY',
        privateKey: pair.privateKey,
        passphrase: 'secret words',
      })
      assert.equal(signer.algorithm, kind === 'ec' ? 'ECDSA-SHA256' : 'RSA-SHA1')
      assert.equal(publicKeyFrom(pair.privateKey, 'secret words'), pair.publicKey)
    })
})

test.group('CloudFront keys | refused at construction with a named error', () => {
  const ed25519 = generateKeyPairSync('ed25519').privateKey

  test('{0}')
    .with([
      [
        'RSA-1024',
        { privateKey: RSA_1024_KEY.pem },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /1024 bits.*RSA-2048/,
      ],
      [
        'EC on P-384',
        { privateKey: EC_P384_KEY.pem },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /secp384r1.*P-256/,
      ],
      ['Ed25519', { privateKey: ed25519 }, 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY', /ed25519/],
      [
        'a public key PEM as private',
        { privateKey: RSA_KEY.publicPem },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /public key.*private key/,
      ],
      [
        'a public KeyObject as private',
        { privateKey: createPublicKey(RSA_KEY.privateKey) },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /public key/,
      ],
      [
        'malformed PEM',
        { privateKey: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /malformed PEM/,
      ],
      [
        'text that is not PEM',
        { privateKey: 'K2JCJMDEHXQW5F' },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /not PEM.*privateKeyFile/,
      ],
      [
        'encrypted without passphrase',
        { privateKey: ENCRYPTED_PEM },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /encrypted; set cloudfront\.passphrase/,
      ],
      [
        'encrypted PKCS#1 without passphrase',
        { privateKey: PKCS1_ENCRYPTED_PEM },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /encrypted/,
      ],
      [
        'a wrong passphrase',
        { privateKey: ENCRYPTED_PEM, passphrase: 'wrong' },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /cannot decrypt.*passphrase/,
      ],
      [
        'a missing file',
        { privateKeyFile: '/nonexistent/key.pem' },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /cloudfront\.privateKeyFile.*ENOENT/,
      ],
      [
        'no key at all',
        {},
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /cloudfront\.privateKey.*missing/,
      ],
      [
        'both privateKey and privateKeyFile',
        { privateKey: RSA_KEY.pem, privateKeyFile: '/x.pem' },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /not both/,
      ],
      [
        'an unknown hash algorithm',
        { privateKey: RSA_KEY.pem, hashAlgorithm: 'MD5' },
        'E_DJAMAZING_INVALID_CLOUDFRONT_KEY',
        /MD5/,
      ],
    ] as const)
    .run(({ assert }, [, options, code, message]) => {
      const error = constructionError({ keyPairId: RSA_KEY.id, ...(options as object) })
      assert.equal(error.code, code)
      assert.match(error.message, message)
    })

  test('a key pair id that is {0}')
    .with([
      ['missing', undefined],
      ['empty', ''],
      ['lower-case', 'k2jcjmdehxqw5f'],
      ['an ARN', 'arn:aws:cloudfront::123:key/K2JCJMDEHXQW5F'],
    ])
    .run(({ assert }, [, keyPairId]) => {
      const error = constructionError({ keyPairId: keyPairId as string, privateKey: RSA_KEY.pem })
      assert.equal(error.code, 'E_DJAMAZING_INVALID_KEY_PAIR_ID')
      assert.match(error.message, /cloudfront\.keyPairId/)
    })

  test('rotation keys without one for the current key pair id', ({ assert }) => {
    const error = constructionError({
      keyPairId: 'KMISSING',
      keys: { [RSA_KEY.id]: { privateKey: RSA_KEY.pem } },
    })
    assert.equal(error.code, 'E_DJAMAZING_INVALID_KEY_PAIR_ID')
    assert.match(error.message, /no private key for "KMISSING"/)
  })

  test('a bad rotation key is refused even when it does not sign', ({ assert }) => {
    const error = constructionError({
      keyPairId: RSA_KEY.id,
      keys: { [RSA_KEY.id]: { privateKey: RSA_KEY.pem }, KOLD: { privateKey: RSA_1024_KEY.pem } },
    })
    assert.equal(error.code, 'E_DJAMAZING_INVALID_CLOUDFRONT_KEY')
    assert.match(error.message, /cloudfront\.keys\.KOLD\.privateKey/)
  })

  test('the setting path is the one given', ({ assert }) => {
    const error = constructionError({
      keyPairId: RSA_KEY.id,
      privateKey: RSA_1024_KEY.pem,
      setting: 'services.media.cloudfront',
    })
    assert.match(error.message, /"services\.media\.cloudfront\.privateKey"/)
  })

  test('error messages never contain key material', ({ assert }) => {
    const body = RSA_KEY.pem.split('\n')[1]
    for (const options of [
      { privateKey: RSA_KEY.pem, hashAlgorithm: 'MD5' as 'SHA1' },
      { privateKey: ENCRYPTED_PEM, passphrase: 'wrong' },
      { privateKey: RSA_KEY.pem.replace('A', '!') },
    ]) {
      const error = constructionError({ keyPairId: RSA_KEY.id, ...options })
      assert.notInclude(error.message, body)
      assert.notInclude(error.message, ENCRYPTED_PEM.split('\n')[1])
    }
    // And the key object itself is not where a stray JSON.stringify would find it.
    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    assert.notInclude(JSON.stringify(signer), body)
    assert.doesNotThrow(() => createPrivateKey(RSA_KEY.pem))
  })
})

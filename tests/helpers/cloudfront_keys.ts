import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'

/**
 * Throwaway CloudFront keys, generated once per test run and never written
 * anywhere. Signatures made with them are checked against the AWS SDK and
 * against Node's own crypto.verify, so no fixed expected values are needed.
 */
export type TestKey = { id: string; privateKey: KeyObject; pem: string; publicPem: string }

function rsa(id: string, modulusLength = 2048): TestKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength })
  return describe(id, privateKey)
}

function ec(id: string, namedCurve = 'prime256v1'): TestKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve })
  return describe(id, privateKey)
}

function describe(id: string, privateKey: KeyObject): TestKey {
  return {
    id,
    privateKey,
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string,
  }
}

export const RSA_KEY = rsa('K2JCJMDEHXQW5F')
export const RSA_NEXT_KEY = rsa('K3NEXTROTATION')
export const EC_KEY = ec('KECDSAP256TEST')
export const RSA_1024_KEY = rsa('KRSA1024WEAK', 1024)
export const EC_P384_KEY = ec('KECP384OTHER', 'secp384r1')
export const PASSPHRASE = 'correct horse battery staple'
export const ENCRYPTED_PEM = RSA_KEY.privateKey.export({
  type: 'pkcs8',
  format: 'pem',
  cipher: 'aes-256-cbc',
  passphrase: PASSPHRASE,
}) as string
/**
 * The traditional OpenSSL form (`BEGIN RSA PRIVATE KEY`, what CloudFront's
 * console used to hand out), encrypted the old way (`Proc-Type: 4,ENCRYPTED`).
 */
export const PKCS1_PEM = RSA_KEY.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string
export const PKCS1_ENCRYPTED_PEM = RSA_KEY.privateKey.export({
  type: 'pkcs1',
  format: 'pem',
  cipher: 'aes-128-cbc',
  passphrase: PASSPHRASE,
}) as string

/**
 * A frozen clock: every test signs and verifies at this instant.
 */
export const NOW = new Date('2026-05-04T12:00:00.250Z')
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000)
export const CDN = 'https://d111111abcdef8.cloudfront.net'

import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  KeyObject,
  type KeyObject as KeyObjectType,
} from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { E_DJAMAZING_INVALID_CLOUDFRONT_KEY, E_DJAMAZING_INVALID_KEY_PAIR_ID } from '../errors.ts'
import type { CloudFrontPrivateKeyOptions } from './types.ts'

/**
 * The two kinds of keys CloudFront key groups accept.
 */
export type CloudFrontKeyKind = 'rsa' | 'ec'

export type LoadedKey = { key: KeyObjectType; kind: CloudFrontKeyKind }

/**
 * CloudFront key ids are upper-case letters and digits: `K2JCJMDEHXQW5F`,
 * or `APKA...` for legacy root key pairs. Anything else (a lower-case id,
 * an ARN, a key group id with spaces) would only show up as 403s later.
 */
const KEY_PAIR_ID = /^[A-Z0-9]{1,128}$/

export function assertValidKeyPairId(value: unknown, setting: string): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw new E_DJAMAZING_INVALID_KEY_PAIR_ID([
      setting,
      'it is missing. Set it to the id of the public key in the CloudFront key group, e.g. K2JCJMDEHXQW5F',
    ])
  }
  if (!KEY_PAIR_ID.test(value)) {
    throw new E_DJAMAZING_INVALID_KEY_PAIR_ID([
      setting,
      `"${value}" is not a CloudFront public key id: it is upper-case letters and digits, e.g. K2JCJMDEHXQW5F (the ID column of CloudFront > Public keys)`,
    ])
  }
}

function invalidKey(setting: string, reason: string, cause?: unknown) {
  return new E_DJAMAZING_INVALID_CLOUDFRONT_KEY([setting, reason], { cause })
}

/**
 * Checks that a parsed key is one CloudFront accepts for signed URLs: RSA
 * with a 2048-bit modulus, or ECDSA on P-256.
 */
function kindOf(key: KeyObjectType, setting: string): CloudFrontKeyKind {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  if (type === 'rsa') {
    if (details.modulusLength !== 2048) {
      throw invalidKey(
        setting,
        `an RSA key of ${details.modulusLength} bits; CloudFront key groups accept RSA-2048 only. Create one with "openssl genrsa -out private_key.pem 2048"`
      )
    }
    return 'rsa'
  }
  if (type === 'ec') {
    if (details.namedCurve !== 'prime256v1') {
      throw invalidKey(
        setting,
        `an EC key on curve ${details.namedCurve}; CloudFront accepts ECDSA on P-256 (prime256v1) only. Create one with "openssl ecparam -name prime256v1 -genkey -noout -out private_key.pem"`
      )
    }
    return 'ec'
  }
  throw invalidKey(
    setting,
    `a key of type "${type}"; CloudFront accepts RSA-2048 and ECDSA P-256 keys only`
  )
}

/**
 * PEM kept in environment variables often has its newlines written as `\n`.
 */
function normalisePem(text: string): string {
  return !text.includes('\n') && text.includes('\\n') ? text.replaceAll('\\n', '\n') : text
}

/**
 * Loads and checks one private key, once: PEM text, a PEM file or a
 * `KeyObject`, with its passphrase if encrypted. Every failure is a named
 * error that says the fix; the key itself never appears in messages.
 */
export function loadPrivateKey(options: CloudFrontPrivateKeyOptions, setting: string): LoadedKey {
  const { privateKey, privateKeyFile, passphrase } = options
  if (privateKey !== undefined && privateKeyFile !== undefined) {
    throw invalidKey(
      `${setting}.privateKey`,
      'give either privateKey (PEM text or a KeyObject) or privateKeyFile (a path), not both'
    )
  }

  if (privateKey instanceof KeyObject) {
    if (privateKey.type !== 'private') {
      throw invalidKey(
        `${setting}.privateKey`,
        `this is a ${privateKey.type} key; signing needs the private key (the public key goes to CloudFront)`
      )
    }
    return { key: privateKey, kind: kindOf(privateKey, `${setting}.privateKey`) }
  }

  let pem: string
  let where: string
  if (privateKeyFile !== undefined) {
    where = `${setting}.privateKeyFile`
    if (typeof privateKeyFile !== 'string' || privateKeyFile === '') {
      throw invalidKey(where, 'expected the path of a PEM file')
    }
    try {
      pem = readFileSync(privateKeyFile, 'utf8')
    } catch (error) {
      throw invalidKey(
        where,
        `cannot read "${resolve(privateKeyFile)}" (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`,
        error
      )
    }
  } else if (typeof privateKey === 'string' && privateKey.trim() !== '') {
    where = `${setting}.privateKey`
    pem = normalisePem(privateKey)
  } else {
    throw invalidKey(
      `${setting}.privateKey`,
      'it is missing. Give the PEM text of the private key, a KeyObject, or privateKeyFile with its path'
    )
  }

  if (!pem.includes('-----BEGIN ')) {
    throw invalidKey(
      where,
      privateKeyFile === undefined
        ? 'this is not PEM text (no "-----BEGIN" line). To load a file, use privateKeyFile'
        : 'the file holds no PEM key (no "-----BEGIN" line)'
    )
  }
  if (/-----BEGIN (RSA )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(pem)) {
    throw invalidKey(
      where,
      'this is a public key; signing needs the private key (the public key goes to CloudFront)'
    )
  }
  const encrypted = pem.includes('ENCRYPTED')
  if (encrypted && !passphrase) {
    throw invalidKey(where, `the key is encrypted; set ${setting}.passphrase`)
  }

  let key: KeyObjectType
  try {
    key = createPrivateKey({ key: pem, format: 'pem', passphrase })
  } catch (error) {
    throw invalidKey(
      where,
      encrypted
        ? `cannot decrypt the key; check ${setting}.passphrase`
        : 'malformed PEM; give the private key exactly as CloudFront or openssl wrote it',
      error
    )
  }
  return { key, kind: kindOf(key, where) }
}

/**
 * Loads and checks one public key for verification: PEM text (SPKI or
 * PKCS#1) or a `KeyObject`. A private key is accepted too: its public half
 * is used.
 */
export function loadPublicKey(value: KeyObjectType | string, setting: string): LoadedKey {
  let key: KeyObjectType
  if (value instanceof KeyObject) {
    if (value.type === 'secret') {
      throw invalidKey(setting, 'a secret key; expected an RSA-2048 or ECDSA P-256 public key')
    }
    key = value.type === 'private' ? createPublicKey(value) : value
  } else if (typeof value === 'string' && value.includes('-----BEGIN ')) {
    if (value.includes('ENCRYPTED')) {
      throw invalidKey(setting, 'an encrypted private key; give the public key PEM instead')
    }
    try {
      key = createPublicKey({ key: normalisePem(value), format: 'pem' })
    } catch (error) {
      throw invalidKey(setting, 'malformed PEM; give the public key as CloudFront shows it', error)
    }
  } else {
    throw invalidKey(setting, 'expected the PEM text of a public key, or a KeyObject')
  }
  return { key, kind: kindOf(key, setting) }
}

/**
 * The public key (SPKI PEM, what CloudFront's "Create public key" asks
 * for) of a private key given as a `KeyObject` or PEM text.
 */
export function publicKeyFrom(privateKey: KeyObjectType | string, passphrase?: string): string {
  const { key } = loadPrivateKey({ privateKey, passphrase }, 'privateKey')
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string
}

const generate = promisify(generateKeyPair)

/**
 * A new key pair for CloudFront, as PEM: `privateKey` (PKCS#8, encrypted
 * with AES-256-CBC when a passphrase is given) stays with the app,
 * `publicKey` (SPKI) goes to CloudFront > Public keys. ECDSA P-256 signs
 * about ten times faster than RSA-2048 and gives shorter URLs.
 */
export async function generateCloudFrontKeyPair(
  kind: CloudFrontKeyKind = 'rsa',
  passphrase?: string
): Promise<{ privateKey: string; publicKey: string; kind: CloudFrontKeyKind }> {
  const privateKeyEncoding = passphrase
    ? ({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase } as const)
    : ({ type: 'pkcs8', format: 'pem' } as const)
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const
  const pair =
    kind === 'ec'
      ? await generate('ec', { namedCurve: 'prime256v1', publicKeyEncoding, privateKeyEncoding })
      : await generate('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding })
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, kind }
}

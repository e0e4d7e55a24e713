import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'
import debug from '../debug.ts'
import {
  E_DJAMAZING_INVALID_CLOUDFRONT_KEY,
  E_DJAMAZING_INVALID_KEY_PAIR_ID,
  E_DJAMAZING_INVALID_SIGNING_OPTIONS,
} from '../errors.ts'
import { toAwsBase64 } from './encoding.ts'
import { assertValidKeyPairId, loadPrivateKey, type LoadedKey } from './keys.ts'
import {
  assertSignableUrl,
  cannedPolicy,
  customPolicy,
  hasWildcard,
  literalResource,
  MAX_URL_BYTES,
  type ResolvedWindow,
} from './policy.ts'
import type {
  CloudFrontCookies,
  CloudFrontSignerOptions,
  SignCookiesOptions,
  SigningWindow,
  SignUrlOptions,
} from './types.ts'
import { resourceMatches } from './wildcard.ts'
import { resolveWindow } from './window.ts'

/**
 * A policy resource given by the caller: absolute, printable ASCII
 * without spaces or quotes (CloudFront compares it with the percent-encoded
 * request URL, so it must be encoded the same way).
 */
const RESOURCE_SYNTAX = /^[a-z*?]+:\/\/[\x21\x23-\x7e]*$/

const signAsync = promisify(sign)

/**
 * How many copies of the key the async path takes turns with. Node locks a
 * KeyObject while a thread-pool job signs with it, so with a single
 * KeyObject async signatures run one at a time, however many pool threads
 * there are. One copy per pool thread lets them use every core (measured
 * on 2 cores, RSA-2048: ~4,000/s with one KeyObject, ~5,200/s with two or
 * more).
 */
const ASYNC_KEY_COPIES = Math.min(Math.max(Number(process.env.UV_THREADPOOL_SIZE) || 4, 1), 16)

/**
 * Signs CloudFront URLs and cookies with one private key, parsed and checked
 * once when the signer is created (parsing a PEM costs more than the
 * signature itself).
 *
 * Policies: canned (one exact URL, `Expires=`) whenever possible, custom
 * (`Policy=`) when a start date, an IP range or a resource other than the
 * URL is given; never silently the wrong kind.
 */
export class CloudFrontSigner {
  #key: KeyObject
  #asyncKeys: KeyObject[] = []
  #nextAsyncKey = 0
  #algorithm: CloudFrontSigner['algorithm']
  #digest: 'sha1' | 'sha256'
  #keyPairId: string
  #publicKeys: Record<string, KeyObject>
  /**
   * `&Key-Pair-Id=...[&Hash-Algorithm=SHA256]`: the same for every URL.
   */
  #urlSuffix: string

  constructor(options: CloudFrontSignerOptions) {
    const setting = options?.setting ?? 'cloudfront'
    assertValidKeyPairId(options?.keyPairId, `${setting}.keyPairId`)
    const keyPairId = options.keyPairId

    const loaded = new Map<string, LoadedKey>()
    for (const [id, keyOptions] of Object.entries(options.keys ?? {})) {
      assertValidKeyPairId(id, `${setting}.keys`)
      loaded.set(id, loadPrivateKey(keyOptions ?? {}, `${setting}.keys.${id}`))
    }
    const topLevel = options.privateKey !== undefined || options.privateKeyFile !== undefined
    if (topLevel && loaded.has(keyPairId)) {
      throw new E_DJAMAZING_INVALID_CLOUDFRONT_KEY([
        `${setting}.privateKey`,
        `the key of ${keyPairId} is given twice (privateKey and keys.${keyPairId}); keep one`,
      ])
    }
    if (topLevel || !loaded.has(keyPairId)) {
      if (!topLevel && loaded.size > 0) {
        throw new E_DJAMAZING_INVALID_KEY_PAIR_ID([
          `${setting}.keyPairId`,
          `no private key for "${keyPairId}": add it to ${setting}.keys or set privateKey`,
        ])
      }
      loaded.set(keyPairId, loadPrivateKey(options, setting))
    }
    const current = loaded.get(keyPairId)!

    const hashAlgorithm = options.hashAlgorithm ?? (current.kind === 'ec' ? 'SHA256' : 'SHA1')
    if (hashAlgorithm !== 'SHA1' && hashAlgorithm !== 'SHA256') {
      throw new E_DJAMAZING_INVALID_CLOUDFRONT_KEY([
        `${setting}.hashAlgorithm`,
        `"${String(hashAlgorithm)}" is not supported; use "SHA1" (default for RSA) or "SHA256" (default for ECDSA)`,
      ])
    }

    this.#key = current.key
    // Copies are separate KeyObjects (and locks) holding the same key.
    const pem = current.key.export({ format: 'pem', type: 'pkcs8' })
    this.#asyncKeys = Array.from({ length: ASYNC_KEY_COPIES }, (_, i) =>
      i === 0 ? current.key : createPrivateKey(pem)
    )
    this.#algorithm = `${current.kind === 'ec' ? 'ECDSA' : 'RSA'}-${hashAlgorithm}`
    this.#keyPairId = keyPairId
    this.#publicKeys = Object.fromEntries(
      [...loaded].map(([id, { key }]) => [id, createPublicKey(key)])
    )
    this.#digest = hashAlgorithm === 'SHA256' ? 'sha256' : 'sha1'
    this.#urlSuffix = `&Key-Pair-Id=${keyPairId}${hashAlgorithm === 'SHA256' ? '&Hash-Algorithm=SHA256' : ''}`
    debug('cloudfront signer ready: key %s, %s', keyPairId, this.algorithm)
  }

  /**
   * The key pair id that signs.
   */
  get keyPairId(): string {
    return this.#keyPairId
  }

  /**
   * The public halves of every key loaded, by key pair id: what the
   * CloudFront key group holds, for the local edge and the doctor.
   */
  get publicKeys(): Record<string, KeyObject> {
    return { ...this.#publicKeys }
  }

  /**
   * `RSA-SHA1`, `RSA-SHA256`, `ECDSA-SHA256` or `ECDSA-SHA1`.
   */
  get algorithm(): 'RSA-SHA1' | 'RSA-SHA256' | 'ECDSA-SHA256' | 'ECDSA-SHA1' {
    return this.#algorithm
  }

  /**
   * A signed URL for `url` (absolute, already percent-encoded, e.g. from
   * `cdnUrlFor`). Its own query stays first, the signing parameters last.
   */
  signUrl(url: string, options: SignUrlOptions = {}): string {
    const prepared = this.#prepareUrl(url, options)
    return this.#finishUrl(prepared, sign(this.#digest, prepared.policy, this.#key))
  }

  /**
   * The same URL as `signUrl`, with the signature computed on libuv's
   * thread pool: several in flight use every core and leave the event
   * loop free. Invalid options reject the promise.
   */
  async signUrlAsync(url: string, options: SignUrlOptions = {}): Promise<string> {
    const prepared = this.#prepareUrl(url, options)
    const key = this.#asyncKeys[this.#nextAsyncKey++ % this.#asyncKeys.length]
    return this.#finishUrl(prepared, await signAsync(this.#digest, prepared.policy, key))
  }

  /**
   * Signed cookies opening `options.resource`: canned for one exact URL,
   * custom for a wildcard (a folder of HLS segments, a gallery) or with a
   * start date or IP range. Set them with `cloudFrontSetCookies`.
   */
  signCookies(options: SignCookiesOptions): CloudFrontCookies {
    const resource = options?.resource
    if (typeof resource !== 'string') {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'resource',
        'signed cookies need a resource: an exact URL or a wildcard such as https://d111111abcdef8.cloudfront.net/hls/42/*',
      ])
    }
    const window = resolveWindow(options)
    const custom = this.#chooseCustom(options, window, hasWildcard(resource))
    // No wildcard: the exact URL, its query separator written `\?` as in
    // any resource. A canned policy names it with a plain `?`.
    const url = resource.replace('\\?', '?')
    if (custom) assertResource(resource)
    else assertSignableUrl(url)
    const policy = Buffer.from(
      custom ? customPolicy(resource, window) : cannedPolicy(url, window.expires)
    )
    const cookies: CloudFrontCookies = {
      ...(custom
        ? { 'CloudFront-Policy': toAwsBase64(policy) }
        : { 'CloudFront-Expires': String(window.expires) }),
      'CloudFront-Signature': toAwsBase64(sign(this.#digest, policy, this.#key)),
      'CloudFront-Key-Pair-Id': this.#keyPairId,
      ...(this.#digest === 'sha256' ? { 'CloudFront-Hash-Algorithm': 'SHA256' } : {}),
    }
    this.#log('cookies', custom, window.expires)
    return cookies
  }

  #log(what: 'url' | 'cookies', custom: boolean, expires: number) {
    // Never the URL itself: a signed URL is a bearer credential.
    if (!debug.enabled) return
    const policy = custom ? 'custom' : 'canned'
    debug('cloudfront: signed %s %s, key %s, expires %d', policy, what, this.#keyPairId, expires)
  }

  /**
   * Custom when the options need it; an explicit `'canned'` that cannot
   * carry them is an error rather than a link that never works or opens
   * more than asked.
   */
  #chooseCustom(options: SigningWindow, window: ResolvedWindow, otherResource: boolean): boolean {
    const needs =
      window.startsAt !== undefined
        ? 'startsAt'
        : window.sourceIp !== undefined
          ? 'ipAddress'
          : otherResource
            ? 'resource'
            : undefined
    if (options.policy === 'canned') {
      if (needs) {
        throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
          'policy',
          `a canned policy covers one exact URL until a date; "${needs}" needs policy: 'custom' (or leave policy out)`,
        ])
      }
      return false
    }
    if (options.policy !== undefined && options.policy !== 'custom') {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS(['policy', "expected 'canned' or 'custom'"])
    }
    return options.policy === 'custom' || needs !== undefined
  }

  /**
   * What one signature needs, before the (sync or async) signing: `head`
   * is `url?own&Expires=N` or `url?own&Policy=B64`, to which the
   * signature is appended.
   */
  #prepareUrl(url: string, options: SignUrlOptions) {
    assertSignableUrl(url)
    const window = resolveWindow(options)
    const resource = options.resource
    const ownUrl = resource === undefined || resource === url
    const otherResource = resource !== undefined && (resource !== url || hasWildcard(resource))
    const custom = this.#chooseCustom(options, window, otherResource)
    if (custom && !ownUrl) {
      assertResource(resource)
      if (!resourceMatches(resource, url)) {
        throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
          'resource',
          'the resource does not cover the URL, so the link would always be refused',
        ])
      }
    }
    const policy = Buffer.from(
      custom
        ? customPolicy(ownUrl ? literalResource(url) : resource!, window)
        : cannedPolicy(url, window.expires)
    )
    const param = custom ? `Policy=${toAwsBase64(policy)}` : `Expires=${window.expires}`
    const head = `${url}${url.includes('?') ? '&' : '?'}${param}`
    return { head, policy, custom, expires: window.expires }
  }

  #finishUrl(prepared: { head: string; custom: boolean; expires: number }, signature: Buffer) {
    const signed = `${prepared.head}&Signature=${toAwsBase64(signature)}${this.#urlSuffix}`
    if (signed.length >= MAX_URL_BYTES) {
      throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
        'url',
        `the signed URL would be ${signed.length} bytes; CloudFront refuses URLs of ${MAX_URL_BYTES} bytes or more. Shorten the URL or use a wildcard resource with signed cookies`,
      ])
    }
    this.#log('url', prepared.custom, prepared.expires)
    return signed
  }
}

function assertResource(resource: unknown): asserts resource is string {
  if (
    typeof resource !== 'string' ||
    !RESOURCE_SYNTAX.test(resource) ||
    resource.length >= MAX_URL_BYTES
  ) {
    throw new E_DJAMAZING_INVALID_SIGNING_OPTIONS([
      'resource',
      'expected an absolute URL pattern such as https://d111111abcdef8.cloudfront.net/videos/* (percent-encoded, no spaces or quotes)',
    ])
  }
}

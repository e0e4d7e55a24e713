import { verify as verifySignature } from 'node:crypto'
import type { BlockList } from 'node:net'
import { E_DJAMAZING_INVALID_CLOUDFRONT_KEY } from '../errors.ts'
import { parseCookieHeader } from './cookies.ts'
import { fromAwsBase64 } from './encoding.ts'
import { assertValidKeyPairId, loadPublicKey, type LoadedKey } from './keys.ts'
import {
  cannedPolicy,
  MAX_EPOCH_SECONDS,
  MAX_URL_BYTES,
  parseIpRange,
  SIGNING_PARAM_NAMES,
  SIGNING_PARAMS,
  URL_SYNTAX,
  viewerIpv4,
  type SigningParam,
} from './policy.ts'
import type {
  CloudFrontVerifierOptions,
  VerifyRefusal,
  VerifyRequest,
  VerifyResult,
} from './types.ts'
import { resourceMatches } from './wildcard.ts'

type Reason = VerifyRefusal['reason']

/**
 * CloudFront's own error codes and messages, as its XML error bodies carry them.
 */
const ACCESS_DENIED = { code: 'AccessDenied', message: 'Access denied' } as const
const RESPONSES: Partial<Record<Reason, { code: VerifyRefusal['code']; message: string }>> = {
  'missing-key-pair-id': {
    code: 'MissingKey',
    message: 'Missing Key-Pair-Id query parameter or cookie value',
  },
  'unknown-key': { code: 'InvalidKey', message: 'Unknown Key' },
  'malformed-policy': { code: 'MalformedPolicy', message: 'Malformed Policy' },
}

function refuse(reason: Reason): VerifyRefusal {
  return { ok: false, reason, ...(RESPONSES[reason] ?? ACCESS_DENIED) }
}

type SigningValues = Partial<Record<SigningParam, string>>

type ParsedPolicy = {
  resource: string | undefined
  lessThan: number
  greaterThan?: number
  sourceIp?: BlockList
}

function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function onlyKeys(value: Record<string, unknown>, allowed: string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key))
}

/**
 * Reads a custom policy, or null when it is malformed: exactly one
 * statement (alone or in a list), `DateLessThan` required, optional `DateGreaterThan` and an
 * IPv4 `AWS:SourceIp`, nothing else.
 */
function parsePolicy(bytes: Buffer): ParsedPolicy | null {
  let document: unknown
  try {
    document = JSON.parse(bytes.toString('utf8'))
  } catch {
    return null
  }
  if (!isPlainObject(document) || !onlyKeys(document, ['Statement'])) return null
  // One statement, in a list of one or (as every custom-policy example in
  // AWS's guide writes it) as the object itself.
  const statements = isPlainObject(document.Statement) ? [document.Statement] : document.Statement
  if (!Array.isArray(statements) || statements.length !== 1) return null
  const statement = statements[0]
  if (!isPlainObject(statement) || !onlyKeys(statement, ['Resource', 'Condition'])) return null
  const { Resource: resource, Condition: condition } = statement
  if (resource !== undefined && typeof resource !== 'string') return null
  if (!isPlainObject(condition)) return null
  if (!onlyKeys(condition, ['DateLessThan', 'DateGreaterThan', 'IpAddress'])) return null

  const epoch = (entry: unknown): number | null | undefined => {
    if (entry === undefined) return undefined
    if (!isPlainObject(entry) || !onlyKeys(entry, ['AWS:EpochTime'])) return null
    return isEpoch(entry['AWS:EpochTime']) ? entry['AWS:EpochTime'] : null
  }
  const lessThan = epoch(condition.DateLessThan)
  const greaterThan = epoch(condition.DateGreaterThan)
  if (lessThan === undefined || lessThan === null || greaterThan === null) return null

  let sourceIp: ParsedPolicy['sourceIp']
  if (condition.IpAddress !== undefined) {
    const entry = condition.IpAddress
    if (!isPlainObject(entry) || !onlyKeys(entry, ['AWS:SourceIp'])) return null
    const value = entry['AWS:SourceIp']
    sourceIp = typeof value === 'string' ? (parseIpRange(value) ?? undefined) : undefined
    if (!sourceIp) return null
  }
  return { resource, lessThan, greaterThan, sourceIp }
}

/**
 * The signing values of a request (its URL's, else its cookies') and the
 * URL without them, or why CloudFront refuses the URL before reading them.
 */
export function readSigning(request: VerifyRequest) {
  const url = request?.url
  if (typeof url !== 'string' || url.length >= MAX_URL_BYTES || !URL_SYNTAX.test(url)) {
    return refuse('malformed-url')
  }

  // Split the URL's own query from the signing parameters, which must
  // all come last: anything appended after them is refused, so a signed
  // URL cannot be extended with parameters the signer never saw.
  const queryStart = url.indexOf('?')
  const values: SigningValues = {}
  let unsignedUrl = url
  let inUrl = false
  if (queryStart !== -1) {
    const pairs = url.slice(queryStart + 1).split('&')
    let firstSigning = -1
    for (const [i, pair] of pairs.entries()) {
      const equals = pair.indexOf('=')
      const name = equals === -1 ? pair : pair.slice(0, equals)
      if (!SIGNING_PARAMS.has(name)) {
        if (firstSigning !== -1) return refuse('signing-params-not-last')
        continue
      }
      if (firstSigning === -1) firstSigning = i
      const key = name as SigningParam
      if (values[key] !== undefined) return refuse('duplicate-signing-param')
      values[key] = equals === -1 ? '' : pair.slice(equals + 1)
    }
    if (firstSigning !== -1) {
      inUrl = true
      unsignedUrl =
        firstSigning === 0
          ? url.slice(0, queryStart)
          : `${url.slice(0, queryStart)}?${pairs.slice(0, firstSigning).join('&')}`
    }
  }

  if (!inUrl && request.cookies !== undefined) {
    const cookies =
      typeof request.cookies === 'string' ? parseCookieHeader(request.cookies) : request.cookies
    for (const name of SIGNING_PARAM_NAMES) values[name] = cookies[`CloudFront-${name}`]
  }
  return { values, unsignedUrl, inUrl }
}

/**
 * Checks CloudFront signed URLs and signed cookies exactly as CloudFront
 * does, for the local edge and for tests. Public keys are parsed and
 * checked once, in the constructor.
 */
export class CloudFrontVerifier {
  #keys = new Map<string, LoadedKey>()

  constructor(options: CloudFrontVerifierOptions) {
    const setting = options?.setting ?? 'publicKeys'
    const entries = Object.entries(options?.publicKeys ?? {})
    if (entries.length === 0) {
      throw new E_DJAMAZING_INVALID_CLOUDFRONT_KEY([
        setting,
        'no public key: give at least one, by key pair id',
      ])
    }
    for (const [id, key] of entries) {
      assertValidKeyPairId(id, setting)
      this.#keys.set(id, loadPublicKey(key, `${setting}.${id}`))
    }
  }

  /**
   * Accepts or refuses one request. Never throws on request input.
   */
  verify(request: VerifyRequest): VerifyResult {
    const signing = readSigning(request)
    if ('reason' in signing) return signing
    const { values, unsignedUrl, inUrl } = signing

    const keyPairId = values['Key-Pair-Id']
    if (!keyPairId) return refuse('missing-key-pair-id')
    const key = this.#keys.get(keyPairId)
    if (!key) return refuse('unknown-key')

    // SHA-1 unless Hash-Algorithm=SHA256, for RSA and ECDSA keys alike:
    // AWS's Ruby signer signs EC keys over SHA-1 and leaves the parameter
    // out, and an ECDSA-SHA256 signature without it is refused by
    // CloudFront (aws/aws-sdk-java-v2#6543). An explicit SHA1 names the
    // default.
    const hashAlgorithm = values['Hash-Algorithm']
    let digest: 'sha1' | 'sha256'
    if (hashAlgorithm === undefined || hashAlgorithm === 'SHA1') digest = 'sha1'
    else if (hashAlgorithm === 'SHA256') digest = 'sha256'
    else return refuse('invalid-hash-algorithm')

    if (values.Signature === undefined) return refuse('missing-signature')
    const signature = fromAwsBase64(values.Signature)
    if (!signature) return refuse('malformed-signature')

    let policyBytes: Buffer
    let policy: ParsedPolicy
    const custom = values.Policy !== undefined
    if (custom) {
      if (values.Expires !== undefined) return refuse('malformed-policy')
      const decoded = fromAwsBase64(values.Policy!)
      const parsed = decoded && parsePolicy(decoded)
      if (!parsed) return refuse('malformed-policy')
      policyBytes = decoded
      policy = parsed
    } else {
      if (values.Expires === undefined) return refuse('missing-policy')
      // Digits only, no leading zero: CloudFront rebuilds the policy from
      // the number, and any other spelling of it is not what was signed.
      if (!/^(0|[1-9]\d{0,9})$/.test(values.Expires)) return refuse('malformed-expires')
      const expires = Number(values.Expires)
      if (expires > MAX_EPOCH_SECONDS) return refuse('malformed-expires')
      // The canned policy names the request URL itself, byte for byte.
      policyBytes = Buffer.from(cannedPolicy(unsignedUrl, expires))
      policy = { resource: unsignedUrl, lessThan: expires }
    }

    if (!verifySignature(digest, policyBytes, key.key, signature)) return refuse('bad-signature')

    const nowSeconds = Math.floor((request.now?.getTime() ?? Date.now()) / 1000)
    if (!(nowSeconds < policy.lessThan)) return refuse('expired')
    if (policy.greaterThan !== undefined && !(nowSeconds >= policy.greaterThan)) {
      return refuse('not-yet-valid')
    }
    if (policy.sourceIp) {
      const address = viewerIpv4(request.clientIp)
      if (!address || !policy.sourceIp.check(address, 'ipv4')) return refuse('ip-not-allowed')
    }
    // No Resource in a custom policy: CloudFront grants every file of every
    // distribution that trusts the key. Our signer never writes one.
    if (custom && policy.resource !== undefined && !resourceMatches(policy.resource, unsignedUrl)) {
      return refuse('resource-mismatch')
    }
    return {
      ok: true,
      keyPairId,
      expiresAt: new Date(policy.lessThan * 1000),
      policy: custom ? 'custom' : 'canned',
      resource: policy.resource,
      via: inUrl ? 'url' : 'cookies',
      unsignedUrl,
    }
  }
}

import { test } from '@japa/runner'
import fc from 'fast-check'
import { cdnUrlFor, parseCdnUrl } from '../../../src/cdn_url.ts'
import { CloudFrontSigner, CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import type { SignUrlOptions } from '../../../src/cloudfront/types.ts'
import { assertValidObjectKey } from '../../../src/object_key.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { CDN, EC_KEY, NOW, NOW_SECONDS, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

/**
 * Property tests of CloudFront signed URLs: for random keys, own queries,
 * policies (canned, custom, wildcard, start date, IP range) and all three
 * algorithms, every URL we sign verifies with `CloudFrontVerifier`, and
 * every mutation of it (a character replaced, deleted or inserted
 * anywhere; a later clock; an earlier clock; another client address) is
 * refused. Seeded and replayable.
 */
const SEED = 20_261_125
const RUNS = 4_000
const MUTATIONS_PER_URL = 3

const SIGNERS = [
  new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem }),
  new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem, hashAlgorithm: 'SHA256' }),
  new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.pem }),
]
const verifier = new CloudFrontVerifier({
  publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem, [EC_KEY.id]: EC_KEY.publicPem },
})
const cdn = parseCdnUrl(`${CDN}/media`, 'cdnUrl')

function isValidKey(key: string): boolean {
  try {
    assertValidObjectKey(key)
    return true
  } catch {
    return false
  }
}

const key = fc.oneof(
  fc.constantFrom(...AWKWARD_KEYS.map((entry) => entry.key)),
  fc
    .array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((segments) => segments.join('/'))
    .filter(isValidKey),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter(isValidKey)
)

/**
 * A URL's own query value, encoded so that no `*` or `?` is left in it.
 */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

const ownQuery = fc.option(
  fc
    .array(
      fc.tuple(
        fc.constantFrom('response-content-disposition', 'response-content-type', 'v', 'w'),
        fc.string({ unit: 'grapheme', maxLength: 30 })
      ),
      { minLength: 1, maxLength: 3 }
    )
    .map((pairs) => pairs.map(([name, value]) => `${name}=${encodeValue(value)}`).join('&')),
  { nil: undefined }
)

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))

const policy = fc.oneof(
  fc.record({ kind: fc.constant('canned' as const) }),
  fc.record({ kind: fc.constant('custom' as const) }),
  fc.record({ kind: fc.constant('wildcard' as const), cut: fc.nat() }),
  fc.record({ kind: fc.constant('starts' as const), before: fc.integer({ min: 0, max: 86_400 }) }),
  fc.record({
    kind: fc.constant('ip' as const),
    client: ipv4,
    bits: fc.integer({ min: 1, max: 32 }),
  })
)

const character = fc.oneof(
  fc.constantFrom(...'aAzZ09-_~.%/?&=+*#', '%2F', '%3F'),
  fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point))
)

const edit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'insert'),
  char: character,
})

function applyEdit(url: string, e: { at: number; op: string; char: string }): [string, number] {
  const at = e.at % (url.length + (e.op === 'insert' ? 1 : 0))
  if (e.op === 'delete') return [url.slice(0, at) + url.slice(at + 1), at]
  if (e.op === 'insert') return [url.slice(0, at) + e.char + url.slice(at), at]
  const char = e.char === url[at] ? String.fromCharCode(url.charCodeAt(at) ^ 1) : e.char
  return [url.slice(0, at) + char + url.slice(at + 1), at]
}

function dotted(octets: number[]): string {
  return octets.join('.')
}

test.group('Fuzz | CloudFront signed URLs', () => {
  test(`${RUNS.toLocaleString('en-US')} random keys and policies: every URL verifies, every mutation is refused`, ({
    assert,
  }) => {
    let signed = 0
    let mutated = 0
    let coveredByWildcard = 0
    const byPolicy = new Map<string, number>()
    const failures: string[] = []

    fc.assert(
      fc.property(
        fc.nat(SIGNERS.length - 1),
        key,
        ownQuery,
        policy,
        fc.integer({ min: 1, max: 30 * 86_400 }),
        fc.array(edit, { minLength: MUTATIONS_PER_URL, maxLength: MUTATIONS_PER_URL }),
        (signerIndex, objectKey, query, p, expiresIn, edits) => {
          const signer = SIGNERS[signerIndex]
          const base = cdnUrlFor(cdn, objectKey)
          const url = query ? `${base}?${query}` : base
          fc.pre(url.length < 7000)

          const options: SignUrlOptions = { expiresIn, now: NOW }
          let clientIp = '198.51.100.7'
          let literalPrefix: string | undefined
          if (p.kind === 'custom') options.policy = 'custom'
          if (p.kind === 'wildcard') {
            // A prefix of the URL's path, then `*`: it covers the rest of
            // the path and the query.
            const pathStart = `${CDN}/media/`.length
            literalPrefix = base.slice(0, pathStart + (p.cut % (base.length - pathStart + 1)))
            options.resource = `${literalPrefix}*`
          }
          if (p.kind === 'starts') options.startsAt = new Date((NOW_SECONDS - p.before) * 1000)
          if (p.kind === 'ip') {
            clientIp = dotted(p.client)
            const mask = p.bits === 32 ? 0xffffffff : ~(0xffffffff >>> p.bits) >>> 0
            const network = ((p.client.reduce((n, o) => n * 256 + o, 0) & mask) >>> 0) as number
            const octets = [24, 16, 8, 0].map((shift) => (network >>> shift) & 255)
            options.ipAddress = `${dotted(octets)}/${p.bits}`
          }

          const signedUrl = signer.signUrl(url, options)
          signed++
          byPolicy.set(p.kind, (byPolicy.get(p.kind) ?? 0) + 1)
          const accepted = verifier.verify({ url: signedUrl, now: NOW, clientIp })
          if (!accepted.ok || accepted.unsignedUrl !== url) {
            failures.push(`not accepted: ${signedUrl} (${accepted.ok || accepted.reason})`)
            return true
          }
          const signingStart = url.length

          for (const e of edits) {
            const [changed, at] = applyEdit(signedUrl, e)
            if (changed === signedUrl) continue
            mutated++
            const result = verifier.verify({ url: changed, now: NOW, clientIp })
            if (!result.ok) continue
            // The only acceptable acceptance: a path or query change that the
            // signed wildcard covers, signing parameters untouched.
            if (
              literalPrefix !== undefined &&
              at >= literalPrefix.length &&
              at <= signingStart &&
              result.unsignedUrl.startsWith(literalPrefix) &&
              changed.endsWith(signedUrl.slice(signingStart))
            ) {
              coveredByWildcard++
              continue
            }
            failures.push(`mutation accepted: ${signedUrl} -> ${changed}`)
          }

          // The context: one second at or after expiry, before the start
          // date, from an address outside the range.
          const expires = accepted.expiresAt.getTime()
          const later = verifier.verify({ url: signedUrl, now: new Date(expires), clientIp })
          mutated++
          if (later.ok) failures.push(`accepted at expiry: ${signedUrl}`)
          if (options.startsAt) {
            mutated++
            const early = new Date(options.startsAt.getTime() - 1000)
            if (verifier.verify({ url: signedUrl, now: early, clientIp }).ok) {
              failures.push(`accepted before its start: ${signedUrl}`)
            }
          }
          if (p.kind === 'ip') {
            mutated++
            // Flip the last bit of the network part: outside the range.
            const octets = [...p.client]
            const bit = p.bits - 1
            octets[Math.floor(bit / 8)] ^= 1 << (7 - (bit % 8))
            const outside = dotted(octets)
            if (verifier.verify({ url: signedUrl, now: NOW, clientIp: outside }).ok) {
              failures.push(`accepted from ${outside}: ${signedUrl}`)
            }
          }
          return true
        }
      ),
      { seed: SEED, numRuns: RUNS }
    )

    assert.deepEqual(failures.slice(0, 10), [])
    assert.equal(signed, RUNS)
    assert.isAtLeast(mutated, 10_000)
    for (const kind of ['canned', 'custom', 'wildcard', 'starts', 'ip']) {
      assert.isAbove(byPolicy.get(kind) ?? 0, 400, kind)
    }
    console.log(
      `  signed URLs: ${signed} (${[...byPolicy].map(([k, n]) => `${k} ${n}`).join(', ')}), all verified; mutations tried: ${mutated}, accepted: ${coveredByWildcard} (each a path change inside a signed wildcard)`
    )
  }).timeout(120_000)
})

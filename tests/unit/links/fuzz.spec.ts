import { createHmac, hkdfSync } from 'node:crypto'
import { test } from '@japa/runner'
import fc from 'fast-check'
import { DjamazingDriver } from '../../../src/driver.ts'
import { encodeObjectKey } from '../../../src/object_key.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import type { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import type { RedirectResponse } from '../../../src/links/types.ts'
import { AWKWARD_KEYS } from '../../helpers/awkward_keys.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import {
  CDN_ORIGIN,
  CDN_URL,
  NOW,
  SECRET,
  cdnSigner,
  cdnVerifier,
  makeDisks,
  makeSigner,
  openLink,
} from '../../helpers/links.ts'

/**
 * Property tests of protected links through the real `LinkSigner` and the
 * real redirect core (`handleLinkRequest`), with the real CloudFront signer
 * behind it. Seeded: a failure prints the seed and the shrunk case, and the
 * same run can be replayed.
 */
const SEED = 20_261_125
const MUTATION_RUNS = 12_000
const KEY_RUNS = 3_000

/**
 * A key the signer accepts: awkward keys, random unicode, folders.
 */
const validKey = fc.oneof(
  fc.constantFrom(...AWKWARD_KEYS.map((entry) => entry.key)),
  fc
    .array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((segments) => segments.join('/'))
    .filter((key) => {
      try {
        makeSigner().linkFor('uploads', key, { userId: 1, now: new Date(NOW) })
        return true
      } catch {
        return false
      }
    })
)

const userId = fc.oneof(
  fc.integer({ min: 1, max: 2 ** 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
)

/**
 * A genuine link and everything it was made with.
 */
const genuineLink = fc.record({
  disk: fc.constantFrom('uploads', 'private'),
  key: validKey,
  userId,
  expiresIn: fc.integer({ min: 1, max: 30 * 86_400 }),
  revision: fc.option(fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 8 })), {
    nil: undefined,
  }),
  contentType: fc.option(fc.constantFrom('image/svg+xml', 'text/plain; charset=utf-8'), {
    nil: undefined,
  }),
  contentDisposition: fc.option(fc.constantFrom('attachment; filename="a b.pdf"', 'inline'), {
    nil: undefined,
  }),
})

/**
 * One character: those that matter in URLs and base64url, or any code
 * point (control characters and lone surrogates included).
 */
const character = fc.oneof(
  fc.constantFrom(...'aAzZ09-_.~%/?&=+ #@\\;:,\'"*!$()[]', '%2F', '%2e', '%00'),
  fc.integer({ min: 0, max: 0x10ffff }).map((point) => String.fromCodePoint(point))
)

/**
 * What is done to a genuine link: a byte of one of its parts replaced,
 * deleted or inserted; opened by another user, a guest, with another
 * revision, on another disk, or after it expired.
 */
const mutation = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('byte' as const),
      part: fc.constantFrom('token', 'key', 'expiry', 'disk', 'query', 'anywhere'),
      at: fc.nat(),
      op: fc.constantFrom('replace', 'delete', 'insert'),
      char: character,
    }),
  },
  fc.record({ kind: fc.constant('other-user' as const), userId }),
  fc.record({ kind: fc.constant('guest' as const) }),
  fc.record({ kind: fc.constant('other-revision' as const), revision: fc.nat() }),
  fc.record({ kind: fc.constant('other-disk' as const) }),
  fc.record({ kind: fc.constant('expired' as const), afterMs: fc.nat({ max: 10 ** 9 }) }),
  fc.record({
    kind: fc.constant('appended' as const),
    param: fc.constantFrom('ct=text%2Fhtml', 'cd=inline', 'e=9999999999', 's=x', 'x=1', ''),
  })
)

type Genuine = typeof genuineLink extends fc.Arbitrary<infer T> ? T : never
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

/**
 * Where each part of `/djamazing/<disk>/<key>?e=<expiry>[&ct=..][&cd=..]&s=<token>` lies.
 */
function partRange(link: string, part: string): [number, number] {
  const mark = link.indexOf('?')
  const diskStart = '/djamazing/'.length
  const diskEnd = link.indexOf('/', diskStart)
  const expiryStart = mark + 3
  const tokenStart = link.lastIndexOf('&s=') + 3
  switch (part) {
    case 'disk':
      return [diskStart, diskEnd]
    case 'key':
      return [diskEnd + 1, mark]
    case 'expiry':
      return [expiryStart, link.indexOf('&', expiryStart)]
    case 'token':
      return [tokenStart, link.length]
    case 'query':
      return [mark, link.length]
    default:
      return [0, link.length]
  }
}

function mutateByte(link: string, m: Extract<Mutation, { kind: 'byte' }>): string {
  const [start, end] = partRange(link, m.part)
  const at = start + (m.at % (end - start + (m.op === 'insert' ? 1 : 0)))
  if (m.op === 'delete') return link.slice(0, at) + link.slice(at + 1)
  if (m.op === 'insert') return link.slice(0, at) + m.char + link.slice(at)
  const char = m.char === link[at] ? String.fromCharCode(link.charCodeAt(at) ^ 1) : m.char
  return link.slice(0, at) + char + link.slice(at + 1)
}

/**
 * Disks whose CDN signer counts its calls: a refused link must never get
 * as far as signing a CloudFront URL.
 */
function countingDisks() {
  const signer = makeSigner()
  const counter = { signed: 0 }
  const counting: Pick<CloudFrontSigner, 'signUrlAsync'> = {
    signUrlAsync(url, options) {
      counter.signed++
      return cdnSigner.signUrlAsync(url, options)
    },
  }
  return { signer, counter, lookup: makeDisks(signer, counting) }
}

/**
 * A link with a genuine MAC over any key, valid or not, made with the app
 * secret as the signer would make it if it did not check keys. The
 * redirect core must still refuse keys that are not valid object keys:
 * the MAC is not the only line of defence.
 */
function forgeLink(key: string, rawKey: string, user: string): string {
  const hmacKey = Buffer.from(hkdfSync('sha256', Buffer.from(SECRET), '', 'djamazing:links:v2', 32))
  const expiresAt = Math.ceil(NOW / 1000 + 3600)
  const message = JSON.stringify([
    'djamazing:links:v2',
    'uploads',
    key,
    null,
    user,
    expiresAt,
    null,
    null,
    null,
    null,
    false,
    null,
  ])
  const mac = createHmac('sha256', hmacKey).update(message).digest('base64url')
  return `/djamazing/uploads/${rawKey}?e=${expiresAt}&s=${mac}`
}

/**
 * Keys built from the pieces that break URL handling: separators, `..`,
 * `//`, `@`, `\`, control characters, percent signs, schemes, unicode,
 * very long runs.
 */
const hostileKey = fc.oneof(
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '..',
          '.',
          '/',
          '//',
          '@',
          '@evil.com',
          'evil.com',
          'https://evil.com/',
          '//evil.com',
          '\\',
          '\\\\evil.com',
          '%',
          '%2e%2e',
          '%2F',
          '%40',
          '?',
          '#',
          ':',
          ';',
          '&',
          '=',
          ' ',
          '+',
          '*',
          '\u0000',
          '\n',
          '\r',
          '\t',
          '\u007f',
          '\u0085',
          '\u2028',
          '\ufeff',
          '\ud800',
          'é',
          '😀',
          'ａ',
          '．．',
          '／'
        ),
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.string({ unit: 'grapheme', maxLength: 6 })
      ),
      { minLength: 1, maxLength: 24 }
    )
    .map((pieces) => pieces.join('')),
  fc
    .tuple(fc.constantFrom('x', 'é', '../', 'a/', '@', '😀'), fc.integer({ min: 200, max: 1500 }))
    .map(([piece, count]) => piece.repeat(count))
)

/**
 * The request targets an attacker would try for a key: the signer's own
 * encoding, the key raw, encodeURI, encodeURIComponent.
 */
function spellings(key: string): string[] {
  const out = new Set<string>()
  for (const spell of [
    () => encodeObjectKey(key),
    () => key,
    () => encodeURI(key),
    () => key.split('/').map(encodeURIComponent).join('/'),
  ]) {
    try {
      out.add(spell())
    } catch {}
  }
  return [...out]
}

function isRefusal(response: RedirectResponse): boolean {
  return response.status >= 400 && response.status < 500 && !response.headers.Location
}

test.group('Fuzz | protected links', () => {
  test(`${MUTATION_RUNS.toLocaleString('en-US')} mutated links (any byte of token, key, expiry, disk; other users, guests, revisions, disks; expired): none accepted`, async ({
    assert,
  }) => {
    const { signer, counter, lookup } = countingDisks()
    let tried = 0
    const accepted: string[] = []
    const byKind = new Map<string, number>()

    await fc.assert(
      fc.asyncProperty(genuineLink, mutation, async (genuine: Genuine, m: Mutation) => {
        const { disk, key, userId: owner, ...options } = genuine
        const link = signer.linkFor(disk, key, { userId: owner, now: new Date(NOW), ...options })
        const expiresAt = Math.ceil(NOW / 1000 + genuine.expiresIn)
        // The control: untouched, the link is valid for its owner.
        const query = link.slice(link.indexOf('?') + 1)
        const control = signer.verify({
          disk,
          key,
          query,
          userId: owner,
          revision: genuine.revision,
          now: new Date(NOW),
        })
        if (!control.ok) throw new Error(`genuine link refused: ${link}`)

        let target = link
        let user: { userId: string | number | null; revision?: string | number } = {
          userId: owner,
          revision: genuine.revision,
        }
        let now = NOW
        switch (m.kind) {
          case 'byte':
            target = mutateByte(link, m)
            break
          case 'other-user':
            // `1` and `"1"` are the same user, on purpose.
            fc.pre(String(m.userId) !== String(owner))
            user = { ...user, userId: m.userId }
            break
          case 'guest':
            user = { userId: null }
            break
          case 'other-revision':
            fc.pre(String(m.revision) !== String(genuine.revision))
            user = { ...user, revision: m.revision }
            break
          case 'other-disk':
            target = link.replace(`/${disk}/`, `/${disk === 'uploads' ? 'private' : 'uploads'}/`)
            break
          case 'expired':
            now = expiresAt * 1000 + m.afterMs
            break
          case 'appended':
            target = `${link}&${m.param}`
            break
        }

        tried++
        const kind = m.kind === 'byte' ? `${m.op} ${m.part}` : m.kind
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1)
        const response = await openLink(target, user, { disks: lookup, now: new Date(now) })
        if (response.status === 302 || !isRefusal(response)) {
          accepted.push(`${m.kind}: ${target} (${response.status})`)
        }
        return true
      }),
      { seed: SEED, numRuns: MUTATION_RUNS }
    )

    assert.isAtLeast(tried, 10_000)
    assert.deepEqual(accepted, [])
    assert.equal(counter.signed, 0, 'a refused link reached the CloudFront signer')
    for (const kind of ['other-user', 'guest', 'other-revision', 'other-disk', 'expired']) {
      assert.isAbove(byKind.get(kind) ?? 0, 100, kind)
    }
    for (const part of ['token', 'key', 'expiry', 'disk', 'query', 'anywhere']) {
      for (const op of ['replace', 'delete', 'insert']) {
        assert.isAbove(byKind.get(`${op} ${part}`) ?? 0, 100, `${op} ${part}`)
      }
    }
    console.log(
      `  mutated links tried: ${tried} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}), accepted: ${accepted.length}`
    )
  }).timeout(120_000)

  test(`${KEY_RUNS.toLocaleString('en-US')} hostile keys: the Location origin is always the CDN origin, or the key is refused with a 4xx`, async ({
    assert,
  }) => {
    const signer = makeSigner()
    // The real driver as the redirect core's disk: its own link signer
    // (same app secret), CloudFront signer and CDN URL. No S3 request is made.
    const driver = new DjamazingDriver({
      disk: 'uploads',
      bucket: 'uploads',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      mode: 'protected',
      cdnUrl: CDN_URL,
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey },
      links: { secrets: [SECRET], currentUserId: () => 'alice' },
    } as DjamazingOptions)
    const lookup = (name: string) => (name === 'uploads' ? driver : undefined)
    let tried = 0
    let redirected = 0
    let refusedKeys = 0
    let requests = 0
    const failures: string[] = []
    const alice = { userId: 'alice' }

    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: hostileKey }, validKey), async (key) => {
        tried++
        let link: string | undefined
        try {
          link = signer.linkFor('uploads', key, { userId: 'alice', now: new Date(NOW) })
        } catch (error: any) {
          if (error.code !== 'E_DJAMAZING_INVALID_KEY') {
            failures.push(`${JSON.stringify(key)}: linkFor threw ${error.code ?? error}`)
          }
        }

        if (link) {
          // A key the signer accepts: its link redirects to the CDN, to the
          // key's exact path, under a URL CloudFront accepts.
          redirected++
          requests++
          const response = await openLink(link, alice, { disks: lookup })
          const location = response.headers.Location ?? ''
          const url = URL.canParse(location) ? new URL(location) : undefined
          if (
            response.status !== 302 ||
            url?.origin !== CDN_ORIGIN ||
            url.pathname !== `/media/${encodeObjectKey(key)}` ||
            !cdnVerifier.verify({ url: location, now: new Date(NOW) }).ok
          ) {
            failures.push(`${JSON.stringify(key)}: ${response.status} ${location}`)
          }
        } else {
          refusedKeys++
        }

        // Every other spelling of the key in the path, with a MAC made
        // over the key with the app's secret: a 4xx, or a redirect that
        // stays on the CDN origin.
        for (const raw of spellings(key)) {
          const target = forgeLink(key, raw, 'alice')
          if (link && target === link) continue
          requests++
          let response: RedirectResponse
          try {
            response = await openLink(target, alice, { disks: lookup })
          } catch (error: any) {
            failures.push(`${JSON.stringify(raw)}: threw ${error.code ?? error}`)
            continue
          }
          const location = response.headers.Location
          if (response.status === 302) {
            if (!link || new URL(location).origin !== CDN_ORIGIN) {
              failures.push(`${JSON.stringify(raw)}: redirected to ${location}`)
            }
          } else if (!isRefusal(response)) {
            failures.push(`${JSON.stringify(raw)}: ${response.status}`)
          }
        }
        return true
      }),
      { seed: SEED, numRuns: KEY_RUNS }
    )

    assert.equal(tried, KEY_RUNS)
    assert.deepEqual(failures, [])
    // Both sides of the property were exercised.
    assert.isAbove(redirected, 300)
    assert.isAbove(refusedKeys, 300)
    console.log(
      `  hostile keys tried: ${tried} (${redirected} signed and redirected, ${refusedKeys} refused as keys), requests: ${requests}`
    )
  }).timeout(120_000)
})

import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { parseErrorXml, startSigningEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'

const SHA1 = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })
const SHA256 = new CloudFrontSigner({
  keyPairId: RSA_KEY.id,
  privateKey: RSA_KEY.privateKey,
  hashAlgorithm: 'SHA256',
})
const KEYS = ['plain.txt', 'with space.txt', 'café.txt']

/**
 * A different character of the same kind, so the change is a plausible
 * one (a digit for a digit, base64 for base64), not an obvious syntax error.
 */
function substitute(char: string): string {
  if (/\d/.test(char)) return String((Number(char) + 1) % 10)
  if (char === 'A') return 'B'
  if (/[A-Za-z]/.test(char)) return 'A'
  if (char === '-') return '_'
  if (char === '%') return '2'
  return 'x'
}

/**
 * Every single-character substitution at a few positions (first, second,
 * middle, before last, last) of the part of `url` between `start` and `end`.
 */
function tamperings(url: string, start: number, end: number): string[] {
  const length = end - start
  const offsets = new Set([0, 1, Math.floor(length / 2), length - 2, length - 1])
  return [...offsets]
    .filter((offset) => offset >= 0 && offset < length)
    .map((offset) => {
      const at = start + offset
      return `${url.slice(0, at)}${substitute(url[at])}${url.slice(at + 1)}`
    })
}

function valueSpan(url: string, name: string): [number, number] {
  const start = url.indexOf(`${name}=`) + name.length + 1
  const end = url.indexOf('&', start)
  return [start, end === -1 ? url.length : end]
}

test.group('Edge | tampered, expired and unsigned URLs', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture())
    for (const key of KEYS) await fixture.put(key, `body of ${key}`)
    return () => fixture.stop()
  })

  async function assertRefused(assert: any, url: string, code = 'AccessDenied') {
    const response = await fetch(url)
    assert.equal(response.status, 403, url)
    assert.equal(response.headers.get('content-type'), 'text/xml')
    assert.equal(parseErrorXml(await response.text()).code, code, url)
  }

  /**
   * The URLs under test: canned and custom, SHA-1 and SHA-256, with and
   * without the URL's own query, for each key.
   */
  function signedUrls() {
    const urls: string[] = []
    for (const key of KEYS) {
      const base = cdnUrlFor(cdn, key)
      const own = `${base}?response-content-disposition=attachment&v=2`
      for (const url of [base, own]) {
        urls.push(SHA1.signUrl(url, { expiresIn: 60, now: NOW }))
        urls.push(SHA256.signUrl(url, { expiresIn: 60, now: NOW }))
        urls.push(SHA1.signUrl(url, { expiresIn: 60, now: NOW, policy: 'custom' }))
      }
    }
    return urls
  }

  test('the untouched URLs are accepted', async ({ assert }) => {
    for (const url of signedUrls()) {
      const response = await fetch(url)
      assert.equal(response.status, 200, url)
      await response.arrayBuffer()
    }
  })

  test('every single-character change of a signing parameter is refused', async ({ assert }) => {
    let tried = 0
    for (const url of signedUrls()) {
      for (const name of ['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']) {
        if (!url.includes(`${name}=`)) continue
        const code = name === 'Key-Pair-Id' ? 'InvalidKey' : undefined
        for (const tampered of tamperings(url, ...valueSpan(url, name))) {
          // A changed Policy may no longer be valid base64 or JSON.
          const response = await fetch(tampered)
          assert.equal(response.status, 403, tampered)
          const body = parseErrorXml(await response.text())
          if (code) assert.equal(body.code, code)
          tried++
        }
      }
    }
    assert.isAbove(tried, 150)
  })

  test('every single-character change of the key or of the own query is refused', async ({
    assert,
  }) => {
    let tried = 0
    for (const url of signedUrls()) {
      const keyStart = cdn.base.length
      const queryStart = url.indexOf('?')
      for (const tampered of tamperings(url, keyStart, queryStart)) {
        await assertRefused(assert, tampered)
        tried++
      }
      const signingStart = Math.min(
        ...['Expires=', 'Policy='].map((name) => url.indexOf(name)).filter((i) => i !== -1)
      )
      if (signingStart > queryStart + 1) {
        for (const tampered of tamperings(url, queryStart + 1, signingStart - 1)) {
          await assertRefused(assert, tampered)
          tried++
        }
      }
    }
    assert.isAbove(tried, 100)
  })

  test('a parameter appended after the signature, or a repeated one, is refused', async ({
    assert,
  }) => {
    const url = SHA1.signUrl(cdnUrlFor(cdn, 'plain.txt'), { expiresIn: 60, now: NOW })
    await assertRefused(assert, `${url}&response-content-type=text%2Fhtml`)
    await assertRefused(assert, `${url}&Expires=2000000000`)
    const [start, end] = valueSpan(url, 'Signature')
    await assertRefused(assert, `${url}&Signature=${url.slice(start, end)}`)
  })

  test('an expired URL is refused, from the second it expires', async ({ assert }) => {
    const expiresAtNow = SHA1.signUrl(cdnUrlFor(cdn, 'plain.txt'), {
      expiresAt: new Date(Math.floor(NOW.getTime() / 1000) * 1000),
      now: new Date(NOW.getTime() - 60_000),
    })
    await assertRefused(assert, expiresAtNow)
    const longAgo = SHA1.signUrl(cdnUrlFor(cdn, 'plain.txt'), {
      expiresIn: 60,
      now: new Date(NOW.getTime() - 3_600_000),
    })
    await assertRefused(assert, longAgo)
    const response = await fetch(longAgo)
    assert.equal(parseErrorXml(await response.text()).message, 'Access denied')
  })

  test('a URL not valid yet is refused', async ({ assert }) => {
    const url = SHA1.signUrl(cdnUrlFor(cdn, 'plain.txt'), {
      expiresIn: 600,
      startsAt: new Date(NOW.getTime() + 60_000),
      now: NOW,
    })
    await assertRefused(assert, url)
  })

  test("no Key-Pair-Id, in the URL or a cookie, gives CloudFront's exact message", async ({
    assert,
  }) => {
    const signed = SHA1.signUrl(cdnUrlFor(cdn, 'plain.txt'), { expiresIn: 60, now: NOW })
    for (const url of [
      cdnUrlFor(cdn, 'plain.txt'),
      signed.replace(/&Key-Pair-Id=[^&]*/, ''),
      `${cdnUrlFor(cdn, 'plain.txt')}?v=1`,
    ]) {
      const response = await fetch(url)
      assert.equal(response.status, 403)
      assert.equal(
        await response.text(),
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>'
      )
    }
  })

  test('row 1: signatures are checked before the origin: refusals never reach it, and HEAD gets no body', async ({
    assert,
  }) => {
    fixture.originRequests.length = 0
    const head = await fetch(cdnUrlFor(cdn, 'plain.txt'), { method: 'HEAD' })
    assert.equal(head.status, 403)
    const body = await head.arrayBuffer()
    assert.equal(body.byteLength, 0)
    const signed = SHA1.signUrl(cdnUrlFor(cdn, 'plain.txt'), { expiresIn: 60, now: NOW })
    await assertRefused(assert, signed.replace('/plain.txt', '/..%2Fplain.txt'))
    await assertRefused(assert, `${signed}x`, 'InvalidKey')
    assert.deepEqual(fixture.originRequests, [])
  })
})

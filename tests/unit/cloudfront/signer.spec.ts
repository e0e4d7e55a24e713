import { test } from '@japa/runner'
import {
  CloudFrontSigner,
  escapeUrlWildcards,
  literalResource,
} from '../../../src/cloudfront/main.ts'
import type { SignUrlOptions } from '../../../src/cloudfront/types.ts'
import { CDN, EC_KEY, NOW, NOW_SECONDS, RSA_KEY } from '../../helpers/cloudfront_keys.ts'

const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
const url = `${CDN}/photos/cat.jpg`

function policyOf(signed: string): Record<string, any> {
  const value = new URL(signed).searchParams.get('Policy')!
  const json = Buffer.from(
    value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'),
    'base64'
  ).toString('utf8')
  return JSON.parse(json)
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn()
  } catch (error) {
    return error as { code: string; message: string }
  }
  throw new Error('no error was thrown')
}

test.group('CloudFront signer | URL shape', () => {
  test('a canned URL: own query first, then Expires, Signature, Key-Pair-Id', ({ assert }) => {
    const signed = signer.signUrl(`${url}?size=large&v=2`, { expiresIn: 60, now: NOW })
    const parsed = new URL(signed)
    assert.deepEqual(
      [...parsed.searchParams.keys()],
      ['size', 'v', 'Expires', 'Signature', 'Key-Pair-Id']
    )
    assert.equal(parsed.searchParams.get('size'), 'large')
    assert.equal(parsed.searchParams.get('Key-Pair-Id'), RSA_KEY.id)
    assert.match(parsed.searchParams.get('Signature')!, /^[A-Za-z0-9\-~]+_*$/)
    assert.isTrue(signed.startsWith(`${url}?size=large&v=2&Expires=`))
  })

  test('SHA-256 adds Hash-Algorithm=SHA256 last', ({ assert }) => {
    const sha256 = new CloudFrontSigner({
      keyPairId: RSA_KEY.id,
      privateKey: RSA_KEY.pem,
      hashAlgorithm: 'SHA256',
    })
    assert.equal(sha256.algorithm, 'RSA-SHA256')
    const parsed = new URL(sha256.signUrl(url, { expiresIn: 60, now: NOW }))
    assert.deepEqual(
      [...parsed.searchParams.keys()],
      ['Expires', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']
    )
    assert.equal(parsed.searchParams.get('Hash-Algorithm'), 'SHA256')
  })

  test('a custom URL carries Policy instead of Expires', ({ assert }) => {
    const signed = signer.signUrl(url, { expiresIn: 60, ipAddress: '192.0.2.10', now: NOW })
    assert.deepEqual(
      [...new URL(signed).searchParams.keys()],
      ['Policy', 'Signature', 'Key-Pair-Id']
    )
    assert.deepEqual(policyOf(signed), {
      Statement: [
        {
          Resource: url,
          Condition: {
            DateLessThan: { 'AWS:EpochTime': NOW_SECONDS + 61 },
            IpAddress: { 'AWS:SourceIp': '192.0.2.10/32' },
          },
        },
      ],
    })
  })

  test('RSA signatures are deterministic, and the async path gives the same URL', async ({
    assert,
  }) => {
    const options = { expiresIn: '10m', now: NOW }
    const sync = signer.signUrl(url, options)
    assert.equal(signer.signUrl(url, options), sync)
    assert.equal(await signer.signUrlAsync(url, options), sync)
  })

  test('ECDSA async URLs have the same shape (ECDSA signatures are randomised)', async ({
    assert,
  }) => {
    const ec = new CloudFrontSigner({ keyPairId: EC_KEY.id, privateKey: EC_KEY.privateKey })
    const signed = await ec.signUrlAsync(url, { expiresIn: 60, now: NOW })
    assert.deepEqual(
      [...new URL(signed).searchParams.keys()],
      ['Expires', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm']
    )
  })

  test('invalid options reject the async promise instead of throwing', async ({ assert }) => {
    await assert.rejects(() => signer.signUrlAsync('not a url', { expiresIn: 60 }))
  })
})

test.group('CloudFront signer | expiry', () => {
  test('{0} gives Expires = now + {1} s (rounded up)')
    .with([
      ['expiresIn 1.5', 2, { expiresIn: 1.5 }],
      ["expiresIn '1.5s'", 2, { expiresIn: '1.5s' }],
      ['expiresIn 60', 61, { expiresIn: 60 }],
      ["expiresIn '10m'", 601, { expiresIn: '10m' }],
      ["expiresIn '2h'", 7201, { expiresIn: '2h' }],
    ] as const)
    .run(({ assert }, [, extra, options]) => {
      // NOW is 250 ms past a whole second: rounding up adds the rest of it.
      const signed = signer.signUrl(url, { ...options, now: NOW })
      assert.equal(new URL(signed).searchParams.get('Expires'), String(NOW_SECONDS + extra))
    })

  test('a link lives at least as long as asked, never less', ({ assert }) => {
    for (let ms = 0; ms < 1000; ms += 125) {
      const now = new Date(NOW_SECONDS * 1000 + ms)
      const expires = Number(
        new URL(signer.signUrl(url, { expiresIn: 1.5, now })).searchParams.get('Expires')
      )
      assert.isAtLeast(expires * 1000 - now.getTime(), 1500)
      assert.isBelow(expires * 1000 - now.getTime(), 2500)
    }
  })

  test('expiresAt: a whole second is kept, a fraction rounds up', ({ assert }) => {
    const whole = new Date('2026-05-04T13:00:00.000Z')
    const fraction = new Date('2026-05-04T13:00:00.001Z')
    const expiresOf = (expiresAt: Date) =>
      new URL(signer.signUrl(url, { expiresAt, now: NOW })).searchParams.get('Expires')
    assert.equal(expiresOf(whole), String(whole.getTime() / 1000))
    assert.equal(expiresOf(fraction), String(whole.getTime() / 1000 + 1))
  })

  test('refused: {0}')
    .with([
      ['milliseconds where seconds are meant', { expiresIn: 3_600_000 }, /looks like milliseconds/],
      ['no expiry', {}, /needs an expiry/],
      [
        'both expiresIn and expiresAt',
        { expiresIn: 60, expiresAt: new Date('2027-01-01') },
        /not both/,
      ],
      ['an expiry in the past', { expiresAt: new Date('2020-01-01') }, /in the past/],
      ['an invalid Date', { expiresAt: new Date('nope') }, /valid Date/],
      ['a number as expiresAt', { expiresAt: 1_800_000_000 as unknown as Date }, /valid Date/],
      ['beyond 2147483647', { expiresAt: new Date('2038-01-19T03:14:08Z') }, /2147483647/],
      ['a duration string without unit', { expiresIn: '60' }, /not a duration/],
      [
        'a start after the expiry',
        { expiresIn: 60, startsAt: new Date('2027-01-01') },
        /before the expiry/,
      ],
    ] as const)
    .run(({ assert }, [, options, message]) => {
      const error = errorOf(() => signer.signUrl(url, { ...(options as SignUrlOptions), now: NOW }))
      assert.match(error.code, /^E_DJAMAZING_INVALID_(SIGNING_OPTIONS|CONFIG)$/)
      assert.match(error.message, message)
    })

  test('2147483647 itself is accepted', ({ assert }) => {
    const signed = signer.signUrl(url, { expiresAt: new Date(2_147_483_647_000), now: NOW })
    assert.equal(new URL(signed).searchParams.get('Expires'), '2147483647')
  })
})

test.group('CloudFront signer | canned or custom, never silently wrong', () => {
  test('{0} makes a custom policy')
    .with([
      ['startsAt', { startsAt: new Date('2026-05-04T11:00:00.900Z') }],
      ['ipAddress', { ipAddress: '198.51.100.0/24' }],
      ['a wildcard resource', { resource: `${CDN}/photos/*` }],
      ["policy: 'custom'", { policy: 'custom' }],
    ] as const)
    .run(({ assert }, [, options]) => {
      const signed = signer.signUrl(url, { expiresIn: 60, now: NOW, ...options })
      assert.isNull(new URL(signed).searchParams.get('Expires'))
      const statement = policyOf(signed).Statement[0]
      assert.equal(statement.Condition.DateLessThan['AWS:EpochTime'], NOW_SECONDS + 61)
      if ('startsAt' in options) {
        // Rounded down: valid from the asked second on.
        assert.equal(statement.Condition.DateGreaterThan['AWS:EpochTime'], NOW_SECONDS - 3600)
      }
    })

  test('the resource equal to the URL stays canned', ({ assert }) => {
    const signed = signer.signUrl(url, { expiresIn: 60, resource: url, now: NOW })
    assert.isNotNull(new URL(signed).searchParams.get('Expires'))
  })

  test("policy: 'canned' with {0} is an error")
    .with([
      ['startsAt', { startsAt: new Date('2026-05-04T11:00:00Z') }],
      ['ipAddress', { ipAddress: '192.0.2.1' }],
      ['a wildcard resource', { resource: `${CDN}/photos/*` }],
      ['a wildcard resource spelled as the URL', { resource: `${CDN}/photos/cat.jp?` }],
    ] as const)
    .run(({ assert }, [, options]) => {
      const error = errorOf(() =>
        signer.signUrl(url, { expiresIn: 60, now: NOW, policy: 'canned', ...options })
      )
      assert.equal(error.code, 'E_DJAMAZING_INVALID_SIGNING_OPTIONS')
      assert.match(error.message, /"policy".*needs policy: 'custom'/)
    })

  test('a resource that does not cover the URL is an error, not a dead link', ({ assert }) => {
    const error = errorOf(() =>
      signer.signUrl(url, { expiresIn: 60, now: NOW, resource: `${CDN}/videos/*` })
    )
    assert.match(error.message, /does not cover the URL/)
  })

  test('a custom policy writes the query separator of the URL as \\?', ({ assert }) => {
    const signed = signer.signUrl(`${url}?v=2`, { expiresIn: 60, now: NOW, policy: 'custom' })
    assert.equal(policyOf(signed).Statement[0].Resource, `${url}\\?v=2`)
  })

  test('the URL given as its own resource is made literal too', ({ assert }) => {
    const withQuery = `${url}?v=2`
    const signed = signer.signUrl(withQuery, {
      expiresIn: 60,
      now: NOW,
      resource: withQuery,
      ipAddress: '192.0.2.1',
    })
    assert.equal(policyOf(signed).Statement[0].Resource, `${url}\\?v=2`)
  })

  test("the filename*=UTF-8'' trap: a literal * is refused in a custom policy", ({ assert }) => {
    const disposition = encodeURIComponent(`attachment; filename*=UTF-8''caf%C3%A9.txt`)
    const trap = `${url}?response-content-disposition=${disposition}`
    assert.include(trap, '*')
    // Canned is fine: CloudFront rebuilds a canned policy from the request, no wildcards.
    assert.include(signer.signUrl(trap, { expiresIn: 60, now: NOW }), 'Expires=')
    const error = errorOf(() =>
      signer.signUrl(trap, { expiresIn: 60, now: NOW, ipAddress: '192.0.2.1' })
    )
    assert.equal(error.code, 'E_DJAMAZING_INVALID_SIGNING_OPTIONS')
    assert.match(error.message, /escapeUrlWildcards/)

    const escaped = escapeUrlWildcards(trap)
    assert.notInclude(escaped, '*')
    assert.include(escaped, 'filename%2A%3DUTF-8')
    const signed = signer.signUrl(escaped, { expiresIn: 60, now: NOW, ipAddress: '192.0.2.1' })
    assert.notInclude(policyOf(signed).Statement[0].Resource, '*')
    assert.equal(
      new URL(signed).searchParams.get('response-content-disposition'),
      `attachment; filename*=UTF-8''caf%C3%A9.txt`
    )
  })

  test('literalResource refuses what it cannot make literal', ({ assert }) => {
    assert.equal(literalResource(`${CDN}/a.txt`), `${CDN}/a.txt`)
    assert.equal(literalResource(`${CDN}/a.txt?x=1&y=2`), `${CDN}/a.txt\\?x=1&y=2`)
    assert.throws(() => literalResource(`${CDN}/a*.txt`), /%2A/)
    assert.throws(() => literalResource(`${CDN}/a.txt?q=what?`), /%3F/)
    assert.equal(escapeUrlWildcards(`${CDN}/a*.txt?q=what?`), `${CDN}/a%2A.txt?q=what%3F`)
  })

  test('an IP range that is {0} is refused')
    .with([
      ['IPv6', '2001:db8::1'],
      ['a bad mask', '192.0.2.0/33'],
      ['a leading zero', '192.0.2.010'],
      ['three octets', '192.0.2'],
      ['a hostname', 'example.com'],
    ])
    .run(({ assert }, [, ipAddress]) => {
      const error = errorOf(() => signer.signUrl(url, { expiresIn: 60, now: NOW, ipAddress }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_SIGNING_OPTIONS')
      assert.match(error.message, /"ipAddress".*IPv4/)
    })
})

test.group('CloudFront signer | URLs it refuses', () => {
  test('a URL whose own query has {$self}')
    .with(['Expires', 'Policy', 'Signature', 'Key-Pair-Id', 'Hash-Algorithm'])
    .run(({ assert }, name) => {
      for (const candidate of [`${url}?${name}=1`, `${url}?a=1&${name}=x&b=2`, `${url}?${name}`]) {
        const error = errorOf(() => signer.signUrl(candidate, { expiresIn: 60, now: NOW }))
        assert.equal(error.code, 'E_DJAMAZING_INVALID_SIGNING_OPTIONS')
        assert.include(error.message, `"${name}"`)
      }
    })

  test('a URL that is {0}')
    .with([
      ['relative', '/photos/cat.jpg'],
      ['not http', 'ftp://d111111abcdef8.cloudfront.net/a.txt'],
      ['not encoded (space)', `${CDN}/a b.txt`],
      ['not encoded (non-ASCII)', `${CDN}/café.txt`],
      ['with a quote', `${CDN}/a".txt`],
      ['with a fragment', `${CDN}/a.txt#x`],
      ['with credentials', 'https://user:pw@d111111abcdef8.cloudfront.net/a.txt'],
      ['ending with ?', `${CDN}/a.txt?`],
      ['ending with &', `${CDN}/a.txt?x=1&`],
      ['not a string', 42],
    ])
    .run(({ assert }, [, candidate]) => {
      const error = errorOf(() => signer.signUrl(candidate as string, { expiresIn: 60 }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_SIGNING_OPTIONS')
    })

  test('a URL of 8,192 bytes or more, before or after signing', ({ assert }) => {
    const long = `${CDN}/${'a'.repeat(8192 - CDN.length - 1)}`
    assert.equal(long.length, 8192)
    assert.match(errorOf(() => signer.signUrl(long, { expiresIn: 60 })).message, /8192 bytes/)
    const nearly = `${CDN}/${'a'.repeat(8000 - CDN.length)}`
    assert.match(
      errorOf(() => signer.signUrl(nearly, { expiresIn: 60 })).message,
      /signed URL would be \d+ bytes/
    )
  })
})

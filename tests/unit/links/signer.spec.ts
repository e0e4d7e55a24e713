import { createHmac, hkdfSync } from 'node:crypto'
import { test } from '@japa/runner'
import { LinkSigner } from '../../../src/links/signer.ts'
import { NOW, OLD_SECRET, SECRET, makeSigner } from '../../helpers/links.ts'

function queryOf(link: string) {
  return link.slice(link.indexOf('?') + 1)
}

// The link format and the signed message of docs/protected-links.md.
test.group('Protected links: making and verifying', () => {
  test('a link has the documented shape, with no user id in it', ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'reports/q1 2026.pdf', {
      userId: 42,
      now: new Date(NOW),
    })
    const url = new URL(link, 'https://app.test')
    assert.equal(url.pathname, '/djamazing/uploads/reports/q1%202026.pdf')
    assert.deepEqual([...url.searchParams.keys()], ['e', 's'])
    assert.equal(url.searchParams.get('e'), String(NOW / 1000 + 3600))
    assert.match(url.searchParams.get('s')!, /^[A-Za-z0-9_-]{43}$/)
    assert.notInclude(link, '42')
    // The example of the page, byte for byte.
    assert.equal(
      link,
      '/djamazing/uploads/reports/q1%202026.pdf?e=1767229200&s=-tbTt0IcdUJM6jHhORtNJcFmbGV8HwnzxI6euC8fF5A'
    )
  })

  test('fixed output: HKDF-derived key, HMAC-SHA256 over a JSON array (frozen clock)', ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', {
      userId: 'alice',
      realm: 'web',
      revision: 2,
      contentType: 'text/plain',
      now: new Date(NOW),
    })
    assert.equal(
      link,
      '/djamazing/uploads/a.txt?e=1767229200&ct=text%2Fplain&s=Ruvq7ayxxPOL1OjbWhdw_nyU5Nb_maUywXHmKJvWSZI'
    )
    // The same MAC, recomputed from the documented format.
    const key = Buffer.from(hkdfSync('sha256', SECRET, '', 'djamazing:links:v2', 32))
    const message = JSON.stringify([
      'djamazing:links:v2',
      'uploads',
      'a.txt',
      'web',
      'alice',
      1767229200,
      '2',
      'text/plain',
      null,
      null,
      false,
      null,
    ])
    assert.equal(
      createHmac('sha256', key).update(message).digest('base64url'),
      'Ruvq7ayxxPOL1OjbWhdw_nyU5Nb_maUywXHmKJvWSZI'
    )
  })

  test('fixed output: the view lifetime, IP binding and folder are in the MAC', ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'hls/12/index.m3u8', {
      userId: 'alice',
      viewFor: '2h',
      bindIp: true,
      folder: 'hls/12/',
      now: new Date(NOW),
    })
    assert.equal(
      link,
      '/djamazing/uploads/hls/12/index.m3u8?e=1767229200&v=7200&ip=1&f=hls%2F12%2F&s=ltfk-m9Ht0hUiC1qbyTEKM_UTVb2XVNxUo8xFYyFjFk'
    )
    const key = Buffer.from(hkdfSync('sha256', SECRET, '', 'djamazing:links:v2', 32))
    const message = JSON.stringify([
      'djamazing:links:v2',
      'uploads',
      'hls/12/index.m3u8',
      null,
      'alice',
      1767229200,
      null,
      null,
      null,
      7200,
      true,
      'hls/12/',
    ])
    assert.equal(
      createHmac('sha256', key).update(message).digest('base64url'),
      'ltfk-m9Ht0hUiC1qbyTEKM_UTVb2XVNxUo8xFYyFjFk'
    )
    const verified = makeSigner().verify({
      disk: 'uploads',
      key: 'hls/12/index.m3u8',
      query: link.split('?')[1],
      userId: 'alice',
      now: new Date(NOW),
    })
    assert.deepEqual(verified, {
      ok: true,
      expiresAt: new Date(1767229200 * 1000),
      overrides: {},
      viewFor: 7200,
      bindIp: true,
      folder: 'hls/12/',
    })
  })

  test('dropping or changing the view lifetime, IP binding or folder breaks the MAC', ({
    assert,
  }) => {
    const link = makeSigner().linkFor('uploads', 'hls/12/index.m3u8', {
      userId: 'alice',
      viewFor: 60,
      bindIp: true,
      folder: 'hls/12/',
      now: new Date(NOW),
    })
    const query = link.split('?')[1]
    const variants = [
      query.replace('v=60', 'v=7200'),
      query.replace('&v=60', ''),
      query.replace('&ip=1', ''),
      query.replace('f=hls%2F12%2F', 'f=hls%2F'),
      query.replace('&f=hls%2F12%2F', ''),
    ]
    for (const variant of variants) {
      assert.notEqual(variant, query)
      const result = makeSigner().verify({
        disk: 'uploads',
        key: 'hls/12/index.m3u8',
        query: variant,
        userId: 'alice',
        now: new Date(NOW),
      })
      assert.deepEqual(result, { ok: false, reason: 'bad-signature' }, variant)
    }
    for (const bad of ['&v=0', '&v=01', '&ip=0', '&ip=true', '&v=60&v=60']) {
      const result = makeSigner().verify({
        disk: 'uploads',
        key: 'hls/12/index.m3u8',
        query: query.replace('&v=60', bad),
        userId: 'alice',
        now: new Date(NOW),
      })
      assert.deepEqual(result, { ok: false, reason: 'malformed' }, bad)
    }
  })

  test('a folder must end with "/" and hold the key', ({ assert }) => {
    for (const folder of ['hls/12', 'other/', 'hls/12/index.m3u8/', '../', '/hls/']) {
      assert.throws(
        () => makeSigner().linkFor('uploads', 'hls/12/index.m3u8', { userId: 'alice', folder }),
        /Invalid link option "folder"/
      )
    }
  })

  test("alice's link verifies for alice only", ({ assert }) => {
    const signer = makeSigner()
    const query = queryOf(
      signer.linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    )
    const check = (userId: string | null) =>
      signer.verify({ disk: 'uploads', key: 'a.txt', query, userId, now: new Date(NOW) })
    assert.deepEqual(check('alice'), {
      ok: true,
      expiresAt: new Date(NOW + 3_600_000),
      overrides: {},
    })
    assert.deepEqual(check('bob'), { ok: false, reason: 'bad-signature' })
    assert.deepEqual(check('alice '), { ok: false, reason: 'bad-signature' })
    assert.deepEqual(check(null), { ok: false, reason: 'login-required' })
  })

  test('an integer id and its decimal string are the same user', ({ assert }) => {
    const signer = makeSigner()
    const query = queryOf(signer.linkFor('uploads', 'a.txt', { userId: 7, now: new Date(NOW) }))
    assert.isTrue(
      signer.verify({ disk: 'uploads', key: 'a.txt', query, userId: '7', now: new Date(NOW) }).ok
    )
    assert.isFalse(
      signer.verify({ disk: 'uploads', key: 'a.txt', query, userId: 70, now: new Date(NOW) }).ok
    )
  })

  test('the same key on another disk, or another key, is refused', ({ assert }) => {
    const signer = makeSigner()
    const query = queryOf(
      signer.linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    )
    const base = { query, userId: 'alice', now: new Date(NOW) }
    assert.equal(signer.verify({ ...base, disk: 'private', key: 'a.txt' }).ok, false)
    assert.equal(signer.verify({ ...base, disk: 'uploads', key: 'b.txt' }).ok, false)
    assert.equal(signer.verify({ ...base, disk: 'uploads', key: 'a.txt' }).ok, true)
  })

  test('the options are read from a raw query, URLSearchParams or a record alike', ({ assert }) => {
    const signer = makeSigner()
    const link = signer.linkFor('uploads', 'a.txt', {
      userId: 'alice',
      now: new Date(NOW),
      contentType: 'image/svg+xml',
      contentDisposition: `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    })
    const params = new URLSearchParams(queryOf(link))
    for (const query of [queryOf(link), params, Object.fromEntries(params)]) {
      const result = signer.verify({
        disk: 'uploads',
        key: 'a.txt',
        query,
        userId: 'alice',
        now: new Date(NOW),
      })
      assert.deepEqual(result, {
        ok: true,
        expiresAt: new Date(NOW + 3_600_000),
        overrides: {
          contentType: 'image/svg+xml',
          contentDisposition: `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
        },
      })
    }
  })

  test('overrides are signed: changing or dropping one is refused', ({ assert }) => {
    const signer = makeSigner()
    const link = signer.linkFor('uploads', 'a.html', {
      userId: 'alice',
      now: new Date(NOW),
      contentDisposition: 'attachment',
    })
    const verify = (query: string) =>
      signer.verify({ disk: 'uploads', key: 'a.html', query, userId: 'alice', now: new Date(NOW) })
    assert.isTrue(verify(queryOf(link)).ok)
    assert.isFalse(verify(queryOf(link).replace('cd=attachment', 'cd=inline')).ok)
    assert.isFalse(verify(queryOf(link).replace('&cd=attachment', '')).ok)
    assert.isFalse(verify(queryOf(link).replace('&cd=attachment', '&ct=text%2Fhtml')).ok)
  })

  test('named errors for what the app passes wrong', ({ assert }) => {
    const signer = makeSigner()
    const cases: [() => unknown, string][] = [
      [() => signer.linkFor('Up/loads', 'a.txt', { userId: 1 }), 'E_DJAMAZING_INVALID_DISK_NAME'],
      [() => signer.linkFor('', 'a.txt', { userId: 1 }), 'E_DJAMAZING_INVALID_DISK_NAME'],
      [() => signer.linkFor('uploads', '../a.txt', { userId: 1 }), 'E_DJAMAZING_INVALID_KEY'],
      [() => signer.linkFor('uploads', 'a.txt', {} as any), 'E_DJAMAZING_INVALID_LINK_USER'],
      [() => signer.linkFor('uploads', 'a.txt', { userId: '' }), 'E_DJAMAZING_INVALID_LINK_USER'],
      [() => signer.linkFor('uploads', 'a.txt', { userId: 1.5 }), 'E_DJAMAZING_INVALID_LINK_USER'],
      [() => signer.linkFor('uploads', 'a.txt', { userId: null }), 'E_DJAMAZING_GUEST_LINK'],
      [
        () => signer.linkFor('uploads', 'a.txt', { userId: 1, contentType: 'a\r\nSet-Cookie: x' }),
        'E_DJAMAZING_INVALID_LINK_OPTION',
      ],
      [
        () => signer.linkFor('uploads', 'a.txt', { userId: 1, expiresIn: 3_600_000 }),
        'E_DJAMAZING_INVALID_LINK_OPTION',
      ],
      [
        () => signer.verify({ disk: 'uploads', key: 'a', query: '', userId: {} as any }),
        'E_DJAMAZING_INVALID_LINK_USER',
      ],
      [() => new LinkSigner({ secrets: [] }), 'E_DJAMAZING_INVALID_CONFIG'],
      [() => new LinkSigner({ secrets: ['short'] }), 'E_DJAMAZING_INVALID_CONFIG'],
      [() => makeSigner({ routePrefix: 'djamazing/' }), 'E_DJAMAZING_INVALID_CONFIG'],
      [() => makeSigner({ baseUrl: 'https://app.test/x?y' }), 'E_DJAMAZING_INVALID_CONFIG'],
      [() => makeSigner({ expiresIn: 'an hour' }), 'E_DJAMAZING_INVALID_CONFIG'],
    ]
    for (const [call, code] of cases) {
      assert.throws(() => {
        try {
          call()
        } catch (error) {
          assert.equal((error as any).code, code)
          throw error
        }
      })
    }
  })

  test('prefix and base URL', ({ assert }) => {
    const signer = makeSigner({ routePrefix: '/files/p', baseUrl: 'https://app.test/' })
    const link = signer.linkFor('uploads', 'a.txt', { userId: 1, now: new Date(NOW) })
    assert.match(link, /^https:\/\/app\.test\/files\/p\/uploads\/a\.txt\?e=\d+&s=/)
    const query = queryOf(link)
    const input = { key: 'a.txt', query, userId: 1, now: new Date(NOW) }
    assert.isTrue(signer.verify({ ...input, disk: 'uploads' }).ok)
    assert.isFalse(signer.verify({ ...input, disk: 'private' }).ok)
  })

  test('links are not interchangeable with links of another secret', ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 1, now: new Date(NOW) })
    const other = new LinkSigner({ secrets: [OLD_SECRET] })
    assert.isFalse(
      other.verify({
        disk: 'uploads',
        key: 'a.txt',
        query: queryOf(link),
        userId: 1,
        now: new Date(NOW),
      }).ok
    )
  })

  test('the secret is not used directly: the MAC is not HMAC(secret, message)', ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', { userId: 1, now: new Date(NOW) })
    const mac = new URLSearchParams(queryOf(link)).get('s')
    const message = JSON.stringify([
      'djamazing:links:v2',
      'uploads',
      'a.txt',
      null,
      '1',
      NOW / 1000 + 3600,
      null,
      null,
      null,
      null,
      false,
      null,
    ])
    assert.notEqual(createHmac('sha256', SECRET).update(message).digest('base64url'), mac)
  })
})

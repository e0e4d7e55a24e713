import { test } from '@japa/runner'
import { NOW, makeSigner } from '../../helpers/links.ts'

function verifyAt(signer: ReturnType<typeof makeSigner>, link: string, now: number) {
  const query = link.slice(link.indexOf('?') + 1)
  return signer.verify({
    disk: 'uploads',
    key: 'a.txt',
    query,
    userId: 'alice',
    now: new Date(now),
  })
}

test.group('Protected links: expiry (frozen clock)', () => {
  test('the default lifetime is one hour: valid until the last millisecond before it', ({
    assert,
  }) => {
    const signer = makeSigner()
    const link = signer.linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    assert.isTrue(verifyAt(signer, link, NOW + 3_600_000 - 1).ok)
    assert.deepEqual(verifyAt(signer, link, NOW + 3_600_000), { ok: false, reason: 'expired' })
  })

  test('expiresIn per link and per signer, in seconds or unit strings', ({ assert }) => {
    const perLink = makeSigner().linkFor('uploads', 'a.txt', {
      userId: 'alice',
      now: new Date(NOW),
      expiresIn: '10m',
    })
    assert.include(perLink, `e=${NOW / 1000 + 600}&`)
    const perSigner = makeSigner({ expiresIn: 30 })
    assert.include(
      perSigner.linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) }),
      `e=${NOW / 1000 + 30}&`
    )
  })

  test('a fractional expiry is rounded up, never down', ({ assert }) => {
    const link = makeSigner().linkFor('uploads', 'a.txt', {
      userId: 'alice',
      now: new Date(NOW + 1),
      expiresIn: 1.5,
    })
    assert.include(link, `e=${NOW / 1000 + 2}&`)
  })

  test('an expired link is refused; a lifted expiry fails the signature', ({ assert }) => {
    const signer = makeSigner()
    const link = signer.linkFor('uploads', 'a.txt', {
      userId: 'alice',
      now: new Date(NOW),
      expiresIn: 60,
    })
    assert.deepEqual(verifyAt(signer, link, NOW + 61_000), { ok: false, reason: 'expired' })
    const lifted = link.replace(`e=${NOW / 1000 + 60}`, `e=${NOW / 1000 + 6000}`)
    assert.deepEqual(verifyAt(signer, lifted, NOW + 61_000), { ok: false, reason: 'bad-signature' })
  })
})

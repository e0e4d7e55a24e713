import { test } from '@japa/runner'
import { LinkSigner } from '../../../src/links/signer.ts'
import { NOW, OLD_SECRET, SECRET, makeSigner } from '../../helpers/links.ts'

const queryOf = (link: string) => link.slice(link.indexOf('?') + 1)

test.group('Protected links: revocation and secret rotation', () => {
  test('bumping the user revision revokes every link made before', ({ assert }) => {
    const signer = makeSigner()
    const links = ['a.txt', 'b.txt'].map((key) => ({
      key,
      query: queryOf(
        signer.linkFor('uploads', key, { userId: 'alice', revision: 3, now: new Date(NOW) })
      ),
    }))
    for (const { key, query } of links) {
      const verify = (revision?: number | string) =>
        signer.verify({
          disk: 'uploads',
          key,
          query,
          userId: 'alice',
          revision,
          now: new Date(NOW),
        })
      assert.isTrue(verify(3).ok)
      assert.isTrue(verify('3').ok)
      assert.deepEqual(verify(4), { ok: false, reason: 'bad-signature' })
      assert.deepEqual(verify(undefined), { ok: false, reason: 'bad-signature' })
    }
  })

  test('a link made without revision is refused once the app passes one', ({ assert }) => {
    const signer = makeSigner()
    const query = queryOf(
      signer.linkFor('uploads', 'a.txt', { userId: 'alice', now: new Date(NOW) })
    )
    const verify = (revision?: string) =>
      signer.verify({
        disk: 'uploads',
        key: 'a.txt',
        query,
        userId: 'alice',
        revision,
        now: new Date(NOW),
      })
    assert.isTrue(verify().ok)
    assert.isFalse(verify('').ok)
  })

  test('rotation: the new secret signs, the old one still verifies until removed', ({ assert }) => {
    const before = new LinkSigner({ secrets: [OLD_SECRET] })
    const during = new LinkSigner({ secrets: [SECRET, OLD_SECRET] })
    const after = new LinkSigner({ secrets: [SECRET] })
    const oldLink = queryOf(before.linkFor('uploads', 'a.txt', { userId: 1, now: new Date(NOW) }))
    const newLink = queryOf(during.linkFor('uploads', 'a.txt', { userId: 1, now: new Date(NOW) }))
    const verify = (signer: LinkSigner, query: string) =>
      signer.verify({ disk: 'uploads', key: 'a.txt', query, userId: 1, now: new Date(NOW) }).ok

    assert.isTrue(verify(during, oldLink))
    assert.isTrue(verify(during, newLink))
    assert.isTrue(verify(after, newLink))
    assert.isFalse(verify(after, oldLink))
    assert.isFalse(verify(before, newLink))
  })

  test('guest links are refused unless enabled, and then work for anyone', ({ assert }) => {
    const signer = makeSigner({ guestLinks: true })
    const query = queryOf(signer.linkFor('uploads', 'a.txt', { userId: null, now: new Date(NOW) }))
    for (const userId of [null, 'alice', 5]) {
      assert.isTrue(
        signer.verify({ disk: 'uploads', key: 'a.txt', query, userId, now: new Date(NOW) }).ok
      )
    }
    const strict = makeSigner()
    assert.deepEqual(
      strict.verify({ disk: 'uploads', key: 'a.txt', query, userId: null, now: new Date(NOW) }),
      { ok: false, reason: 'login-required' }
    )
    assert.isFalse(
      strict.verify({ disk: 'uploads', key: 'a.txt', query, userId: 'alice', now: new Date(NOW) })
        .ok
    )
  })
})

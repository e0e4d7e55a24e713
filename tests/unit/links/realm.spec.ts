import { test } from '@japa/runner'
import { makeSigner, NOW } from '../../helpers/links.ts'

test.group('Links | realm (guard) binding', () => {
  test('a link made for user #1 of one realm is refused to #1 of another, or of none', ({
    assert,
  }) => {
    const signer = makeSigner()
    const link = signer.linkFor('uploads', 'a.txt', {
      userId: 1,
      realm: 'admin',
      now: new Date(NOW),
    })
    const check = (realm: string | null | undefined) =>
      signer.verify({
        disk: 'uploads',
        key: 'a.txt',
        query: link.split('?')[1],
        userId: 1,
        realm,
        now: new Date(NOW),
      })
    assert.isTrue(check('admin').ok)
    assert.deepEqual(check('web'), { ok: false, reason: 'bad-signature' })
    assert.deepEqual(check(null), { ok: false, reason: 'bad-signature' })
    assert.deepEqual(check(undefined), { ok: false, reason: 'bad-signature' })
  })

  test('a realm that is not a guard name is a named error', ({ assert }) => {
    for (const realm of ['', 'a b', 'x'.repeat(65), 'web"]', 5 as unknown as string]) {
      assert.throws(
        () => makeSigner().linkFor('uploads', 'a.txt', { userId: 1, realm }),
        /E_DJAMAZING_INVALID_LINK_USER|realm/
      )
    }
  })

  test('a guest link has no realm: the same for everyone', ({ assert }) => {
    const signer = makeSigner({ guestLinks: true })
    const link = signer.linkFor('uploads', 'a.txt', {
      userId: null,
      realm: 'web',
      now: new Date(NOW),
    })
    const result = signer.verify({
      disk: 'uploads',
      key: 'a.txt',
      query: link.split('?')[1],
      userId: 7,
      realm: 'admin',
      now: new Date(NOW),
    })
    assert.isTrue(result.ok)
  })
})

import { test } from '@japa/runner'
import { NOW, makeSigner } from '../../helpers/links.ts'

test.group('Links | as browsers send them', () => {
  test('a link with quotes and parentheses in its overrides still verifies after a browser parsed it', ({
    assert,
  }) => {
    const signer = makeSigner()
    const contentDisposition = `attachment; filename="it's (1).pdf"; filename*=UTF-8''it%27s%20%281%29.pdf`
    const link = signer.linkFor('uploads', "reports/it's (1).pdf", {
      userId: 'alice',
      now: new Date(NOW),
      contentType: "application/pdf; name='x'",
      contentDisposition,
    })
    // What a browser requests: the WHATWG URL parser percent-encodes a
    // bare ' in a query (and leaves the link's own escapes alone).
    const requested = new URL(link, 'https://app.example.com')
    assert.equal(`${requested.pathname}${requested.search}`, link)

    const result = signer.verify({
      disk: 'uploads',
      key: "reports/it's (1).pdf",
      query: requested.search.slice(1),
      userId: 'alice',
      now: new Date(NOW),
    })
    assert.isTrue(result.ok)
    assert.deepEqual(result.ok && result.overrides, {
      contentType: "application/pdf; name='x'",
      contentDisposition,
    })
  })

  test("the same link with the quote left bare is not the link's spelling and is refused", ({
    assert,
  }) => {
    const signer = makeSigner()
    const link = signer.linkFor('uploads', 'a.pdf', {
      userId: 'alice',
      now: new Date(NOW),
      contentDisposition: `attachment; filename*=UTF-8''a.pdf`,
    })
    const query = link.slice(link.indexOf('?') + 1)
    assert.include(query, '%27%27')
    const bare = query.replaceAll('%27', "'")
    const verify = (raw: string) =>
      signer.verify({
        disk: 'uploads',
        key: 'a.pdf',
        query: raw,
        userId: 'alice',
        now: new Date(NOW),
      })
    assert.isTrue(verify(query).ok)
    assert.deepEqual(verify(bare), { ok: false, reason: 'malformed' })
  })
})

import { test } from '@japa/runner'
import { NOW, makeSigner, openLink } from '../../helpers/links.ts'

/**
 * Every single-character change of a link: each character replaced by
 * others that matter in URLs (case flipped, next code point, delimiters,
 * percent, base64url alphabet), deleted, or doubled.
 */
function tamperings(link: string): string[] {
  const out = new Set<string>()
  for (let i = 0; i < link.length; i++) {
    const char = link[i]
    const replacements = [
      char.toUpperCase(),
      char.toLowerCase(),
      String.fromCharCode(char.charCodeAt(0) + 1),
      String.fromCharCode(char.charCodeAt(0) - 1),
      ...'aZ09-_.~%/?&=+ ',
    ]
    for (const replacement of replacements) {
      if (replacement !== char) out.add(link.slice(0, i) + replacement + link.slice(i + 1))
    }
    out.add(link.slice(0, i) + link.slice(i + 1))
    out.add(link.slice(0, i) + char + link.slice(i))
  }
  out.add(`${link}&`)
  out.add(`${link}&e=1`)
  out.delete(link)
  return [...out]
}

test.group('Protected links: tampering', () => {
  test('every single-character change of a link to {key} is refused')
    .with([
      { key: 'a.txt' },
      { key: 'reports/Q1 2026 é.pdf' },
      { key: 'x', contentType: 'image/svg+xml', contentDisposition: 'attachment; filename="x"' },
      { key: 'percent%2F-slash-lookalike.txt', revision: 7 },
    ])
    .run(async ({ assert }, options) => {
      const { key, ...rest } = options
      const link = makeSigner().linkFor('uploads', key, {
        userId: 'alice',
        now: new Date(NOW),
        ...rest,
      })
      const user = { userId: 'alice', revision: options.revision }
      const genuine = await openLink(link, user)
      assert.equal(genuine.status, 302)

      const accepted: string[] = []
      const statuses = new Set<number>()
      for (const tampered of tamperings(link)) {
        const response = await openLink(tampered, user)
        statuses.add(response.status)
        if (response.status === 302) accepted.push(tampered)
      }
      assert.deepEqual(accepted, [])
      // Refusals only: 403 for the link, 404 where the disk or prefix changed.
      assert.includeMembers([403, 404], [...statuses])
    })
})

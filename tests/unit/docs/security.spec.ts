import { readFileSync } from 'node:fs'
import { test } from '@japa/runner'
import { USER_CONTENT_CSP } from '../../../src/active_content.ts'

const PAGE = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8')

/**
 * The JSON blocks of docs/security.md that name this file as their test.
 */
function exercisedJsonBlocks(): unknown[] {
  const pattern =
    /<!-- exercised: tests\/unit\/docs\/security\.spec\.ts -->\s*```json\n([\s\S]*?)\n```/g
  return [...PAGE.matchAll(pattern)].map((match) => JSON.parse(match[1]))
}

test.group('docs/security.md', () => {
  test('the response headers policy sets what the local edge sends with every object', ({
    assert,
  }) => {
    const [policy] = exercisedJsonBlocks() as [any]
    assert.exists(policy, 'the policy block is in the page')
    const security = policy.SecurityHeadersConfig
    assert.deepEqual(security.ContentTypeOptions, { Override: true })
    assert.equal(security.ContentSecurityPolicy.ContentSecurityPolicy, USER_CONTENT_CSP)
    assert.isTrue(security.ContentSecurityPolicy.Override)
    assert.match(USER_CONTENT_CSP, /^sandbox(;|$)/)
    assert.match(policy.Name, /^[A-Za-z0-9_-]{1,128}$/, 'a name CloudFront accepts')
  })
})

import { test } from '@japa/runner'
import { pathsUnder } from '../../../src/edge/invalidation_api.ts'
import { invalidationPath, planPaths } from '../../../src/invalidation/paths.ts'

const LIMITS = { maxPaths: 1000, maxWildcards: 15, wildcardAbove: 20 }

test.group('Invalidation | paths', () => {
  test('row 42: non-ASCII and RFC 1738 unsafe characters are URL-encoded, nothing else', ({
    assert,
  }) => {
    assert.equal(invalidationPath('/', 'photos/a.jpg'), '/photos/a.jpg')
    assert.equal(invalidationPath('/media/', 'a b/ünï.txt'), '/media/a%20b/%C3%BCn%C3%AF.txt')
    assert.equal(
      invalidationPath('/', `x"#%<>{}|\\^~[]\`.txt`),
      '/x%22%23%25%3C%3E%7B%7D%7C%5C%5E%7E%5B%5D%60.txt'
    )
    // Reserved and safe characters stay as they are, as AWS asks...
    assert.equal(invalidationPath('/', "a!$&'()+,;=:@-_.txt"), "/a!$&'()+,;=:@-_.txt")
    // ...but a ? would start a query string.
    assert.equal(invalidationPath('/', 'what?.txt'), '/what%3F.txt')
    // CloudFront takes * only at the end: a key holding one ends there, a
    // wildcard that covers it.
    assert.equal(invalidationPath('/', 'a*b/c.txt'), '/a*')
  })

  test('duplicates go, and paths under a wildcard', ({ assert }) => {
    assert.deepEqual(planPaths(['/a/x', '/a/x', '/b/y', '/a/*', '/a/z/w'], LIMITS), [
      '/a/*',
      '/b/y',
    ])
  })

  test('row 42: more than wildcardAbove files of one folder become the folder', ({ assert }) => {
    const gallery = Array.from({ length: 21 }, (_, index) => `/s/gallery/${index}.jpg`)
    assert.deepEqual(planPaths([...gallery, '/s/logo.png'], LIMITS), [
      '/s/gallery/*',
      '/s/logo.png',
    ])
    assert.lengthOf(planPaths(gallery.slice(0, 20), LIMITS), 20)
  })

  test('row 42: over maxPaths, the deepest folder holding several paths becomes a wildcard', ({
    assert,
  }) => {
    const avatars = Array.from({ length: 1001 }, (_, index) => `/s/avatars/${index}/me.png`)
    assert.deepEqual(planPaths([...avatars, '/s/logo.png'], LIMITS), [
      '/s/avatars/*',
      '/s/logo.png',
    ])
    const few = planPaths(avatars.slice(0, 3), { ...LIMITS, maxPaths: 2 })
    assert.deepEqual(few, ['/s/avatars/*'])
  })

  test('row 42: over maxWildcards, wildcards merge upwards, at worst into /*', ({ assert }) => {
    const folders = Array.from({ length: 16 }, (_, index) => `/s/${index}/*`)
    assert.deepEqual(planPaths(folders, LIMITS), ['/s/*'])
    const spread = Array.from({ length: 16 }, (_, index) => `/${index}/*`)
    assert.deepEqual(planPaths(spread, LIMITS), ['/*'])
    assert.deepEqual(planPaths(['/a', '/b', '/c'], { ...LIMITS, maxPaths: 1 }), ['/*'])
  })
})

test.group('Invalidation | paths at the local edge', () => {
  test('paths from the distribution root become paths from the edge root', ({ assert }) => {
    const paths = ['/cdn/static/a.png', '/cdn/static/*', '/other/a.png', '/*', '/cd*', '/cdn2*']
    assert.deepEqual(pathsUnder('/cdn', paths), ['/static/a.png', '/static/*', '/*', '/*'])
    assert.deepEqual(pathsUnder('/', paths), paths)
    assert.deepEqual(pathsUnder('', ['/a']), ['/a'])
  })
})

import { test } from '@japa/runner'
import { parseRange, resolveRange } from '../../../src/edge/range.ts'

test.group('Edge | Range header parsing', () => {
  test('parses the three single-range forms', ({ assert }) => {
    assert.deepEqual(parseRange('bytes=0-9'), { first: 0, last: 9 })
    assert.deepEqual(parseRange('bytes=5-'), { first: 5 })
    assert.deepEqual(parseRange('bytes=-7'), { suffixLength: 7 })
    assert.deepEqual(parseRange(' Bytes = 1 - 2 '), { first: 1, last: 2 })
  })

  test('ignores what the RFC says to ignore, and several ranges', ({ assert }) => {
    for (const header of [
      undefined,
      '',
      'bytes=',
      'bytes=-',
      'bytes=a-b',
      'bytes=1.5-2',
      'bytes=9-1',
      'bytes=0-1,3-4',
      'bytes=0-1,',
      'items=0-1',
      'bytes=99999999999999999999-',
      'bytes=+1-2',
    ]) {
      assert.isUndefined(parseRange(header), String(header))
    }
  })

  test('resolves against the size: clip, whole-object suffix, unsatisfiable', ({ assert }) => {
    assert.deepEqual(resolveRange({ first: 0, last: 9 }, 100), { start: 0, end: 9 })
    assert.deepEqual(resolveRange({ first: 90, last: 500 }, 100), { start: 90, end: 99 })
    assert.deepEqual(resolveRange({ first: 95 }, 100), { start: 95, end: 99 })
    assert.deepEqual(resolveRange({ suffixLength: 10 }, 100), { start: 90, end: 99 })
    assert.deepEqual(resolveRange({ suffixLength: 1000 }, 100), { start: 0, end: 99 })
    assert.equal(resolveRange({ first: 100 }, 100), 'unsatisfiable')
    assert.equal(resolveRange({ suffixLength: 0 }, 100), 'unsatisfiable')
    assert.equal(resolveRange({ first: 0 }, 0), 'unsatisfiable')
    assert.equal(resolveRange({ suffixLength: 5 }, 0), 'unsatisfiable')
  })
})

import { test } from '@japa/runner'
import { parseDuration } from '../../src/duration.ts'

test.group('Durations', () => {
  test('reads {$i}')
    .with([
      [1.5, 1.5],
      ['1.5s', 1.5],
      ['10m', 600],
      ['2h', 7200],
      ['7d', 604_800],
      [' 30 s ', 30],
    ] as const)
    .run(({ assert }, [input, seconds]) => {
      assert.equal(parseDuration(input, 'expiresIn'), seconds)
    })

  test('refuses {$i} with an error naming the setting')
    .with([0, -1, Number.NaN, Infinity, '', '10', '10 minutes', '1.5ms', '-5s', 3_600_000])
    .run(({ assert }, input) => {
      assert.throws(
        () => parseDuration(input, 'services.uploads.signatureTimeout'),
        /services\.uploads\.signatureTimeout/
      )
    })

  test('a number that looks like milliseconds is an error, not a long link', ({ assert }) => {
    assert.throws(() => parseDuration(3_600_000, 'expiresIn'), /looks like milliseconds/)
  })
})

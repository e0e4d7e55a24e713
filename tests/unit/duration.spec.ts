import { test } from '@japa/runner'
import { parseDuration } from '../../src/duration.ts'
import { E_DJAMAZING_INVALID_ARGUMENT } from '../../src/errors.ts'

test.group('Durations', () => {
  test('reads {$self}')
    .with([
      [1.5, 1.5],
      [90, 90],
      ['1.5s', 1.5],
      ['10m', 600],
      ['30mins', 1800],
      ['30 mins', 1800],
      ['1 hour', 3600],
      ['2 hours', 7200],
      ['2h', 7200],
      ['7d', 604_800],
      ['31d', 31 * 86_400],
      ['1 week', 604_800],
      ['500ms', 0.5],
      [' 30 s ', 30],
    ] as const)
    .run(({ assert }, [input, seconds]) => {
      assert.equal(parseDuration(input, 'expiresIn'), seconds)
    })

  test('refuses {$self} with an error naming the setting')
    .with([0, -1, Number.NaN, Infinity, '', '10', '1.5', 'soon', '1h30m', '-5s', '0s', 3_600_000])
    .run(({ assert }, input) => {
      assert.throws(
        () => parseDuration(input, 'services.uploads.redirects.expiresIn'),
        /services\.uploads\.redirects\.expiresIn/
      )
    })

  test('a bare number over 30 days looks like milliseconds; a string with a unit never does', ({
    assert,
  }) => {
    assert.throws(() => parseDuration(3_600_000, 'expiresIn'), /looks like milliseconds/)
    assert.equal(parseDuration('3600000s', 'expiresIn'), 3_600_000)
  })

  test('settings raise the configuration code, call-time arguments their own', ({ assert }) => {
    const codeOf = (call: () => unknown) => {
      try {
        call()
      } catch (error) {
        return (error as { code?: string }).code
      }
    }
    assert.equal(
      codeOf(() => parseDuration('soon', 'redirects.expiresIn')),
      'E_DJAMAZING_INVALID_CONFIG'
    )
    assert.equal(
      codeOf(() => parseDuration('soon', 'expiresIn', E_DJAMAZING_INVALID_ARGUMENT)),
      'E_DJAMAZING_INVALID_ARGUMENT'
    )
  })
})

import { test } from '@japa/runner'
import { MULTIPART_LIMITS, partSizeFor } from '../../../src/store/multipart.ts'

const MiB = 1024 * 1024
const TiB = 1024 * 1024 * MiB

/**
 * What 10,000 parts of an upload of unknown length hold, and its largest part.
 */
function capacity(firstPart: number) {
  let total = 0
  let largest = 0
  for (let part = 1; part <= MULTIPART_LIMITS.maxParts; part++) {
    const size = partSizeFor(part, firstPart)
    total += size
    largest = Math.max(largest, size)
  }
  return { total, largest }
}

test.group('Multipart | part sizes', () => {
  test('unknown length: 10,000 parts hold 5 TiB from any first part size S3 allows ({$self} MiB)')
    .with([5, 8, 16, 64])
    .run(({ assert }, first) => {
      const { total, largest } = capacity(first * MiB)
      assert.isAtLeast(total, 5 * TiB)
      assert.isAtMost(largest, MULTIPART_LIMITS.maxPartSize)
    })

  test('unknown length: the first 500 parts keep the first size (memory stays partSize x queueSize)', ({
    assert,
  }) => {
    assert.equal(partSizeFor(1, 8 * MiB), 8 * MiB)
    assert.equal(partSizeFor(500, 8 * MiB), 8 * MiB)
    assert.equal(partSizeFor(501, 8 * MiB), 16 * MiB)
    // 1 GiB is 128 parts of 8 MiB.
    assert.equal(partSizeFor(128, 8 * MiB), 8 * MiB)
  })

  test('known length: one size, at least the configured one, 10,000 parts at most', ({
    assert,
  }) => {
    for (const length of [0, 7 * MiB, 1024 * MiB, 100 * 1024 * MiB, 5 * TiB]) {
      const size = partSizeFor(1, 8 * MiB, length)
      assert.isAtLeast(size, 8 * MiB)
      assert.isAtMost(size, MULTIPART_LIMITS.maxPartSize)
      assert.isAtMost(Math.ceil(length / size), MULTIPART_LIMITS.maxParts, String(length))
      assert.equal(partSizeFor(9_999, 8 * MiB, length), size)
    }
    assert.equal(partSizeFor(1, 8 * MiB, 1024 * MiB), 8 * MiB)
    assert.equal(partSizeFor(1, 8 * MiB, 5 * TiB), 525 * MiB)
  })
})

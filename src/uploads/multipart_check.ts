import { createHash } from 'node:crypto'
import type { ObjectStore, UploadedPart } from '../store/types.ts'
import type { ChecksumProblem } from './confirm.ts'
import { partLength, type PartPlan } from './part_plan.ts'

/**
 * Why the parts a store holds are not the upload that was started, or
 * null: exactly the planned parts, each of its planned length, each with
 * the SHA-256 the browser reported where the store reports one.
 */
export function partsProblem(
  plan: PartPlan,
  parts: UploadedPart[],
  checksums: string[]
): string | null {
  if (parts.length !== plan.count) {
    return `${parts.length} of ${plan.count} parts were uploaded`
  }
  for (const [index, part] of parts.entries()) {
    const expected = partLength(plan, index + 1)
    if (part.partNumber !== index + 1) return `part ${index + 1} is missing`
    if (part.size !== undefined && part.size !== expected) {
      return `part ${part.partNumber} is ${part.size} bytes, not ${expected}`
    }
    if (part.checksumSha256 !== undefined && part.checksumSha256 !== checksums[index]) {
      return `part ${part.partNumber} is not the bytes hashed (SHA-256 differs)`
    }
  }
  return null
}

/**
 * The checksum S3 reports for a multipart object with SHA-256 parts: the
 * SHA-256 of the parts' SHA-256s, then `-<parts>`.
 */
export function compositeChecksum(checksums: string[]): string {
  const hash = createHash('sha256')
  for (const checksum of checksums) hash.update(Buffer.from(checksum, 'base64'))
  return `${hash.digest('base64')}-${checksums.length}`
}

/**
 * The check of a joined multipart object: the checksum of checksums the
 * store reports (`composite`), else its bytes hashed part by part.
 */
export function joinedChecksumProblem(
  store: ObjectStore,
  plan: PartPlan,
  checksums: string[],
  composite: string
): ChecksumProblem {
  return async (stored, objectKey) => {
    if (stored.checksumSha256 !== undefined) {
      return stored.checksumSha256 === composite
        ? null
        : 'the stored bytes are not the ones hashed (SHA-256 of the parts differs)'
    }
    const differing = await firstPartDiffering(store, objectKey, plan, checksums)
    return differing === null ? null : `part ${differing} is not the bytes hashed (SHA-256 differs)`
  }
}

/**
 * Reads the joined object once and hashes it part by part: the check for
 * stores that verify no checksum (s3rver). Returns the first part whose
 * bytes differ from its checksum, or null.
 */
async function firstPartDiffering(
  store: ObjectStore,
  key: string,
  plan: PartPlan,
  checksums: string[]
): Promise<number | null> {
  const { body } = await store.get(key)
  let partNumber = 1
  let left = partLength(plan, 1)!
  let hash = createHash('sha256')
  try {
    for await (let chunk of body as AsyncIterable<Buffer>) {
      while (chunk.length > 0) {
        // Bytes past the plan: the last part is not the one hashed.
        if (partNumber > plan.count) return plan.count
        const take = Math.min(left, chunk.length)
        hash.update(chunk.subarray(0, take))
        chunk = chunk.subarray(take)
        left -= take
        if (left > 0) continue
        if (hash.digest('base64') !== checksums[partNumber - 1]) return partNumber
        partNumber += 1
        left = partLength(plan, partNumber) ?? 0
        hash = createHash('sha256')
      }
    }
  } finally {
    body.destroy()
  }
  return partNumber > plan.count ? null : partNumber
}

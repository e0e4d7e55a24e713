import { MULTIPART_LIMITS } from '../store/multipart.ts'

const MIB = 1024 * 1024

/**
 * The plan for `size` bytes: parts of `preferred` bytes, or larger (whole
 * MiB) when that would need more than S3's 10,000 parts.
 */
export function planParts(size: number, preferred: number) {
  const needed = Math.ceil(size / MULTIPART_LIMITS.maxParts / MIB) * MIB
  const partSize = Math.max(preferred, needed)
  return { size, partSize, count: Math.max(1, Math.ceil(size / partSize)) }
}

/**
 * How a multipart upload of a declared size is cut: every part
 * `partSize` bytes but the last, which holds the rest. Both ends derive it
 * from the signed size and part size, so the parts the app signs can never
 * add up to more than the size it accepted.
 */
export type PartPlan = ReturnType<typeof planParts>

/**
 * The exact length of part `partNumber` (1-based), or undefined when the
 * plan has no such part.
 */
export function partLength(plan: PartPlan, partNumber: number): number | undefined {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > plan.count) {
    return undefined
  }
  return partNumber < plan.count ? plan.partSize : plan.size - plan.partSize * (plan.count - 1)
}

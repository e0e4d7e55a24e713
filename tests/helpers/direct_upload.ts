import { createHash } from 'node:crypto'
import type { UploadTarget } from '../../src/uploads/types.ts'

/**
 * The base64 SHA-256 the browser module computes.
 */
export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64')

/**
 * PUTs `body` to an upload target as the browser module does: its method,
 * its headers (with `overrides` over them), the body's own length.
 */
export function putToTarget(
  target: Pick<UploadTarget, 'url' | 'method' | 'headers'>,
  body: Uint8Array,
  overrides: Record<string, string> = {}
): Promise<Response> {
  return fetch(target.url, {
    method: target.method,
    headers: { ...target.headers, ...overrides },
    body,
  })
}

/**
 * The object key a target writes to (its URL's path after the bucket).
 */
export function pendingKeyOf(target: Pick<UploadTarget, 'url'>, bucket: string): string {
  const path = new URL(target.url).pathname
  return decodeURIComponent(path.slice(`/${bucket}/`.length))
}

/**
 * The status the store answered {@link putToTarget} with.
 */
export async function putStatus(
  target: Pick<UploadTarget, 'url' | 'method' | 'headers'>,
  body: Uint8Array,
  overrides: Record<string, string> = {}
): Promise<number> {
  const response = await putToTarget(target, body, overrides)
  return response.status
}

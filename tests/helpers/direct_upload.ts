import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { PutUploadTarget, UploadTarget } from '../../src/uploads/types.ts'
import { codeBlocks } from './markdown.ts'

/**
 * The base64 SHA-256 the browser module computes.
 */
export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64')

/**
 * PUTs `body` to an upload target as the browser module does: its method,
 * its headers (with `overrides` over them), the body's own length.
 */
export function putToTarget(
  target: Pick<PutUploadTarget, 'url' | 'method' | 'headers'>,
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
export function pendingKeyOf(target: Pick<PutUploadTarget, 'url'>, bucket: string): string {
  const path = new URL(target.url).pathname
  return decodeURIComponent(path.slice(`/${bucket}/`.length))
}

/**
 * The status the store answered {@link putToTarget} with.
 */
export async function putStatus(
  target: Pick<PutUploadTarget, 'url' | 'method' | 'headers'>,
  body: Uint8Array,
  overrides: Record<string, string> = {}
): Promise<number> {
  const response = await putToTarget(target, body, overrides)
  return response.status
}

/**
 * The code block of docs/uploads.md that contains `marker` (a JSON block
 * is parsed): the tests hold the page's rules and commands to what runs.
 */
export function documentedBlock(marker: string): string {
  const page = 'docs/uploads.md'
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8')
  const block = codeBlocks(page, text).find(({ code }) => code.includes(marker))
  if (!block) throw new Error(`${page} has no code block with ${marker}`)
  return block.code
}

/**
 * The single-PUT target `startUpload` answered (a test error otherwise).
 */
export function asPut(target: UploadTarget): PutUploadTarget {
  if (target.method !== 'PUT') throw new Error(`expected a single PUT target, got ${target.method}`)
  return target
}

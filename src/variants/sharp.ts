import { createRequire } from 'node:module'
import { E_DJAMAZING_SHARP_MISSING } from '../errors.ts'

/**
 * The part of sharp djamazing uses, written out here so that djamazing's
 * types do not need sharp installed (it is an optional peer dependency).
 */
export type SharpImage = {
  metadata(): Promise<{ format?: string; width?: number; height?: number }>
  autoOrient(): SharpImage
  resize(options: {
    width?: number
    height?: number
    fit?: string
    withoutEnlargement?: boolean
  }): SharpImage
  toFormat(format: string, options?: { quality?: number }): SharpImage
  timeout(options: { seconds: number }): SharpImage
  toBuffer(options: { resolveWithObject: true }): Promise<{
    data: Buffer
    info: { format: string; width: number; height: number; size: number }
  }>
}

/**
 * sharp's default export, as djamazing calls it.
 */
export type SharpFactory = (
  input: Uint8Array,
  options: { limitInputPixels: number; failOn: 'warning'; sequentialRead: boolean }
) => SharpImage

const require = createRequire(import.meta.url)

/**
 * Throws `E_DJAMAZING_SHARP_MISSING` unless sharp can be found: called
 * when a disk that declares variants is created, so a missing install
 * fails at boot rather than on the first thumbnail. `setting` names the
 * disk's `variants` option. sharp itself (a native library) is loaded only
 * when a variant is made.
 */
export function assertSharpInstalled(setting: string): void {
  try {
    require.resolve('sharp')
  } catch (error) {
    throw new E_DJAMAZING_SHARP_MISSING([setting], { cause: error })
  }
}

let loading: Promise<SharpFactory> | undefined

/**
 * sharp, imported once, the first time a variant is made. The promise is
 * kept: each `import()` resolves the module again, which under a loader
 * (ts-exec, as `node ace serve` runs) is a round trip to its thread.
 */
export function loadSharp(setting: string): Promise<SharpFactory> {
  loading ??= import('sharp').then(
    (module) => module.default as unknown as SharpFactory,
    (error) => {
      loading = undefined
      throw new E_DJAMAZING_SHARP_MISSING([setting], { cause: error })
    }
  )
  return loading
}

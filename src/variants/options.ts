import { createHash } from 'node:crypto'
import { parseDuration } from '../duration.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { normalizePrefix } from '../disk/settings.ts'
import type {
  InputFormat,
  VariantFit,
  VariantFormat,
  VariantsOptions,
  VariantTransform,
} from './types.ts'

const EXTENSIONS: Record<VariantFormat, string> = {
  webp: 'webp',
  avif: 'avif',
  jpeg: 'jpg',
  png: 'png',
}
const FORMATS = Object.keys(EXTENSIONS) as VariantFormat[]
const FITS: readonly VariantFit[] = ['inside', 'cover', 'contain', 'outside', 'fill']
const INPUT_FORMATS: readonly InputFormat[] = [
  'jpeg',
  'png',
  'webp',
  'avif',
  'heif',
  'gif',
  'tiff',
  'svg',
  'jp2',
  'jxl',
]
const DEFAULT_INPUT_FORMATS = INPUT_FORMATS.filter(
  (format) => !['svg', 'jp2', 'jxl'].includes(format)
)

/**
 * Variant names: they end up in keys and in templates.
 */
const NAME = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The largest width or height a variant may ask for: a variant is a
 * smaller copy, and this bounds what one declaration can cost.
 */
const MAX_SIDE = 10_000

/**
 * One declared variant, as the disk keeps it: its transform with every
 * default filled in, and the file name of its object, which changes when
 * the transform does (`thumb-1a2b3c4d.webp`), so a changed declaration
 * never serves a copy made for the old one.
 */
export type ResolvedVariant = {
  name: string
  transform: Readonly<Required<Omit<VariantTransform, 'quality' | 'width' | 'height'>>> &
    Pick<VariantTransform, 'quality' | 'width' | 'height'>
  fileName: string
}

/**
 * A disk's variant settings, checked once.
 */
export type VariantSettings = {
  variants: ReadonlyMap<string, ResolvedVariant>
  eager: boolean
  concurrency: number
  /**
   * Whole seconds.
   */
  timeout: number
  maxInputPixels: number
  maxInputBytes: number
  inputFormats: readonly InputFormat[]
  folder: string
}

function positiveInteger(value: unknown, setting: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      `expected a whole number from 1 to ${max}, got ${JSON.stringify(value)}`,
    ])
  }
  return value
}

function optionalInteger(value: unknown, setting: string, max: number): number | undefined {
  return value === undefined ? undefined : positiveInteger(value, setting, max)
}

function resolveTransform(name: string, transform: VariantTransform, setting: string) {
  if (!NAME.test(name)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      'a variant name is letters, digits, "_" and "-" (at most 64 characters)',
    ])
  }
  if (typeof transform !== 'object' || transform === null) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      'expected { width, height, fit, format, quality }',
    ])
  }
  const known = new Set(['width', 'height', 'fit', 'format', 'quality', 'enlarge'])
  for (const option of Object.keys(transform)) {
    if (!known.has(option)) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `${setting}.${option}`,
        `unknown option; a variant takes ${[...known].join(', ')}`,
      ])
    }
  }
  if (transform.width === undefined && transform.height === undefined) {
    throw new E_DJAMAZING_INVALID_CONFIG([setting, 'give a width, a height or both'])
  }
  const width = optionalInteger(transform.width, `${setting}.width`, MAX_SIDE)
  const height = optionalInteger(transform.height, `${setting}.height`, MAX_SIDE)
  const format = transform.format ?? 'webp'
  if (!FORMATS.includes(format)) {
    throw new E_DJAMAZING_INVALID_CONFIG([`${setting}.format`, `use one of ${FORMATS.join(', ')}`])
  }
  const fit = transform.fit ?? 'inside'
  if (!FITS.includes(fit)) {
    throw new E_DJAMAZING_INVALID_CONFIG([`${setting}.fit`, `use one of ${FITS.join(', ')}`])
  }
  const quality = optionalInteger(transform.quality, `${setting}.quality`, 100)
  const enlarge = transform.enlarge ?? false
  if (typeof enlarge !== 'boolean') {
    throw new E_DJAMAZING_INVALID_CONFIG([`${setting}.enlarge`, 'expected true or false'])
  }
  const resolved = Object.freeze({ width, height, fit, format, quality, enlarge })
  const digest = createHash('sha256')
    .update(JSON.stringify([width, height, fit, format, quality, enlarge]))
    .digest('hex')
    .slice(0, 8)
  return { name, transform: resolved, fileName: `${name}-${digest}.${EXTENSIONS[format]}` }
}

/**
 * Checks a disk's `variants` option (`setting` is its path, e.g.
 * `services.uploads.variants`) and fills in the defaults.
 */
export function resolveVariantSettings(options: VariantsOptions, setting: string): VariantSettings {
  if (typeof options !== 'object' || options === null || typeof options.transforms !== 'object') {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting,
      'expected { transforms: { name: { width, height, fit, format, quality } } }, e.g. { transforms: { thumb: { width: 320 } } }',
    ])
  }
  const variants = new Map<string, ResolvedVariant>()
  for (const [name, transform] of Object.entries(options.transforms)) {
    variants.set(
      name,
      Object.freeze(resolveTransform(name, transform, `${setting}.transforms.${name}`))
    )
  }
  if (variants.size === 0) {
    throw new E_DJAMAZING_INVALID_CONFIG([`${setting}.transforms`, 'declare at least one variant'])
  }
  const inputFormats = options.inputFormats ?? DEFAULT_INPUT_FORMATS
  if (
    !Array.isArray(inputFormats) ||
    inputFormats.some((format) => !INPUT_FORMATS.includes(format))
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `${setting}.inputFormats`,
      `a list of ${INPUT_FORMATS.join(', ')}`,
    ])
  }
  const folder = options.folder ?? 'variants/'
  if (typeof folder !== 'string' || folder === '' || folder === '/') {
    throw new E_DJAMAZING_INVALID_CONFIG([`${setting}.folder`, 'a folder name such as "variants/"'])
  }
  const timeout = Math.ceil(parseDuration(options.timeout ?? '20s', `${setting}.timeout`))
  return Object.freeze({
    variants,
    eager: options.eager === true,
    concurrency: positiveInteger(options.concurrency ?? 2, `${setting}.concurrency`, 64),
    timeout: positiveInteger(timeout, `${setting}.timeout`, 3600),
    maxInputPixels: positiveInteger(options.maxInputPixels ?? 1e8, `${setting}.maxInputPixels`),
    maxInputBytes: positiveInteger(
      options.maxInputBytes ?? 50 * 1024 * 1024,
      `${setting}.maxInputBytes`
    ),
    inputFormats: Object.freeze([...inputFormats]),
    folder: normalizePrefix(folder, `${setting}.folder`),
  })
}

import type { Duration } from '../duration.ts'

/**
 * The formats a variant can be written in.
 */
export type VariantFormat = 'webp' | 'avif' | 'jpeg' | 'png'

/**
 * How a variant fills `width` x `height` when both are given (sharp's
 * `fit`): `inside` (default) keeps the whole image within the box,
 * `cover` fills the box and crops the rest, `contain` letterboxes,
 * `outside` covers the box without cropping, `fill` stretches.
 */
export type VariantFit = 'inside' | 'cover' | 'contain' | 'outside' | 'fill'

/**
 * The image formats an original may have: what sharp reads, by the name
 * sharp gives them.
 */
export type InputFormat =
  'jpeg' | 'png' | 'webp' | 'avif' | 'heif' | 'gif' | 'tiff' | 'svg' | 'jp2' | 'jxl'

/**
 * One named variant: a resize, then an encode. The image is turned upright
 * as its EXIF orientation says, and every piece of metadata (EXIF with its
 * GPS position and camera, XMP, IPTC, comments) is left out of the variant.
 */
export type VariantTransform = {
  /**
   * The largest width in pixels. At least one of `width` and `height`.
   */
  width?: number

  /**
   * The largest height in pixels.
   */
  height?: number

  /**
   * See {@link VariantFit}. Default `'inside'`.
   */
  fit?: VariantFit

  /**
   * Default `'webp'`.
   */
  format?: VariantFormat

  /**
   * 1 to 100. Default: sharp's for the format (80 for WebP and JPEG, 50
   * for AVIF).
   */
  quality?: number

  /**
   * Make an image smaller than `width` x `height` larger. Default `false`:
   * it keeps its size (and is only re-encoded).
   */
  enlarge?: boolean
}

/**
 * The disk option `variants`: resized copies of the disk's images, each
 * stored once at a key derived from the original's and served as the
 * original is (a plain CDN URL on a public disk, a link bound to the user
 * on a protected one).
 */
export type VariantsOptions = {
  /**
   * The variants, by name (letters, digits, `_` and `-`), e.g.
   * `{ thumb: { width: 320, height: 320, fit: 'cover' }, large: { width: 1600 } }`.
   */
  transforms: Record<string, VariantTransform>

  /**
   * Make every variant of a file when it is written (`put`, `putStream`,
   * `confirmUpload`), before the write returns. Default `false`: a variant
   * is made when it is first asked for.
   */
  eager?: boolean

  /**
   * How many variants are made at once by this disk; more wait their
   * turn. sharp works on libuv's thread pool (4 threads by default), which
   * file reads and CloudFront signing share. Default `2`.
   */
  concurrency?: number

  /**
   * How long making one variant may take before it is stopped (whole
   * seconds, at least 1). Default `'20s'`.
   */
  timeout?: Duration

  /**
   * The most pixels (width x height) an original may have, read from its
   * header before it is decoded. Default 100,000,000 (a 100-megapixel
   * photo; a 12-megapixel phone photo decodes to about 48 MB).
   */
  maxInputPixels?: number

  /**
   * The largest original, in bytes. Default 50 MB.
   */
  maxInputBytes?: number

  /**
   * The formats an original may have. Default `['jpeg', 'png', 'webp',
   * 'avif', 'heif', 'gif', 'tiff']`: SVG is refused unless listed (it is a
   * document, not pixels).
   */
  inputFormats?: InputFormat[]

  /**
   * The folder of the disk the variants are kept in: a variant of `key`
   * lives under `<folder><key>/`. Default `'variants/'`.
   */
  folder?: string
}

import {
  E_DJAMAZING_VARIANT_CORRUPT_IMAGE,
  E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED,
  E_DJAMAZING_VARIANT_NOT_AN_IMAGE,
  E_DJAMAZING_VARIANT_TIMEOUT,
  E_DJAMAZING_VARIANT_TOO_LARGE,
} from '../errors.ts'
import { readImageHeader } from './image_header.ts'
import type { VariantSettings } from './options.ts'
import type { SharpFactory } from './sharp.ts'
import type { VariantTransform } from './types.ts'

/**
 * What an original is checked against before it is decoded.
 */
export type TransformLimits = Pick<VariantSettings, 'maxInputPixels' | 'inputFormats' | 'timeout'>

/**
 * Makes one variant of the image `input` (the file `key`, named in errors).
 *
 * Untrusted input is refused before it is decoded where it can be: the
 * header (read here for JPEG and PNG, by sharp for the rest) gives the
 * format (not the type the file was stored or declared with) and the size, so a non-image, a format not allowed and a
 * decompression bomb (a few kilobytes that decode to gigabytes) never reach
 * the decoder. sharp then decodes with `failOn: 'warning'` (a truncated or
 * corrupt image fails instead of being padded with grey) under a time
 * limit that stops the work in libvips, not only the wait for it.
 *
 * The output is turned upright as the EXIF orientation says, and carries
 * no metadata: sharp writes none unless asked to keep it. Its type is read
 * from the bytes sharp wrote.
 */
export async function makeVariant(
  sharp: SharpFactory,
  key: string,
  input: Uint8Array,
  transform: Readonly<VariantTransform>,
  limits: TransformLimits
) {
  const options = {
    limitInputPixels: limits.maxInputPixels,
    failOn: 'warning' as const,
    sequentialRead: true,
  }
  let header: { format?: string; width?: number; height?: number } | undefined =
    readImageHeader(input)
  if (!header) {
    try {
      // Reading the header decodes no pixels: the limit is checked below,
      // with the image's size in the message; sharp's own is a second fence
      // when decoding.
      header = await sharp(input, { ...options, limitInputPixels: 0 }).metadata()
    } catch (error) {
      throw refusal(key, error, limits.timeout)
    }
  }
  const format = header.format
  if (!format) throw new E_DJAMAZING_VARIANT_NOT_AN_IMAGE([key])
  if (!(limits.inputFormats as readonly string[]).includes(format)) {
    throw new E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED([key, format, limits.inputFormats.join(', ')])
  }
  const pixels = (header.width ?? 0) * (header.height ?? 0)
  if (pixels > limits.maxInputPixels) {
    throw new E_DJAMAZING_VARIANT_TOO_LARGE([
      key,
      `${header.width} x ${header.height} pixels is over the limit of ${limits.maxInputPixels} (variants.maxInputPixels)`,
    ])
  }

  let output: { data: Buffer; info: { width: number; height: number } }
  try {
    output = await sharp(input, options)
      .autoOrient()
      .resize({
        width: transform.width,
        height: transform.height,
        fit: transform.fit ?? 'inside',
        withoutEnlargement: !transform.enlarge,
      })
      .toFormat(
        transform.format ?? 'webp',
        transform.quality === undefined ? {} : { quality: transform.quality }
      )
      .timeout({ seconds: limits.timeout })
      .toBuffer({ resolveWithObject: true })
  } catch (error) {
    throw refusal(key, error, limits.timeout)
  }
  const written = sniffImage(output.data)
  if (!written) {
    // Never expected: sharp wrote what it was asked for.
    throw new E_DJAMAZING_VARIANT_CORRUPT_IMAGE([key, 'the encoder wrote no known image format'])
  }
  return {
    bytes: output.data,
    contentType: written.contentType,
    format: written.format,
    width: output.info.width,
    height: output.info.height,
  }
}

/**
 * The named error for what sharp threw. sharp's errors are plain `Error`s;
 * their messages are the only thing that tells them apart.
 */
function refusal(key: string, error: unknown, timeout: number): Error {
  const message = error instanceof Error ? error.message : String(error)
  if (/unsupported image format/i.test(message)) {
    return new E_DJAMAZING_VARIANT_NOT_AN_IMAGE([key], { cause: error })
  }
  if (/pixel limit/i.test(message)) {
    return new E_DJAMAZING_VARIANT_TOO_LARGE([key, message], { cause: error })
  }
  if (/^timeout:/i.test(message)) {
    return new E_DJAMAZING_VARIANT_TIMEOUT([key, timeout], { cause: error })
  }
  return new E_DJAMAZING_VARIANT_CORRUPT_IMAGE([key, message.split('\n')[0]], { cause: error })
}

/**
 * The format of an encoded image, from its first bytes.
 */
export function sniffImage(bytes: Uint8Array): { format: string; contentType: string } | undefined {
  const ascii = (start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end))
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { format: 'jpeg', contentType: 'image/jpeg' }
  }
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return { format: 'png', contentType: 'image/png' }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
    return { format: 'webp', contentType: 'image/webp' }
  }
  if (ascii(4, 12) === 'ftypavif') return { format: 'avif', contentType: 'image/avif' }
  return undefined
}

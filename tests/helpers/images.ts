import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { makePngBomb } from './png.ts'

const PHOTOS = join(import.meta.dirname, '..', 'fixtures', 'photos')

/**
 * The real camera photos of tests/fixtures/photos (see its README): EXIF
 * with GPS, as the cameras wrote them.
 */
export const PHOTOS_WITH_GPS = {
  iphone: readFileSync(join(PHOTOS, 'iphone_6_plus.jpg')),
  lumia: readFileSync(join(PHOTOS, 'lumia_820.jpg')),
}

/**
 * Inputs a variant must refuse, each with the error it must be refused with.
 */
export function hostileImages() {
  const photo = PHOTOS_WITH_GPS.lumia
  return {
    // 900 megapixels in about 110 KB.
    bomb: { bytes: makePngBomb(30_000, 30_000), code: 'E_DJAMAZING_VARIANT_TOO_LARGE' },
    // The first half of a real photo: a valid header, then nothing.
    truncated: {
      bytes: photo.subarray(0, Math.floor(photo.length / 2)),
      code: 'E_DJAMAZING_VARIANT_CORRUPT_IMAGE',
    },
    svg: {
      bytes: Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="teal"/></svg>'
      ),
      code: 'E_DJAMAZING_VARIANT_FORMAT_NOT_ALLOWED',
    },
    text: {
      bytes: Buffer.from('Dear diary, this is not a picture.\n'.repeat(40)),
      code: 'E_DJAMAZING_VARIANT_NOT_AN_IMAGE',
    },
  }
}

/**
 * A JPEG of `width` x `height` whose EXIF orientation says to turn it a
 * quarter (orientation 6): upright, it is `height` x `width`.
 */
export function sidewaysJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c33' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer()
}

/**
 * What an encoded image carries: its format, size and metadata blocks.
 */
export async function imageFacts(bytes: Uint8Array) {
  const header = await sharp(bytes).metadata()
  return {
    format: header.format,
    width: header.width,
    height: header.height,
    orientation: header.orientation,
    exif: header.exif,
    xmp: header.xmp,
    iptc: header.iptc,
  }
}

/**
 * Whether the bytes hold an EXIF GPS block anywhere (its tag, 0x8825, in
 * either byte order, inside an EXIF segment): checked on the raw bytes, not
 * on what a decoder chooses to report.
 */
export function hasExifGps(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes)
  const exif = buffer.indexOf('Exif\0\0')
  if (exif < 0) return false
  return (
    buffer.indexOf(Buffer.from([0x88, 0x25]), exif) >= 0 ||
    buffer.indexOf(Buffer.from([0x25, 0x88]), exif) >= 0
  )
}

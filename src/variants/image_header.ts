/**
 * What an original's first bytes say: its format and stored size.
 */
export type ImageHeader = { format: 'jpeg' | 'png'; width: number; height: number }

/**
 * The SOF markers of JPEG (baseline, progressive, lossless, arithmetic):
 * each starts a frame header with the image's height and width. C4 (DHT),
 * C8 (JPG) and CC (DAC) are not frames.
 */
const START_OF_FRAME = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
])

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/**
 * The format and size of a JPEG or PNG, read from its header in
 * JavaScript; `undefined` for anything else, or a header this reader does
 * not follow (then sharp reads it).
 *
 * Why not sharp's `metadata()`: for the photos variants are made from,
 * it is a whole trip through libuv's thread pool and a parse of every
 * metadata block (EXIF, ICC, XMP) before the real work starts, about 3 %
 * of making a thumbnail. The size read here decides only whether the
 * image is refused before decoding: sharp's own pixel limit still guards
 * the decoding, so a header that lies cannot get a bomb through.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegHeader(bytes)
  if (PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) return pngHeader(bytes)
  return undefined
}

function jpegHeader(bytes: Uint8Array): ImageHeader | undefined {
  let offset = 2
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined
    const marker = bytes[offset + 1]
    // Fill bytes: any number of 0xFF may come before a marker.
    if (marker === 0xff) {
      offset++
      continue
    }
    // Markers without a length: restarts, TEM. SOS or EOI before a frame
    // header: not a JPEG this reader follows.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2
      continue
    }
    if (marker === 0xda || marker === 0xd9) return undefined
    if (START_OF_FRAME.has(marker)) {
      const height = (bytes[offset + 5] << 8) | bytes[offset + 6]
      const width = (bytes[offset + 7] << 8) | bytes[offset + 8]
      // A height of 0 is defined later by a DNL marker: left to sharp.
      return width > 0 && height > 0 ? { format: 'jpeg', width, height } : undefined
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3]
    if (length < 2) return undefined
    offset += 2 + length
  }
  return undefined
}

function pngHeader(bytes: Uint8Array): ImageHeader | undefined {
  // The first chunk is IHDR: its length (13), its name, then width and
  // height as big-endian 32-bit numbers.
  if (bytes.length < 24) return undefined
  const name = String.fromCharCode(...bytes.subarray(12, 16))
  if (name !== 'IHDR') return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  return width > 0 && height > 0 ? { format: 'png', width, height } : undefined
}

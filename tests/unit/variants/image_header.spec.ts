import { test } from '@japa/runner'
import sharp from 'sharp'
import { readImageHeader } from '../../../src/variants/image_header.ts'
import { hostileImages, PHOTOS_WITH_GPS } from '../../helpers/images.ts'
import { makePngBomb } from '../../helpers/png.ts'

/**
 * What sharp's own header reading says of the same bytes.
 */
async function sharpHeader(bytes: Uint8Array) {
  const { format, width, height } = await sharp(bytes, { limitInputPixels: 0 }).metadata()
  return { format, width, height }
}

test.group('Variants | reading an original header', () => {
  test('camera photos and encoded JPEG and PNG: the format and size sharp reads', async ({
    assert,
  }) => {
    const images = [
      PHOTOS_WITH_GPS.iphone,
      PHOTOS_WITH_GPS.lumia,
      await sharp({ create: { width: 37, height: 11, channels: 3, background: '#123' } })
        .jpeg({ progressive: true })
        .toBuffer(),
      await sharp({ create: { width: 5, height: 300, channels: 4, background: '#1234' } })
        .png()
        .toBuffer(),
    ]
    for (const bytes of images) {
      assert.deepEqual(readImageHeader(bytes), await sharpHeader(bytes))
    }
  })

  test('a PNG bomb shows its full size before any pixel is decoded', ({ assert }) => {
    assert.deepEqual(readImageHeader(makePngBomb(30_000, 30_000)), {
      format: 'png',
      width: 30_000,
      height: 30_000,
    })
  })

  test('anything else is left to sharp: no guess', ({ assert }) => {
    const { svg, text } = hostileImages()
    assert.isUndefined(readImageHeader(svg.bytes))
    assert.isUndefined(readImageHeader(text.bytes))
    assert.isUndefined(readImageHeader(new Uint8Array()))
    // A JPEG cut inside its metadata, before the frame header.
    assert.isUndefined(readImageHeader(PHOTOS_WITH_GPS.lumia.subarray(0, 200)))
    // A PNG whose first chunk is not its header.
    const png = Buffer.from(makePngBomb(10, 10))
    png.write('tEXt', 12, 'latin1')
    assert.isUndefined(readImageHeader(png))
    // Segment lengths that point nowhere sensible end the walk.
    assert.isUndefined(readImageHeader(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x00, 0, 0, 0])))
  })
})

import { test } from '@japa/runner'
import { resolveVariantSettings } from '../../../src/variants/options.ts'
import { loadSharp } from '../../../src/variants/sharp.ts'
import { makeVariant, type TransformLimits } from '../../../src/variants/transform.ts'
import type { VariantTransform } from '../../../src/variants/types.ts'
import {
  hasExifGps,
  hostileImages,
  imageFacts,
  PHOTOS_WITH_GPS,
  sidewaysJpeg,
} from '../../helpers/images.ts'

const LIMITS: TransformLimits = {
  maxInputPixels: 100_000_000,
  inputFormats: ['jpeg', 'png', 'webp', 'avif', 'heif', 'gif', 'tiff'],
  timeout: 20,
}

async function variantOf(input: Uint8Array, transform: VariantTransform, limits = LIMITS) {
  const sharp = await loadSharp('variants')
  return makeVariant(sharp, 'photos/a.jpg', input, transform, limits)
}

test.group('Variants | making one', () => {
  test('a camera photo becomes a small upright WebP with no metadata at all', async ({
    assert,
  }) => {
    const original = PHOTOS_WITH_GPS.iphone
    assert.isTrue(hasExifGps(original), 'the fixture carries GPS')
    assert.deepInclude(await imageFacts(original), { width: 2448, height: 2448, orientation: 6 })

    const made = await variantOf(original, { width: 320 })
    assert.equal(made.contentType, 'image/webp')
    assert.deepInclude(made, { width: 320, height: 320, format: 'webp' })
    assert.isBelow(made.bytes.length, original.length / 10)
    const facts = await imageFacts(made.bytes)
    assert.deepInclude(facts, { format: 'webp', width: 320, height: 320 })
    assert.isUndefined(facts.exif)
    assert.isUndefined(facts.xmp)
    assert.isUndefined(facts.iptc)
    assert.isUndefined(facts.orientation)
    assert.isFalse(hasExifGps(made.bytes))
  })

  test('the EXIF orientation is applied: a sideways 40 x 20 photo comes out 10 x 20', async ({
    assert,
  }) => {
    const made = await variantOf(await sidewaysJpeg(40, 20), { width: 10, format: 'jpeg' })
    assert.deepInclude(made, { width: 10, height: 20, contentType: 'image/jpeg' })
    const facts = await imageFacts(made.bytes)
    assert.isUndefined(facts.orientation)
  })

  test('fit, format and quality: cover crops to the box, AVIF and JPEG are what was written', async ({
    assert,
  }) => {
    const cover = await variantOf(PHOTOS_WITH_GPS.lumia, {
      width: 200,
      height: 200,
      fit: 'cover',
      format: 'avif',
    })
    assert.deepInclude(cover, {
      width: 200,
      height: 200,
      format: 'avif',
      contentType: 'image/avif',
    })
    // sharp names AVIF's container, HEIF, when it reads one back.
    const coverFacts = await imageFacts(cover.bytes)
    assert.equal(coverFacts.format, 'heif')

    const inside = await variantOf(PHOTOS_WITH_GPS.lumia, { width: 200, height: 200 })
    assert.deepInclude(inside, { width: 200, height: 113 })

    const low = await variantOf(PHOTOS_WITH_GPS.lumia, { width: 640, format: 'jpeg', quality: 30 })
    const high = await variantOf(PHOTOS_WITH_GPS.lumia, { width: 640, format: 'jpeg', quality: 95 })
    assert.equal(low.contentType, 'image/jpeg')
    assert.isBelow(low.bytes.length, high.bytes.length)
    assert.isFalse(hasExifGps(high.bytes))
  })

  test('a small image keeps its size unless enlarge is set', async ({ assert }) => {
    const small = await sidewaysJpeg(30, 20)
    assert.deepInclude(await variantOf(small, { width: 400 }), { width: 20, height: 30 })
    assert.deepInclude(await variantOf(small, { width: 400, enlarge: true }), {
      width: 400,
      height: 600,
    })
  })
})

test.group('Variants | hostile input is refused with its named error', () => {
  for (const [name, expected] of Object.entries({
    'a 30,000 x 30,000 PNG bomb': 'bomb',
    'a truncated JPEG': 'truncated',
    'an SVG': 'svg',
    'a text file': 'text',
  } as const)) {
    test(name, async ({ assert }) => {
      const input = hostileImages()[expected]
      const started = Date.now()
      const error = await variantOf(input.bytes, { width: 320 }).catch((caught) => caught)
      assert.equal(error.code, input.code)
      assert.include(error.message, '"photos/a.jpg"')
      // Refused from the header or the first bad bytes, never after a long decode.
      assert.isBelow(Date.now() - started, 5_000)
    })
  }

  test('the pixel limit is the disk’s: a 2448 x 2448 photo is refused under 5 megapixels', async ({
    assert,
  }) => {
    const error = await variantOf(
      PHOTOS_WITH_GPS.iphone,
      { width: 320 },
      { ...LIMITS, maxInputPixels: 5_000_000 }
    ).catch((caught) => caught)
    assert.equal(error.code, 'E_DJAMAZING_VARIANT_TOO_LARGE')
    assert.include(error.message, '2448 x 2448 pixels is over the limit of 5000000')
  })

  test('SVG is taken only when the disk lists it', async ({ assert }) => {
    const made = await variantOf(
      hostileImages().svg.bytes,
      { width: 200, format: 'png' },
      { ...LIMITS, inputFormats: ['svg'] }
    )
    assert.deepInclude(made, { width: 200, height: 150, contentType: 'image/png' })
  })
})

test.group('Variants | declaring them', () => {
  test('defaults are filled in, and the file name changes with the transform', ({ assert }) => {
    const settings = resolveVariantSettings(
      { transforms: { thumb: { width: 320 } } },
      'services.photos.variants'
    )
    const thumb = settings.variants.get('thumb')!
    assert.deepEqual(thumb.transform, {
      width: 320,
      height: undefined,
      fit: 'inside',
      format: 'webp',
      quality: undefined,
      enlarge: false,
    })
    assert.match(thumb.fileName, /^thumb-[0-9a-f]{8}\.webp$/)
    assert.deepInclude(settings, {
      eager: false,
      concurrency: 2,
      timeout: 20,
      maxInputPixels: 100_000_000,
      folder: 'variants/',
    })
    const other = resolveVariantSettings({ transforms: { thumb: { width: 321 } } }, 'v')
    assert.notEqual(other.variants.get('thumb')!.fileName, thumb.fileName)
    const jpeg = resolveVariantSettings(
      { transforms: { thumb: { width: 320, format: 'jpeg' } } },
      'v'
    )
    assert.match(jpeg.variants.get('thumb')!.fileName, /\.jpg$/)
  })

  for (const [options, setting, reason] of [
    [{ transforms: {} }, 'services.photos.variants.transforms', 'declare at least one'],
    [{ transforms: { thumb: {} } }, 'services.photos.variants.transforms.thumb', 'a width'],
    [{ transforms: { 'a b': { width: 1 } } }, 'services.photos.variants.transforms.a b', 'letters'],
    [{ transforms: { t: { width: 0 } } }, 'services.photos.variants.transforms.t.width', 'from 1'],
    [
      { transforms: { t: { width: 20_000 } } },
      'services.photos.variants.transforms.t.width',
      'to 10000',
    ],
    [
      { transforms: { t: { width: 1, format: 'gif' } } },
      'services.photos.variants.transforms.t.format',
      'webp',
    ],
    [
      { transforms: { t: { width: 1, fit: 'crop' } } },
      'services.photos.variants.transforms.t.fit',
      'cover',
    ],
    [
      { transforms: { t: { width: 1, quality: 101 } } },
      'services.photos.variants.transforms.t.quality',
      'to 100',
    ],
    [
      { transforms: { t: { width: 1, size: 3 } } },
      'services.photos.variants.transforms.t.size',
      'unknown',
    ],
    [
      { transforms: { t: { width: 1 } }, inputFormats: ['bmp'] },
      'services.photos.variants.inputFormats',
      'a list',
    ],
    [
      { transforms: { t: { width: 1 } }, concurrency: 0 },
      'services.photos.variants.concurrency',
      'from 1',
    ],
    [{ transforms: { t: { width: 1 } }, timeout: '0s' }, 'services.photos.variants.timeout', ''],
    [{ transforms: { t: { width: 1 } }, folder: '../x' }, 'services.photos.variants.folder', ''],
  ] as const) {
    test(`refused at boot: ${JSON.stringify(options)}`, ({ assert }) => {
      const error = (() => {
        try {
          resolveVariantSettings(options as any, 'services.photos.variants')
        } catch (caught) {
          return caught as { code: string; message: string }
        }
      })()
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_CONFIG')
      assert.include(error?.message, `"${setting}"`)
      assert.include(error?.message, reason)
    })
  }
})

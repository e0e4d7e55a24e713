import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { DiskVariants, type VariantDriver } from '../../../src/variants/disk_variants.ts'
import { LocalStore } from '../../../src/store/local_store.ts'
import { resolveVariantSettings } from '../../../src/variants/options.ts'
import type { VariantsOptions } from '../../../src/variants/types.ts'
import { hasExifGps, hostileImages, imageFacts, PHOTOS_WITH_GPS } from '../../helpers/images.ts'

const TRANSFORMS = {
  thumb: { width: 320, height: 320, fit: 'cover' },
  large: { width: 1024, format: 'jpeg', quality: 80 },
} as const

/**
 * A public disk on the local store, its variants over the disk's own
 * driver, and a count of the variants it stored.
 */
function variantDisk(root: string, options: Partial<VariantsOptions> = {}) {
  const driver = new DjamazingDriver({
    store: 'local',
    bucket: 'photos',
    mode: 'public',
    cdnUrl: 'http://localhost:3333/cdn',
    localStore: { root },
    prefix: 'site/',
  } as DjamazingOptions)
  // The driver's own whole-file read, as the driver gives it to its
  // variants: the store's, under the disk's prefix.
  const store = new LocalStore({ root, bucket: 'photos' })
  const written: string[] = []
  // The real driver, watched: each variant written is counted.
  const watched: VariantDriver = {
    put: (key, contents, writeOptions) => {
      written.push(key)
      return driver.put(key, contents, writeOptions)
    },
    exists: (key) => driver.exists(key),
    listAll: (prefix, listOptions) => driver.listAll(prefix, listOptions),
    move: (source, destination, writeOptions) => driver.move(source, destination, writeOptions),
    deleteAll: (prefix) => driver.deleteAll(prefix),
  }
  const settings = resolveVariantSettings(
    { transforms: TRANSFORMS, ...options },
    'services.photos.variants'
  )
  const variants = new DiskVariants(
    settings,
    watched,
    (key, maxBytes) => store.getBytes(`site/${key}`, maxBytes),
    {
      disk: 'photos',
      setting: 'services.photos.variants',
    }
  )
  return { driver, variants, written }
}

/**
 * A server that answers `GET /<variant>/<key>` with the variant's bytes
 * (made first if need be), `GET /ping` at once, and a named error's status
 * and code for a variant that cannot be made.
 */
async function variantServer(disk: ReturnType<typeof variantDisk>) {
  const server: Server = createServer(async (request, response) => {
    const [, name, ...rest] = new URL(request.url!, 'http://x').pathname.split('/')
    if (name === 'ping') return response.end('pong')
    try {
      const variantKey = await disk.variants.ensure(decodeURIComponent(rest.join('/')), name)
      const meta = await disk.driver.getMetaData(variantKey)
      response.writeHead(200, { 'Content-Type': meta.contentType ?? '' })
      response.end(await disk.driver.getBytes(variantKey))
    } catch (error) {
      response.writeHead((error as { status?: number }).status ?? 500)
      response.end((error as { code?: string }).code)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    get: (path: string) => fetch(`${base}${path}`),
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

test.group('Variants | stored at a derived key, kept in step with the original', (group) => {
  let root: string

  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-variants-'))
    return () => rm(root, { recursive: true, force: true })
  })

  test('a variant is made once, on the same disk under its prefix, with the type sharp wrote', async ({
    assert,
  }) => {
    const disk = variantDisk(root)
    // Stored as an octet stream: the variant's type never comes from the original's.
    await disk.driver.put('albums/a.jpg', PHOTOS_WITH_GPS.iphone, {
      contentType: 'application/octet-stream',
    })
    const thumbKey = await disk.variants.ensure('albums/a.jpg', 'thumb')
    assert.match(thumbKey, /^variants\/albums\/a\.jpg\/thumb-[0-9a-f]{8}\.webp$/)
    assert.equal(thumbKey, disk.variants.keyOf('albums/a.jpg', 'thumb'))
    assert.deepEqual(disk.variants.parse(thumbKey)?.original, 'albums/a.jpg')
    // The disk's prefix applies: the variant is in the same place as its original.
    assert.equal(await disk.driver.getUrl(thumbKey), `http://localhost:3333/cdn/site/${thumbKey}`)
    const bytes = await disk.driver.getBytes(thumbKey)
    assert.deepInclude(await imageFacts(bytes), { format: 'webp', width: 320, height: 320 })
    const meta = await disk.driver.getMetaData(thumbKey)
    assert.equal(meta.contentType, 'image/webp')
    assert.isFalse(hasExifGps(bytes))

    await disk.variants.ensure('albums/a.jpg', 'thumb')
    assert.isUndefined(disk.variants.ready(thumbKey), 'known: nothing to wait for')
    assert.deepEqual(disk.written, [thumbKey])
  })

  test('50 simultaneous first requests for one missing variant: one generation, 50 correct answers', async ({
    assert,
  }) => {
    const disk = variantDisk(root)
    await disk.driver.put('p/b.jpg', PHOTOS_WITH_GPS.lumia)
    const server = await variantServer(disk)
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const response = await server.get('/large/p/b.jpg')
          return {
            status: response.status,
            type: response.headers.get('content-type'),
            bytes: Buffer.from(await response.arrayBuffer()),
          }
        })
      )
      assert.lengthOf(disk.written, 1)
      const stored = Buffer.from(await disk.driver.getBytes(disk.written[0]))
      for (const answer of answers) {
        assert.equal(answer.status, 200)
        assert.equal(answer.type, 'image/jpeg')
        assert.isTrue(answer.bytes.equals(stored))
      }
      assert.deepInclude(await imageFacts(stored), { format: 'jpeg', width: 1024, height: 577 })
      assert.isFalse(hasExifGps(stored))
    } finally {
      await server.close()
    }
  })

  test('hostile originals get their named error while the server stays responsive', async ({
    assert,
  }) => {
    const disk = variantDisk(root, { concurrency: 1 })
    const hostile = hostileImages()
    for (const [name, input] of Object.entries(hostile)) {
      await disk.driver.put(`hostile/${name}.jpg`, input.bytes, { contentType: 'image/jpeg' })
    }
    await disk.driver.put('hostile/fine.jpg', PHOTOS_WITH_GPS.iphone)
    const server = await variantServer(disk)
    try {
      const refusals = Object.entries(hostile).map(async ([name, input]) => {
        const response = await server.get(`/thumb/hostile/${name}.jpg`)
        return { name, status: response.status, code: await response.text(), expected: input.code }
      })
      const fine = server.get('/large/hostile/fine.jpg')
      // Asked while the disk's one turn is busy with the others.
      const started = performance.now()
      const ping = await server.get('/ping')
      const pingMs = performance.now() - started
      assert.equal(await ping.text(), 'pong')
      assert.isBelow(pingMs, 1000)
      for (const refusal of await Promise.all(refusals)) {
        assert.deepEqual(refusal, { ...refusal, status: 422, code: refusal.expected })
      }
      const fineAnswer = await fine
      assert.equal(fineAnswer.status, 200)
      const missing = await server.get('/thumb/hostile/missing.jpg')
      assert.equal(missing.status, 404)
      assert.deepEqual(
        disk.written.map((key) => disk.variants.parse(key)?.original),
        ['hostile/fine.jpg']
      )
    } finally {
      await server.close()
    }
  })

  test('a variant that takes longer than the time limit is stopped with E_DJAMAZING_VARIANT_TIMEOUT', async ({
    assert,
  }) => {
    const disk = variantDisk(root, {
      timeout: 1,
      transforms: { huge: { width: 6000, format: 'avif', enlarge: true } },
    })
    await disk.driver.put('slow.jpg', PHOTOS_WITH_GPS.iphone)
    const started = performance.now()
    const error = await disk.variants.ensure('slow.jpg', 'huge').catch((caught) => caught)
    assert.equal(error.code, 'E_DJAMAZING_VARIANT_TIMEOUT')
    assert.equal(error.status, 503)
    assert.isBelow(performance.now() - started, 5_000)
    assert.deepEqual(disk.written, [])
  })

  test('overwriting, moving and deleting the original do the same to its variants', async ({
    assert,
  }) => {
    const disk = variantDisk(root)
    await disk.driver.put('a/one.jpg', PHOTOS_WITH_GPS.lumia)
    await disk.driver.put('a/two.jpg', PHOTOS_WITH_GPS.lumia)
    const thumb = await disk.variants.ensure('a/one.jpg', 'thumb')
    const large = await disk.variants.ensure('a/one.jpg', 'large')
    await disk.variants.ensure('a/two.jpg', 'thumb')

    await disk.variants.moveAll('a/one.jpg', 'b/one.jpg')
    assert.isFalse(await disk.driver.exists(thumb))
    assert.isFalse(await disk.driver.exists(large))
    assert.isTrue(await disk.driver.exists(disk.variants.keyOf('b/one.jpg', 'thumb')))
    assert.isTrue(await disk.driver.exists(disk.variants.keyOf('b/one.jpg', 'large')))

    await disk.variants.removeAll('b/one.jpg')
    assert.isFalse(await disk.driver.exists(disk.variants.keyOf('b/one.jpg', 'thumb')))
    // Forgotten as stored: asked again, it is made again.
    await disk.driver.put('b/one.jpg', PHOTOS_WITH_GPS.iphone)
    const again = await disk.variants.ensure('b/one.jpg', 'thumb')
    assert.deepInclude(await imageFacts(await disk.driver.getBytes(again)), { width: 320 })

    // A folder: every variant of every file under it.
    await disk.variants.removeAll('a/')
    assert.isFalse(await disk.driver.exists(disk.variants.keyOf('a/two.jpg', 'thumb')))
    assert.isTrue(await disk.driver.exists(again))
  })

  test('eager: every variant of an image at once; a file that is no image is skipped', async ({
    assert,
  }) => {
    const disk = variantDisk(root, { eager: true })
    await disk.driver.put('e/photo.jpg', PHOTOS_WITH_GPS.iphone)
    await disk.variants.makeAll('e/photo.jpg')
    assert.sameMembers(disk.written, [
      disk.variants.keyOf('e/photo.jpg', 'thumb'),
      disk.variants.keyOf('e/photo.jpg', 'large'),
    ])
    await disk.driver.put('e/notes.txt', 'not a picture')
    await disk.variants.makeAll('e/notes.txt')
    await disk.variants.makeAll('e/notes.txt', hostileImages().bomb.bytes)
    assert.lengthOf(disk.written, 2)
  })

  test('keys: unknown variants, variants of variants and stale names are refused', async ({
    assert,
  }) => {
    const disk = variantDisk(root)
    assert.throws(() => disk.variants.keyOf('a.jpg', 'huge'), /Unknown variant "huge"/)
    const thumb = disk.variants.keyOf('a.jpg', 'thumb')
    assert.throws(() => disk.variants.keyOf(thumb, 'thumb'), /variants have no variants/)
    assert.isUndefined(disk.variants.parse('variants/a.jpg/thumb-00000000.webp'))
    assert.isUndefined(disk.variants.parse('a.jpg'))
    assert.isUndefined(disk.variants.ready('a.jpg'))
  })
})

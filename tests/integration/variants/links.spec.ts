import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { asPut, putStatus, sha256Of } from '../../helpers/direct_upload.ts'
import { createEdgeHandler } from '../../../src/edge/main.ts'
import { createRedirectHandler } from '../../../src/links/main.ts'
import type { LinkEvent } from '../../../src/links/types.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { recordRequests } from '../../helpers/driver_factory.ts'
import { hasExifGps, hostileImages, imageFacts, PHOTOS_WITH_GPS } from '../../helpers/images.ts'
import { SECRET } from '../../helpers/links.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

const TRANSFORMS = {
  thumb: { width: 320, height: 320, fit: 'cover' },
  w640: { width: 640 },
  tall: { height: 200 },
} as const

/**
 * The whole flow on one node:http server over a real s3rver: a protected
 * disk and a public disk with variants, the redirect route at
 * /djamazing (the user is the `x-user` header) and the local edge at
 * /cdn, checking CloudFront signatures as CloudFront does.
 */
test.group('Variants | links and URLs through the same API as originals', (group) => {
  let s3: S3Server
  let server: Server
  let origin: string
  let user: string | null = 'alice'
  let uploads: DjamazingDriver
  let site: DjamazingDriver
  let authorized: unknown[] = []
  let events: LinkEvent[] = []
  let puts: { method: string; path: string }[] = []

  group.setup(async () => {
    s3 = await startS3Server()
    const client = s3.client()
    puts = recordRequests(client)
    let edge: ReturnType<typeof createEdgeHandler> | undefined
    let redirect: ReturnType<typeof createRedirectHandler> | undefined
    server = createServer((req, res) => {
      if (req.url === '/ping') return res.end('pong')
      if (req.url!.startsWith('/cdn/')) return edge!(req, res)
      return redirect!(req, res)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const common = {
      client,
      bucket: s3.bucket,
      cdnUrl: `${origin}/cdn`,
      variants: { transforms: TRANSFORMS },
    }
    uploads = new DjamazingDriver({
      ...common,
      disk: 'uploads',
      mode: 'protected',
      prefix: 'private/',
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
      links: { secrets: [SECRET], currentUserId: () => user },
    } as DjamazingOptions)
    site = new DjamazingDriver({
      ...common,
      disk: 'site',
      mode: 'public',
      prefix: 'public/',
    } as DjamazingOptions)
    edge = createEdgeHandler({
      client,
      bucket: s3.bucket,
      publicUrl: `${origin}/cdn`,
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      behaviors: [
        { pathPattern: 'public/*', signed: false },
        { pathPattern: '*', signed: true },
      ],
    })
    redirect = createRedirectHandler({
      disks: { uploads },
      currentUser: (req) => req.headers['x-user'] as string | undefined,
      onRequest: (event) => events.push(event),
      authorize: (file) => {
        authorized.push(file)
        return true
      },
    })
    return async () => {
      server.closeAllConnections()
      server.close()
      await s3.stop()
    }
  })

  group.each.setup(() => {
    user = 'alice'
    authorized = []
    events = []
  })

  const follow = (link: string, as?: string) =>
    fetch(`${origin}${link}`, {
      headers: as ? { 'x-user': as } : {},
      redirect: 'manual',
    })
  const statusOf = async (link: string, as?: string) => {
    const response = await follow(link, as)
    return response.status
  }

  test('protected: the link is bound to the user, made on first use, then served by the CDN', async ({
    assert,
  }) => {
    await uploads.put('albums/1/beach.jpg', PHOTOS_WITH_GPS.iphone, { contentType: 'image/jpeg' })
    const link = await uploads.getVariantUrl('albums/1/beach.jpg', 'thumb')
    const variantKey = uploads.variants!.keyOf('albums/1/beach.jpg', 'thumb')
    assert.equal(new URL(link, origin).pathname, `/djamazing/uploads/${variantKey}`)
    assert.isFalse(await uploads.exists(variantKey), 'lazy: nothing made yet')

    assert.equal(await statusOf(link), 401, 'a guest')
    assert.equal(await statusOf(link, 'bob'), 403, 'another user')
    assert.isFalse(await uploads.exists(variantKey), 'nothing made for them')

    const redirect = await follow(link, 'alice')
    assert.equal(redirect.status, 302)
    const location = redirect.headers.get('location')!
    assert.isTrue(location.startsWith(`${origin}/cdn/private/${variantKey}?`))
    assert.include(location, 'Signature=')
    assert.deepEqual(authorized, [
      { disk: 'uploads', key: 'albums/1/beach.jpg', userId: 'alice', variant: 'thumb' },
    ])

    const image = await fetch(location)
    assert.equal(image.status, 200)
    assert.equal(image.headers.get('content-type'), 'image/webp')
    const bytes = Buffer.from(await image.arrayBuffer())
    assert.deepInclude(await imageFacts(bytes), { format: 'webp', width: 320, height: 320 })
    assert.isFalse(hasExifGps(bytes))
    // The variant's object is as protected as its original: unsigned, refused.
    const unsigned = await fetch(`${origin}/cdn/private/${variantKey}`)
    assert.equal(unsigned.status, 403)
  })

  test('the MAC covers the variant: another variant name, or the original, in the same link is refused', async ({
    assert,
  }) => {
    await uploads.put('albums/2/cat.jpg', PHOTOS_WITH_GPS.lumia)
    const link = await uploads.getVariantUrl('albums/2/cat.jpg', 'thumb')
    const thumbFile = uploads.variants!.keyOf('albums/2/cat.jpg', 'thumb').split('/').pop()!
    const wider = uploads.variants!.keyOf('albums/2/cat.jpg', 'w640').split('/').pop()!
    for (const forged of [
      link.replace(thumbFile, wider),
      link.replace(`variants/albums/2/cat.jpg/${thumbFile}`, 'albums/2/cat.jpg'),
    ]) {
      assert.notEqual(forged, link)
      assert.equal(await statusOf(forged, 'alice'), 403)
    }
    assert.isFalse(await uploads.exists(uploads.variants!.keyOf('albums/2/cat.jpg', 'w640')))
  })

  test('50 simultaneous first follows of one variant link: one generation, 50 correct redirects', async ({
    assert,
  }) => {
    await uploads.put('albums/3/dog.jpg', PHOTOS_WITH_GPS.lumia)
    const variantKey = uploads.variants!.keyOf('albums/3/dog.jpg', 'w640')
    const link = await uploads.getVariantUrl('albums/3/dog.jpg', 'w640')
    puts.length = 0
    const answers = await Promise.all(Array.from({ length: 50 }, () => follow(link, 'alice')))
    const writes = puts.filter(
      (request) => request.method === 'PUT' && request.path.endsWith(variantKey.split('/').pop()!)
    )
    assert.lengthOf(writes, 1)
    const locations = new Set<string>()
    for (const answer of answers) {
      assert.equal(answer.status, 302)
      locations.add(answer.headers.get('location')!)
    }
    for (const location of locations) {
      const image = await fetch(location)
      assert.equal(image.status, 200)
      assert.deepInclude(await imageFacts(Buffer.from(await image.arrayBuffer())), {
        width: 640,
        height: 361,
      })
    }
  })

  test('a variant that cannot be made: 422 or 404 with the reason in the event, the server responsive', async ({
    assert,
  }) => {
    const hostile = hostileImages()
    for (const [name, input] of Object.entries(hostile)) {
      await uploads.put(`bad/${name}.jpg`, input.bytes, { contentType: 'image/jpeg' })
    }
    const links = await Promise.all(
      Object.keys(hostile).map((name) => uploads.getVariantUrl(`bad/${name}.jpg`, 'thumb'))
    )
    const answers = Promise.all(links.map((link) => follow(link, 'alice')))
    const started = performance.now()
    const ping = await fetch(`${origin}/ping`)
    assert.equal(await ping.text(), 'pong')
    assert.isBelow(performance.now() - started, 1000)
    for (const answer of await answers) assert.equal(answer.status, 422)
    assert.sameDeepMembers(
      events.map((event) => ({ ...event, clientAddress: undefined })),
      links.map(() => ({
        outcome: 'refused',
        disk: 'uploads',
        reason: 'variant-unavailable',
        status: 422,
        clientAddress: undefined,
      }))
    )

    const gone = await uploads.getVariantUrl('bad/never-stored.jpg', 'thumb')
    assert.equal(await statusOf(gone, 'alice'), 404)
  })

  test('public: a plain CDN URL of a variant already stored; srcset lists widths', async ({
    assert,
  }) => {
    await site.put('team/ana.jpg', PHOTOS_WITH_GPS.iphone)
    const url = await site.getVariantUrl('team/ana.jpg', 'w640')
    const variantKey = site.variants!.keyOf('team/ana.jpg', 'w640')
    assert.equal(url, `${origin}/cdn/public/${variantKey}`)
    const image = await fetch(url)
    assert.equal(image.status, 200)
    assert.equal(image.headers.get('content-type'), 'image/webp')
    assert.isFalse(hasExifGps(Buffer.from(await image.arrayBuffer())))

    const srcset = await site.getSrcset('team/ana.jpg', ['thumb', 'w640'])
    assert.equal(
      srcset,
      `${origin}/cdn/public/${site.variants!.keyOf('team/ana.jpg', 'thumb')} 320w, ${url} 640w`
    )
    const error = await site.getSrcset('team/ana.jpg', ['tall']).catch((caught) => caught)
    assert.equal(error.code, 'E_DJAMAZING_INVALID_ARGUMENT')
    const unknown = await site.getVariantUrl('team/ana.jpg', 'huge').catch((caught) => caught)
    assert.equal(unknown.code, 'E_DJAMAZING_UNKNOWN_VARIANT')
  })

  test('overwriting, moving and deleting an original do the same to its variants', async ({
    assert,
  }) => {
    await site.put('m/a.jpg', PHOTOS_WITH_GPS.iphone)
    await site.getVariantUrl('m/a.jpg', 'thumb')
    const before = await site.getBytes(site.variants!.keyOf('m/a.jpg', 'thumb'))

    await site.put('m/a.jpg', PHOTOS_WITH_GPS.lumia)
    assert.isFalse(await site.exists(site.variants!.keyOf('m/a.jpg', 'thumb')), 'overwritten')
    await site.getVariantUrl('m/a.jpg', 'thumb')
    const after = await site.getBytes(site.variants!.keyOf('m/a.jpg', 'thumb'))
    assert.isFalse(Buffer.from(after).equals(Buffer.from(before)), 'made from the new file')

    await site.move('m/a.jpg', 'n/a.jpg')
    assert.isFalse(await site.exists(site.variants!.keyOf('m/a.jpg', 'thumb')))
    const moved = await site.getBytes(site.variants!.keyOf('n/a.jpg', 'thumb'))
    assert.isTrue(Buffer.from(moved).equals(Buffer.from(after)), 'moved, not made again')

    await site.copy('n/a.jpg', 'o/a.jpg')
    await site.getVariantUrl('o/a.jpg', 'thumb')
    await site.delete('n/a.jpg')
    assert.isFalse(await site.exists(site.variants!.keyOf('n/a.jpg', 'thumb')))
    await site.deleteAll('o')
    assert.isFalse(await site.exists(site.variants!.keyOf('o/a.jpg', 'thumb')))
  })

  test('eager: variants are made when the original is written', async ({ assert }) => {
    const eager = new DjamazingDriver({
      client: s3.client(),
      bucket: s3.bucket,
      cdnUrl: `${origin}/cdn`,
      disk: 'eager',
      mode: 'public',
      prefix: 'eager/',
      variants: { transforms: TRANSFORMS, eager: true },
    } as DjamazingOptions)
    await eager.put('e.jpg', PHOTOS_WITH_GPS.lumia)
    for (const name of Object.keys(TRANSFORMS)) {
      assert.isTrue(await eager.exists(eager.variants!.keyOf('e.jpg', name)), name)
    }
    await eager.put('notes.txt', 'no picture')
    assert.isFalse(await eager.exists(eager.variants!.keyOf('notes.txt', 'thumb')))
  })

  test('eager: a direct upload gets its variants, confirmed (one PUT) or completed (multipart)', async ({
    assert,
  }) => {
    const eager = new DjamazingDriver({
      client: s3.client(),
      bucket: s3.bucket,
      cdnUrl: `${origin}/cdn`,
      disk: 'eager-uploads',
      mode: 'public',
      prefix: 'eager-uploads/',
      uploads: { secrets: ['the app key of the test app, 32 chars'] },
      variants: { transforms: TRANSFORMS, eager: true },
    } as DjamazingOptions)
    const photo = PHOTOS_WITH_GPS.lumia
    const variantsOf = async (key: string) => {
      const stored = []
      for (const name of Object.keys(TRANSFORMS)) {
        if (await eager.exists(eager.variants!.keyOf(key, name))) stored.push(name)
      }
      return stored
    }
    const upload = { userId: 'alice', contentType: 'image/jpeg', size: photo.length }

    const single = asPut(
      await eager.startUpload('one.jpg', { ...upload, checksum: sha256Of(photo) })
    )
    assert.equal(await putStatus(single, photo), 200)
    await eager.confirmUpload(single.token, { userId: 'alice' })
    assert.sameMembers(await variantsOf('one.jpg'), Object.keys(TRANSFORMS))

    // Without a checksum the upload is multipart.
    const multi = await eager.startUpload('two.jpg', upload)
    if (multi.method !== 'multipart') throw new Error('expected a multipart upload')
    const checksums = [sha256Of(photo)]
    const part = await eager.signUploadPart(multi.token, {
      userId: 'alice',
      partNumber: 1,
      checksum: checksums[0],
    })
    const sent = await fetch(part.url, { method: part.method, headers: part.headers, body: photo })
    assert.equal(sent.status, 200)
    await eager.completeUpload(multi.token, { userId: 'alice', checksums })
    assert.sameMembers(await variantsOf('two.jpg'), Object.keys(TRANSFORMS))
  })
})

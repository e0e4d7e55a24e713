import { test } from '@japa/runner'
import { startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'
import { hasExifGps, imageFacts, PHOTOS_WITH_GPS } from '../../helpers/images.ts'

const variants = {
  transforms: {
    thumb: { width: 320, height: 320, fit: 'cover' as const },
    w640: { width: 640 },
  },
}

test.group('AdonisJS | image variants in Edge templates', (group) => {
  let app: AdonisTestApp

  group.setup(async () => {
    app = await startAdonisApp({
      uploads: { variants },
      static: { variants },
      routes(router) {
        // The template of docs/variants.md, as it shows it.
        router.get('/gallery', async (ctx: any) => {
          const edge = await import('edge.js')
          await ctx.auth.check()
          const template = [
            `@if(auth.user)`,
            `  <img`,
            `    src="{{ await driveVariantUrl(photo.key, 'thumb', 'uploads') }}"`,
            `    srcset="{{ await driveSrcset(photo.key, ['thumb', 'w640'], 'uploads') }}"`,
            `    sizes="320px"`,
            `    alt=""`,
            `  />`,
            `@end`,
            `<img srcset="{{ await driveSrcset(logo, ['thumb', 'w640'], 'static') }}" alt="" />`,
          ].join('\n')
          return edge.default.renderRaw(template, {
            auth: ctx.auth,
            photo: { key: 'albums/beach.jpg' },
            logo: 'team.jpg',
          })
        })
      },
    })
    await app.drive.use('uploads').put('albums/beach.jpg', PHOTOS_WITH_GPS.iphone)
    await app.drive.use('static').put('team.jpg', PHOTOS_WITH_GPS.lumia)
    return () => app.stop()
  })

  test('driveVariantUrl and driveSrcset: links for the user on a protected disk, CDN URLs on a public one', async ({
    assert,
  }) => {
    const alice = await app.login('alice')
    const page = await fetch(`${app.baseUrl}/gallery`, { headers: { cookie: alice } })
    const html = await page.text()
    const src = /<img\s+src="([^"]+)"/.exec(html)![1].replaceAll('&amp;', '&')
    assert.match(
      src,
      /^\/djamazing\/uploads\/variants\/albums\/beach\.jpg\/thumb-[0-9a-f]{8}\.webp\?/
    )
    const [protectedSet, publicSet] = [...html.matchAll(/srcset="([^"]+)"/g)].map((match) =>
      match[1].replaceAll('&amp;', '&')
    )
    const entries = protectedSet.split(', ').map((entry) => entry.split(' '))
    assert.deepEqual(
      entries.map(([, width]) => width),
      ['320w', '640w']
    )
    assert.match(publicSet, /^http:\/\/127\.0\.0\.1:\d+\/cdn\/static\/variants\/team\.jpg\/thumb-/)

    // Alice follows the 640 one: made now, served by the local edge, with no GPS.
    const redirect = await fetch(`${app.baseUrl}${entries[1][0]}`, {
      headers: { cookie: alice },
      redirect: 'manual',
    })
    assert.equal(redirect.status, 302)
    const image = await fetch(redirect.headers.get('location')!)
    assert.equal(image.headers.get('content-type'), 'image/webp')
    const bytes = Buffer.from(await image.arrayBuffer())
    assert.deepInclude(await imageFacts(bytes), { width: 640, height: 640 })
    assert.isFalse(hasExifGps(bytes))

    const bob = await app.login('bob')
    const refused = await fetch(`${app.baseUrl}${entries[1][0]}`, {
      headers: { cookie: bob },
      redirect: 'manual',
    })
    assert.equal(refused.status, 403)
    const guest = await fetch(`${app.baseUrl}${entries[1][0]}`, { redirect: 'manual' })
    assert.equal(guest.status, 401)

    const publicImage = await fetch(publicSet.split(', ')[0].split(' ')[0])
    assert.equal(publicImage.status, 200)
    assert.deepInclude(await imageFacts(Buffer.from(await publicImage.arrayBuffer())), {
      width: 320,
      height: 320,
    })
  })
})

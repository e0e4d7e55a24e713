import { test } from '@japa/runner'
import { startAdonisApp } from '../../helpers/adonis_app.ts'

async function fetchText(url: string) {
  const response = await fetch(url)
  return { body: await response.text(), cache: response.headers.get('x-cache') }
}

test.group('AdonisJS | the mounted local edge caches as CloudFront does', () => {
  test('row 37: a public file overwritten through the disk is served old by the mounted edge', async ({
    assert,
    cleanup,
  }) => {
    const app = await startAdonisApp()
    cleanup(() => app.stop())
    const disk = app.drive.use('static')
    await disk.put('cached.txt', 'first')
    assert.deepEqual(await fetchText(`${app.baseUrl}/cdn/static/cached.txt`), {
      body: 'first',
      cache: 'Miss from cloudfront',
    })
    await disk.put('cached.txt', 'second')
    assert.deepEqual(await fetchText(`${app.baseUrl}/cdn/static/cached.txt`), {
      body: 'first',
      cache: 'Hit from cloudfront',
    })
  })

  test('localEdge: { cache: false } sends every request to the store', async ({
    assert,
    cleanup,
  }) => {
    const app = await startAdonisApp({ static: { localEdge: { cache: false } } })
    cleanup(() => app.stop())
    const disk = app.drive.use('static')
    await disk.put('uncached.txt', 'first')
    assert.deepEqual(await fetchText(`${app.baseUrl}/cdn/static/uncached.txt`), {
      body: 'first',
      cache: 'Miss from cloudfront',
    })
    await disk.put('uncached.txt', 'second')
    assert.deepEqual(await fetchText(`${app.baseUrl}/cdn/static/uncached.txt`), {
      body: 'second',
      cache: 'Miss from cloudfront',
    })
  })
})

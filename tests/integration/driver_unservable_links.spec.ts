import { test } from '@japa/runner'
import { DjamazingDriver } from '../../src/driver.ts'
import { protectedDiskOptions } from '../helpers/driver_factory.ts'
import { SECRET, followAs } from '../helpers/links.ts'

/**
 * A protected disk signing with RSA-2048, the longest signatures
 * CloudFront takes.
 */
const driver = new DjamazingDriver(
  protectedDiskOptions({
    cdnUrl: 'https://d111111abcdef8.cloudfront.net',
    links: { secrets: [SECRET], currentUserId: () => 7 },
  })
)

async function refusal(make: () => Promise<unknown>) {
  try {
    await make()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('the link was made')
}

test.group('DjamazingDriver | linkFor never makes a link that cannot be served (attack)', () => {
  test('a non-ASCII download name or type is a call-time error, not a dead link', async ({
    assert,
  }) => {
    for (const options of [
      { contentDisposition: `attachment; filename="${'é'.repeat(150)}.png"` },
      { contentDisposition: 'attachment; filename="naïve.pdf"' },
      { contentType: 'text/plain; charset=ü' },
      { contentDisposition: 'attachment; filename="\u00a0.pdf"' },
    ]) {
      const error = await refusal(() => driver.linkFor('a.png', options))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_ARGUMENT', JSON.stringify(options))
      assert.include(error.message, "filename*=UTF-8''")
    }
  })

  test('overrides whose signed CloudFront URL would reach 8,192 bytes are a call-time error', async ({
    assert,
  }) => {
    // Each is within what a key and a link value may hold (1,024); spaces
    // encode to three bytes each in the CloudFront URL.
    const key = `${'a '.repeat(490)}report.pdf`
    const contentDisposition = `attachment; filename="${' '.repeat(990)}"`
    const contentType = `text/plain; x="${' '.repeat(990)}"`
    const error = await refusal(() => driver.linkFor(key, { contentDisposition, contentType }))
    assert.equal(error.code, 'E_DJAMAZING_INVALID_ARGUMENT')
    assert.include(error.message, '8192')
  })

  test('the longest links it does make redirect (302), never 500', async ({ assert }) => {
    const key = `${'a '.repeat(490)}report.pdf`
    let made = 0
    for (const length of [100, 400, 700, 990]) {
      const options = {
        contentType: `text/plain; x="${' '.repeat(990)}"`,
        contentDisposition: `attachment; filename="${' '.repeat(length)}"`,
      }
      let link: string
      try {
        link = await driver.linkFor(key, options)
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'E_DJAMAZING_INVALID_ARGUMENT')
        continue
      }
      made++
      const response = await followAs(driver, link, 7)
      assert.equal(response.status, 302, `${length} spaces`)
      assert.isBelow(response.headers.Location.length, 8192)
    }
    assert.isAtLeast(made, 2)
    assert.isBelow(made, 4, 'the longest was refused')
  })

  test('an IP-bound link (custom policy: the URL again, base64, in Policy) is held to the same limit', async ({
    assert,
  }) => {
    const media = new DjamazingDriver(
      protectedDiskOptions({
        cdnUrl: 'https://d111111abcdef8.cloudfront.net',
        links: { secrets: [SECRET], currentUserId: () => 7 },
        maxViewFor: '2h',
      })
    )
    const key = `${'a '.repeat(200)}talk.wav`
    let made = 0
    for (const length of [50, 300, 600, 990]) {
      const options = {
        viewFor: '1h',
        bindIp: true,
        contentDisposition: `attachment; filename="${' '.repeat(length)}"`,
      }
      let link: string
      try {
        link = await media.linkFor(key, options)
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'E_DJAMAZING_INVALID_ARGUMENT')
        continue
      }
      made++
      const response = await followAs(media, link, 7, { clientIp: '203.0.113.7' })
      assert.equal(response.status, 302, `${length} spaces`)
      const location = response.headers.Location
      assert.include(location, 'Policy=', 'bound to the address')
      assert.isBelow(location.length, 8192)
    }
    assert.isAtLeast(made, 2)
    assert.isBelow(made, 4, 'the longest was refused')
  })
})

import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { DjamazingDriver } from '../../../src/driver.ts'
import type { LinkOptions } from '../../../src/links/types.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'
import { SECRET, followAs } from '../../helpers/links.ts'

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

/**
 * Makes a link to `key` with a download name of each of `lengths` spaces,
 * follows each one made (from `clientIp`), and returns the redirects'
 * `Location`s: every link made must redirect (302) to a URL under 8,192
 * bytes, every refusal must be E_DJAMAZING_INVALID_ARGUMENT.
 */
async function locationsOfLongest(
  assert: Assert,
  disk: DjamazingDriver,
  key: string,
  lengths: number[],
  optionsFor: (contentDisposition: string) => LinkOptions,
  clientIp?: string
): Promise<string[]> {
  const locations: string[] = []
  for (const length of lengths) {
    let link: string
    try {
      link = await disk.linkFor(key, optionsFor(`attachment; filename="${' '.repeat(length)}"`))
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'E_DJAMAZING_INVALID_ARGUMENT')
      continue
    }
    const response = await followAs(disk, link, 7, clientIp ? { clientIp } : {})
    assert.equal(response.status, 302, `${length} spaces`)
    assert.isBelow(response.headers.Location.length, 8192)
    locations.push(response.headers.Location)
  }
  return locations
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
    const made = await locationsOfLongest(
      assert,
      driver,
      `${'a '.repeat(490)}report.pdf`,
      [100, 400, 700, 990],
      (contentDisposition) => ({
        contentType: `text/plain; x="${' '.repeat(990)}"`,
        contentDisposition,
      })
    )
    assert.isAtLeast(made.length, 2)
    assert.isBelow(made.length, 4, 'the longest was refused')
  })

  test('an IP-bound link (custom policy: the URL again, base64, in Policy) is held to the same limit', async ({
    assert,
  }) => {
    const media = new DjamazingDriver(
      protectedDiskOptions({
        cdnUrl: 'https://d111111abcdef8.cloudfront.net',
        links: { secrets: [SECRET], currentUserId: () => 7 },
        redirects: { maxViewFor: '2h' },
      })
    )
    const made = await locationsOfLongest(
      assert,
      media,
      `${'a '.repeat(200)}talk.wav`,
      [50, 300, 600, 990],
      (contentDisposition) => ({ viewFor: '1h', bindIp: true, contentDisposition }),
      '203.0.113.7'
    )
    for (const location of made) assert.include(location, 'Policy=', 'bound to the address')
    assert.isAtLeast(made.length, 2)
    assert.isBelow(made.length, 4, 'the longest was refused')
  })
})

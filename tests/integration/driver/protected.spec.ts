import { generateKeyPairSync } from 'node:crypto'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { handleLinkRequest } from '../../../src/links/main.ts'

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F'
const CDN = 'https://d111111abcdef8.cloudfront.net'
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const verifier = new CloudFrontVerifier({ publicKeys: { [KEY_PAIR_ID]: publicKey } })

function protectedDisk(currentUserId: () => string | number | null = () => 7) {
  return new DjamazingDriver({
    disk: 'uploads',
    bucket: 'media',
    region: 'us-east-1',
    prefix: 'uploads/',
    mode: 'protected',
    cdnUrl: CDN,
    cloudfront: { keyPairId: KEY_PAIR_ID, privateKey },
    redirects: { expiresIn: '2s' },
    links: { secrets: ['hT4wQ9zL2xV7nB1mK8pR5cJ3yF6gD0sA'], currentUserId },
  })
}

test.group('DjamazingDriver | protected disks without AdonisJS', () => {
  test('getUrl is a link for the current user that the redirect core turns into a CloudFront URL', async ({
    assert,
  }) => {
    const driver = protectedDisk()
    const link = await driver.getUrl('reports/q1 2026.pdf')
    assert.match(link, /^\/djamazing\/uploads\/reports\/q1%202026\.pdf\?/)

    const [path, query] = link.split('?')
    const request = {
      method: 'GET',
      disk: 'uploads',
      rawKey: path.slice('/djamazing/uploads/'.length),
      query,
    }
    const lookup = (name: string) => (name === 'uploads' ? driver : undefined)
    const forOwner = await handleLinkRequest({ ...request, userId: 7 }, lookup)
    const forOther = await handleLinkRequest({ ...request, userId: 8 }, lookup)
    assert.equal(forOwner.status, 302)
    assert.equal(forOther.status, 403)

    const location = forOwner.headers.Location
    assert.isTrue(location.startsWith(`${CDN}/uploads/reports/q1%202026.pdf?`))
    const verified = verifier.verify({ url: location })
    assert.isTrue(verified.ok)
    if (verified.ok) assert.isAtMost(verified.expiresAt.getTime() - Date.now(), 3000)
  })

  test('getUrl for a guest is E_DJAMAZING_GUEST_LINK unless guest links are on', async ({
    assert,
  }) => {
    const error = await protectedDisk(() => null)
      .getUrl('a.txt')
      .then(
        () => null,
        (e) => e
      )
    assert.equal(error?.code, 'E_DJAMAZING_GUEST_LINK')
  })

  test('getSignedUrl is a CloudFront signed URL bound to nobody, overrides signed', async ({
    assert,
  }) => {
    const driver = protectedDisk()
    const before = Date.now()
    const url = await driver.getSignedUrl('reports/q1.pdf', {
      expiresIn: '10m',
      contentDisposition: `attachment; filename="q1 (final).pdf"`,
    })
    const parsed = new URL(url)
    assert.equal(parsed.origin + parsed.pathname, `${CDN}/uploads/reports/q1.pdf`)
    assert.equal(
      parsed.searchParams.get('response-content-disposition'),
      `attachment; filename="q1 (final).pdf"`
    )
    const verified = verifier.verify({ url })
    assert.isTrue(verified.ok)
    if (verified.ok) {
      // Ten minutes from the moment of signing, rounded up to a second.
      const expiresAt = verified.expiresAt.getTime()
      assert.isAtLeast(expiresAt, before + 600_000)
      assert.isAtMost(expiresAt, Math.ceil((Date.now() + 600_000) / 1000) * 1000)
    }
    // The override is inside the signature.
    const changed = url.replace('attachment', 'inline')
    assert.isFalse(verifier.verify({ url: changed }).ok)
  })
})

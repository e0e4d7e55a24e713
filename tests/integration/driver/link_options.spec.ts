import { generateKeyPairSync } from 'node:crypto'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { CloudFrontVerifier } from '../../../src/cloudfront/main.ts'
import { followAs } from '../../helpers/links.ts'

const KEY_PAIR_ID = 'K2JCJMDEHXQW5F'
const CDN = 'https://d111111abcdef8.cloudfront.net'
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const verifier = new CloudFrontVerifier({ publicKeys: { [KEY_PAIR_ID]: publicKey } })

function disk(mode: 'public' | 'protected') {
  return new DjamazingDriver({
    disk: 'uploads',
    bucket: 'media',
    region: 'us-east-1',
    prefix: 'uploads/',
    mode,
    cdnUrl: CDN,
    cloudfront: { keyPairId: KEY_PAIR_ID, privateKey },
    links: { secrets: ['hT4wQ9zL2xV7nB1mK8pR5cJ3yF6gD0sA'], currentUserId: () => 7 },
  })
}

// linkFor with a download name, as docs/adonisjs.md shows it.
test.group('DjamazingDriver | linkFor: protected links with options', () => {
  test('a download name is signed into the link, then into the CloudFront URL', async ({
    assert,
  }) => {
    const driver = disk('protected')
    const contentDisposition = `attachment; filename="Zo_'s (1).pdf"; filename*=UTF-8''Zo%C3%AB%27s%20%281%29.pdf`
    const link = await driver.linkFor('reports/q1.pdf', { contentDisposition })
    assert.match(link, /^\/djamazing\/uploads\/reports\/q1\.pdf\?e=\d+&cd=/)

    const response = await followAs(driver, link, 7)
    assert.equal(response.status, 302)
    const location = new URL(response.headers.Location)
    assert.equal(location.origin + location.pathname, `${CDN}/uploads/reports/q1.pdf`)
    assert.equal(location.searchParams.get('response-content-disposition'), contentDisposition)
    assert.isTrue(verifier.verify({ url: response.headers.Location }).ok)

    const forOther = await followAs(driver, link, 8)
    assert.equal(forOther.status, 403)
    const changed = await followAs(driver, link.replace('attachment', 'inline'), 7)
    assert.equal(changed.status, 403)
  })

  test('contentType and expiresIn', async ({ assert }) => {
    const driver = disk('protected')
    const before = Math.floor(Date.now() / 1000)
    const link = await driver.linkFor('a.bin', { contentType: 'text/plain', expiresIn: '10m' })
    const query = new URL(link, 'https://app.example.com').searchParams
    assert.equal(query.get('ct'), 'text/plain')
    assert.closeTo(Number(query.get('e')) - before, 600, 2)

    const response = await followAs(driver, link, 7)
    assert.equal(
      new URL(response.headers.Location).searchParams.get('response-content-type'),
      'text/plain'
    )
  })

  test('without options it is what getUrl returns', async ({ assert }) => {
    const driver = disk('protected')
    const link = await driver.linkFor('a.txt')
    const plain = await driver.getUrl('a.txt')
    assert.equal(new URL(link, CDN).pathname, new URL(plain, CDN).pathname)
    assert.notInclude(link, '&cd=')
    const response = await followAs(driver, link, 7)
    assert.equal(response.status, 302)
  })

  test('on a public disk it is E_DJAMAZING_NOT_PROTECTED', async ({ assert }) => {
    const error = await disk('public')
      .linkFor('a.txt', { contentDisposition: 'attachment' })
      .catch((caught) => caught)
    assert.equal(error?.code, 'E_DJAMAZING_NOT_PROTECTED')
  })

  test('an invalid key or override is a named error, not a link', async ({ assert }) => {
    const driver = disk('protected')
    const badKey = await driver.linkFor('../a.txt').catch((caught) => caught)
    assert.equal(badKey?.code, 'E_DJAMAZING_INVALID_KEY')
    const badOverride = await driver
      .linkFor('a.txt', { contentDisposition: 'attachment\r\nSet-Cookie: x=1' })
      .catch((caught) => caught)
    assert.equal(badOverride?.code, 'E_DJAMAZING_INVALID_LINK_OPTION')
  })
})

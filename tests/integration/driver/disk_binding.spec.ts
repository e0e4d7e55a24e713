import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../src/driver.ts'
import { startEdgeServer } from '../../../src/edge/main.ts'
import { createRedirectHandler, handleLinkRequest } from '../../../src/links/main.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { driverFixture, protectedDiskOptions } from '../../helpers/driver_factory.ts'
import { SECRET } from '../../helpers/links.ts'

const CDN = 'https://d111111abcdef8.cloudfront.net'

function protectedDriver(extra: Partial<DjamazingOptions>) {
  return new DjamazingDriver(
    protectedDiskOptions({
      disk: undefined,
      bucket: 'company',
      cdnUrl: CDN,
      links: { secrets: [SECRET], currentUserId: () => 7 },
      ...extra,
    })
  )
}

function errorOf(make: () => unknown) {
  try {
    make()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('no error was raised')
}

test.group('Protected drivers are bound to their disk name (attack)', () => {
  test('two unnamed protected drivers are refused at creation', ({ assert }) => {
    for (const prefix of ['reports/', 'hr-confidential/']) {
      const error = errorOf(() => protectedDriver({ prefix }))
      assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
      assert.match(error.message, /Invalid "disk"/)
    }
  })

  test('the node:http handler refuses a map naming a driver under another name', ({ assert }) => {
    const hr = protectedDriver({ disk: 'hr', prefix: 'hr-confidential/' })
    const reports = protectedDriver({ disk: 'reports', prefix: 'reports/' })
    const error = errorOf(() =>
      createRedirectHandler({ disks: { reports: hr, hr: reports }, currentUser: () => 7 })
    )
    assert.equal(error.code, 'E_DJAMAZING_INVALID_CONFIG')
    assert.include(error.message, 'disks.reports')
    assert.doesNotThrow(() =>
      createRedirectHandler({ disks: { reports, hr }, currentUser: () => 7 })
    )
  })

  test("a lookup that answers with another disk's driver gets 404, never that disk's file", async ({
    assert,
  }) => {
    const hr = protectedDriver({ disk: 'hr', prefix: 'hr-confidential/' })
    const reports = protectedDriver({ disk: 'reports', prefix: 'reports/' })
    const link = new URL(await reports.linkFor('q1.pdf'), 'https://app.example.com')
    const open = (lookup: (name: string) => DjamazingDriver) =>
      handleLinkRequest(
        {
          method: 'GET',
          disk: 'reports',
          rawKey: 'q1.pdf',
          query: link.search.slice(1),
          userId: 7,
        },
        lookup
      )
    const throughOther = await open(() => hr)
    assert.equal(throughOther.status, 404)
    const throughOwn = await open(() => reports)
    assert.equal(throughOwn.status, 302)
  })
})

test.group('DjamazingDriver | bucket(): URLs of the right object or a named error', (group) => {
  let fixture: Awaited<ReturnType<typeof driverFixture>>
  group.setup(async () => {
    fixture = await driverFixture(['main-bucket', 'archive-bucket'])
    return () => fixture.stop()
  })

  test('a public disk: no cdnUrl, a named error; its own cdnUrl, the archive object', async ({
    assert,
    cleanup,
  }) => {
    const main = fixture.driver({ bucket: 'main-bucket', prefix: 'site' })
    await main.put('a.txt', 'main copy')
    const archive = main.bucket('archive-bucket')
    await archive.put('a.txt', 'archive copy')

    const refused = await archive.getUrl('a.txt').catch((error) => error)
    assert.equal(refused.code, 'E_DJAMAZING_BUCKET_URL_UNAVAILABLE')
    assert.include(refused.message, 'archive-bucket')

    const edge = await startEdgeServer({
      client: fixture.client,
      bucket: 'archive-bucket',
      defaultBehavior: { signed: false },
      basePath: '/archive',
    })
    cleanup(() => edge.close())
    const own = main.bucket('archive-bucket', { cdnUrl: edge.url })
    const url = await own.getUrl('a.txt')
    assert.isTrue(url.startsWith(edge.url), url)
    const response = await fetch(url)
    assert.equal(await response.text(), 'archive copy')
  })

  test('a protected disk: no links for another bucket; signed URLs on its own CDN', async ({
    assert,
    cleanup,
  }) => {
    const main = fixture.driver({
      bucket: 'main-bucket',
      mode: 'protected',
      disk: 'uploads',
      cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
      links: { secrets: [SECRET], currentUserId: () => 7 },
    })
    await main.put('b.txt', 'main copy')
    const archive = main.bucket('archive-bucket')
    await archive.put('b.txt', 'archive copy')
    for (const make of [
      () => archive.getUrl('b.txt'),
      () => archive.linkFor('b.txt'),
      () => archive.getSignedUrl('b.txt'),
    ]) {
      const error = await make().catch((failure) => failure)
      assert.equal(error.code, 'E_DJAMAZING_BUCKET_URL_UNAVAILABLE')
    }

    const edge = await startEdgeServer({
      client: fixture.client,
      bucket: 'archive-bucket',
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      basePath: '/archive',
    })
    cleanup(() => edge.close())
    const own = main.bucket('archive-bucket', { cdnUrl: edge.url })
    const noLink = await own.getUrl('b.txt').catch((error) => error)
    assert.equal(noLink.code, 'E_DJAMAZING_BUCKET_URL_UNAVAILABLE')
    const signed = await own.getSignedUrl('b.txt', { expiresIn: 60 })
    const response = await fetch(signed)
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'archive copy')
  })

  test('bucket() reuses the parsed CloudFront key: the key file is not read again', async ({
    assert,
    cleanup,
  }) => {
    const folder = await mkdtemp(join(tmpdir(), 'djamazing-key-'))
    cleanup(() => rm(folder, { recursive: true, force: true }))
    const keyFile = join(folder, 'private.pem')
    await writeFile(keyFile, RSA_KEY.pem)
    const main = fixture.driver({
      bucket: 'main-bucket',
      cloudfront: { keyPairId: RSA_KEY.id, privateKeyFile: keyFile },
    })
    await rm(keyFile)
    const archive = main.bucket('archive-bucket', { cdnUrl: CDN })
    const signed = new URL(await archive.getSignedUrl('c.txt', { expiresIn: 60 }))
    assert.equal(signed.origin, CDN)
    assert.equal(signed.searchParams.get('Key-Pair-Id'), RSA_KEY.id)
  })
})

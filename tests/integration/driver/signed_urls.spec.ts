import { test } from '@japa/runner'
import { Disk } from 'flydrive'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'
import { expectedSignature } from '../../helpers/sigv4.ts'

test.group('DjamazingDriver | S3 presigned URLs', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  test(
    'getSignedUrl without CloudFront is an S3 presigned GET, valid 30 minutes by default ({$self})'
  )
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      const driver = fixture.driver({ prefix: 'signed' })
      const target = surface === 'Disk' ? new Disk(driver) : driver
      await target.put('report 1.pdf', 'pdf bytes')
      const url = new URL(await target.getSignedUrl('report 1.pdf'))
      assert.equal(url.origin, fixture.s3.endpoint)
      assert.equal(url.pathname, `/${fixture.s3.bucket}/signed/report%201.pdf`)
      assert.equal(url.searchParams.get('X-Amz-Expires'), '1800')
      const response = await fetch(url)
      assert.equal(response.status, 200)
      assert.equal(await response.text(), 'pdf bytes')
    })

  test('expiresIn takes what flydrive takes; milliseconds and unitless strings are refused', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    for (const [expiresIn, seconds] of [
      [90, '90'],
      ['30mins', '1800'],
      ['1 hour', '3600'],
      ['10m', '600'],
      ['2h', '7200'],
      ['1 week', '604800'],
    ] as const) {
      for (const sign of [driver.getSignedUrl, driver.getSignedUploadUrl]) {
        const url = new URL(await sign.call(driver, 'a.txt', { expiresIn }))
        assert.equal(url.searchParams.get('X-Amz-Expires'), seconds, String(expiresIn))
      }
    }
    for (const expiresIn of [3_600_000, '90', 'soon', -5]) {
      const error = await driver.getSignedUrl('a.txt', { expiresIn }).then(
        () => null,
        (e) => e
      )
      assert.equal(error?.code, 'E_DJAMAZING_INVALID_ARGUMENT', String(expiresIn))
    }
  })

  test('contentType and contentDisposition become signed response overrides', async ({
    assert,
  }) => {
    const driver = fixture.driver()
    await driver.put('data.bin', 'name,value')
    const url = await driver.getSignedUrl('data.bin', {
      contentType: 'text/csv',
      contentDisposition: 'attachment; filename="data é.csv"',
    })
    const params = new URL(url).searchParams
    assert.equal(params.get('response-content-type'), 'text/csv')
    assert.equal(params.get('response-content-disposition'), 'attachment; filename="data é.csv"')
    const response = await fetch(url)
    assert.equal(response.headers.get('content-type'), 'text/csv')
    assert.equal(await response.text(), 'name,value')
  })

  test('getSignedUploadUrl signs content-type and content-length: another type or size breaks the signature', async ({
    assert,
  }) => {
    const driver = fixture.driver({ prefix: 'incoming' })
    const body = 'an avatar of 31 bytes, exactly!'
    const url = await driver.getSignedUploadUrl('avatars/42.png', {
      contentType: 'image/png',
      contentSize: body.length,
      expiresIn: '5m',
    })
    const params = new URL(url).searchParams
    assert.equal(params.get('X-Amz-SignedHeaders'), 'content-length;content-type;host')
    assert.equal(params.get('X-Amz-Expires'), '300')
    assert.notInclude(url, 'x-amz-acl')

    const credentials = fixture.s3.clientConfig.credentials
    const given = params.get('X-Amz-Signature')
    const right = { 'content-type': 'image/png', 'content-length': String(body.length) }
    // The recomputation reproduces the URL's signature for the headers it was made for...
    assert.equal(await expectedSignature(url, right, credentials), given)
    // ...and any other type or length needs another signature, which S3 would refuse.
    for (const wrong of [
      { ...right, 'content-type': 'text/html' },
      { ...right, 'content-length': String(body.length + 1) },
      { ...right, 'content-length': String(5 * 1024 ** 3) },
      { 'content-type': 'image/png' },
    ]) {
      assert.notEqual(await expectedSignature(url, wrong, credentials), given)
    }

    const response = await fetch(url, { method: 'PUT', headers: right, body })
    assert.equal(response.status, 200)
    assert.equal(await driver.get('avatars/42.png'), body)
    const meta = await driver.getMetaData('avatars/42.png')
    assert.equal(meta.contentType, 'image/png')
    assert.equal(meta.contentLength, body.length)
  })

  test('getSignedUploadUrl without a size or type binds what it is given', async ({ assert }) => {
    const driver = fixture.driver()
    const typeOnly = new URL(
      await driver.getSignedUploadUrl('a.txt', { contentType: 'text/plain' })
    )
    assert.equal(typeOnly.searchParams.get('X-Amz-SignedHeaders'), 'content-type;host')
    const bare = new URL(await driver.getSignedUploadUrl('a.txt'))
    assert.equal(bare.searchParams.get('X-Amz-SignedHeaders'), 'host')
    assert.equal(bare.searchParams.get('X-Amz-Expires'), '1800')
    const error = await driver.getSignedUploadUrl('a.txt', { contentSize: -1 }).then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_INVALID_ARGUMENT')
  })
})

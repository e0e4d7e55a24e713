import { Readable } from 'node:stream'
import { test } from '@japa/runner'
import { Disk } from 'flydrive'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'

const MiB = 1024 * 1024

test.group('DjamazingDriver | visibility and ACLs', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture()
    return () => fixture.stop()
  })

  const aclHeaders = (from: number) =>
    fixture.requests
      .slice(from)
      .filter((request) => 'x-amz-acl' in request.headers || 'acl' in request.query)

  test('without supportsACL no write sends an ACL: put, putStream (plain and multipart), copy, move', async ({
    assert,
  }) => {
    const driver = fixture.driver({ mode: 'public' })
    const from = fixture.requests.length
    await driver.put('acl/a.txt', 'a', { visibility: 'public' })
    await driver.putStream('acl/b.txt', Readable.from(['b']), { visibility: 'private' })
    await driver.putStream('acl/c.bin', Readable.from([Buffer.alloc(8 * MiB), Buffer.alloc(MiB)]))
    await driver.copy('acl/a.txt', 'acl/d.txt', { visibility: 'public' })
    await driver.move('acl/d.txt', 'acl/e.txt')
    assert.isAbove(fixture.requests.length - from, 6)
    assert.lengthOf(aclHeaders(from), 0)
  })

  test(
    'visibility is the disk mode, with no request: public -> public, protected -> private ({$self})'
  )
    .with(['driver', 'Disk'] as const)
    .run(async ({ assert }, surface) => {
      for (const [mode, visibility] of [
        ['public', 'public'],
        ['protected', 'private'],
      ] as const) {
        const driver = fixture.driver({ mode })
        const target = surface === 'Disk' ? new Disk(driver) : driver
        const from = fixture.requests.length
        assert.equal(await target.getVisibility('anything.txt'), visibility)
        // Asking for the disk's own visibility is fine and sends nothing.
        await target.setVisibility('anything.txt', visibility)
        assert.equal(fixture.requests.length, from)
      }
    })

  test('setVisibility against the disk mode is refused: a file meant to be hidden must not stay public', async ({
    assert,
  }) => {
    const driver = fixture.driver({ mode: 'public', disk: 'static' })
    const error = await driver.setVisibility('a.txt', 'private').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_VISIBILITY_FIXED')
    assert.include(error.message, 'static')
    const wrapped = await new Disk(fixture.driver({ mode: 'protected' }))
      .setVisibility('a.txt', 'public')
      .then(
        () => null,
        (e) => e
      )
    assert.equal(wrapped?.code, 'E_CANNOT_SET_VISIBILITY')
    assert.equal(wrapped.cause?.code, 'E_DJAMAZING_VISIBILITY_FIXED')
  })

  test('with supportsACL every write sends the ACL of its visibility, the disk mode by default', async ({
    assert,
  }) => {
    const driver = fixture.driver({ mode: 'public', supportsACL: true })
    const from = fixture.requests.length
    await driver.put('acl-on/a.txt', 'a')
    await driver.put('acl-on/b.txt', 'b', { visibility: 'private' })
    await driver.putStream('acl-on/c.txt', Readable.from(['c']))
    const sent = aclHeaders(from).map((request) => [request.path, request.headers['x-amz-acl']])
    assert.deepEqual(sent, [
      [`/${fixture.s3.bucket}/acl-on/a.txt`, 'public-read'],
      [`/${fixture.s3.bucket}/acl-on/b.txt`, 'private'],
      [`/${fixture.s3.bucket}/acl-on/c.txt`, 'public-read'],
    ])
  })

  test('with supportsACL visibility is read from the object ACL (s3rver grants only its owner)', async ({
    assert,
  }) => {
    const driver = fixture.driver({ mode: 'public', supportsACL: true })
    await driver.put('acl-on/read.txt', 'x')
    const from = fixture.requests.length
    assert.equal(await driver.getVisibility('acl-on/read.txt'), 'private')
    assert.isTrue(fixture.requests.slice(from).some((request) => 'acl' in request.query))
    // s3rver has no PutObjectAcl: the S3 error comes through, named, with its cause.
    const error = await driver.setVisibility('acl-on/read.txt', 'public').then(
      () => null,
      (e) => e
    )
    assert.equal(error?.code, 'E_DJAMAZING_S3_REQUEST_FAILED')
    assert.equal(error.cause?.name, 'NotImplemented')
  })
})

import { test } from '@japa/runner'
import { Disk } from 'flydrive'
import { DjamazingDriver } from '../../../src/driver.ts'
import { driverFixture, type DriverFixture } from '../../helpers/driver_factory.ts'

test.group('DjamazingDriver | bucket()', (group) => {
  let fixture: DriverFixture
  group.setup(async () => {
    fixture = await driverFixture(['main-bucket', 'archive-bucket'])
    return () => fixture.stop()
  })

  test('returns a DjamazingDriver on the other bucket, with the same client, prefix and mode', async ({
    assert,
  }) => {
    const driver = fixture.driver({ prefix: 'site', mode: 'protected' })
    const archive = driver.bucket('archive-bucket')
    assert.instanceOf(archive, DjamazingDriver)
    // Without ACLs the visibility is the mode's: private on a protected disk.
    assert.equal(await archive.getVisibility('a.txt'), 'private')

    await driver.put('a.txt', 'main')
    await archive.put('a.txt', 'archive')
    assert.equal(await driver.get('a.txt'), 'main')
    assert.equal(await archive.get('a.txt'), 'archive')
    assert.equal(await new Disk(archive).get('a.txt'), 'archive')

    const sent = fixture.requests.slice(-4).map((request) => request.path)
    assert.includeMembers(sent, ['/main-bucket/site/a.txt', '/archive-bucket/site/a.txt'])
    assert.equal(await archive.getVisibility('a.txt'), 'private')
  })

  test('a bucket() with an empty name fails with E_DJAMAZING_MISSING_BUCKET', ({ assert }) => {
    let code: string | undefined
    try {
      fixture.driver().bucket('')
    } catch (error) {
      code = (error as { code?: string }).code
    }
    assert.equal(code, 'E_DJAMAZING_MISSING_BUCKET')
  })
})

import { test } from '@japa/runner'
import { runDoctor } from '../../../src/doctor/run.ts'
import { bucketCheck } from '../../../src/doctor/s3_checks.ts'
import type { DoctorDisk } from '../../../src/doctor/types.ts'
import { uploadCorsCheck } from '../../../src/doctor/upload_checks.ts'
import { startS3Server } from '../../helpers/s3_server.ts'

/*
 * The doctor's CORS check for direct uploads (docs/uploads.md): a real
 * preflight to s3rver, whose bucket carries the rule of the docs for the
 * origins given, or no rule at all.
 */

const APP = 'http://app.example.test:3333'

async function corsCheck(corsOrigins: string[] | undefined, disk: Partial<DoctorDisk> = {}) {
  const s3 = await startS3Server({ corsOrigins })
  try {
    const report = await runDoctor(
      [
        {
          name: 'uploads',
          options: {
            ...s3.clientConfig,
            bucket: s3.bucket,
            mode: 'protected',
            prefix: 'uploads/',
            cdnUrl: 'https://d111111abcdef8.cloudfront.net',
            uploads: {},
          },
          appOrigin: APP,
          ...disk,
        } as DoctorDisk,
      ],
      { checks: [bucketCheck, uploadCorsCheck] }
    )
    return report.disks[0].checks.find((check) => check.id === 'uploads.cors')
  } finally {
    await s3.stop()
  }
}

test.group('Doctor | CORS for direct uploads', () => {
  test("the documented rule for the app's origin passes", async ({ assert }) => {
    const check = await corsCheck([APP])
    assert.equal(check?.status, 'ok', check?.message)
  })

  test('no rule, or a rule for another origin, is an error that gives the rule', async ({
    assert,
  }) => {
    for (const origins of [undefined, ['https://other.example']]) {
      const check = await corsCheck(origins)
      assert.equal(check?.status, 'error', JSON.stringify(origins))
      assert.equal(check?.diagnosis, 'upload-cors-missing')
      assert.include(check?.fix, 'x-amz-checksum-sha256')
    }
  })

  test('a rule for any origin is a warning', async ({ assert }) => {
    const check = await corsCheck(['*'])
    assert.equal(check?.status, 'warn')
    assert.equal(check?.diagnosis, 'upload-cors-any-origin')
  })

  test('without an app origin the check is skipped; disks without direct uploads skip it', async ({
    assert,
  }) => {
    const unknown = await corsCheck([APP], { appOrigin: undefined })
    assert.equal(unknown?.status, 'skipped')
    const s3 = await startS3Server()
    try {
      const report = await runDoctor(
        [
          {
            name: 'static',
            options: {
              ...s3.clientConfig,
              bucket: s3.bucket,
              mode: 'public',
              cdnUrl: 'https://d111111abcdef8.cloudfront.net',
            },
            appOrigin: APP,
          },
        ],
        { checks: [bucketCheck, uploadCorsCheck] }
      )
      assert.deepEqual(
        report.disks[0].checks.map((check) => check.id),
        ['s3.bucket']
      )
    } finally {
      await s3.stop()
    }
  })
})

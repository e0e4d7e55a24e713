import { test } from '@japa/runner'
import { createS3Client } from '../../../src/store/s3_client.ts'

/*
 * One setting switches a disk from AWS to an S3-compatible server
 * (docs/settings.md, S3-compatible stores): `endpoint` brings path-style
 * URLs, checksums only where required and a region.
 */
test.group('S3 client | an endpoint means an S3-compatible server', () => {
  test('with an endpoint: path style, WHEN_REQUIRED checksums, us-east-1', async ({ assert }) => {
    const client = createS3Client({ endpoint: 'http://127.0.0.1:9000' })
    assert.isTrue(client.config.forcePathStyle)
    assert.equal(await client.config.region(), 'us-east-1')
    assert.equal(await client.config.requestChecksumCalculation(), 'WHEN_REQUIRED')
    assert.equal(await client.config.responseChecksumValidation(), 'WHEN_REQUIRED')
    client.destroy()
  })

  test('settings given explicitly win; an empty endpoint is AWS', async ({ assert }) => {
    const explicit = createS3Client({
      endpoint: 'https://account.r2.cloudflarestorage.com',
      region: 'auto',
      forcePathStyle: false,
    })
    assert.isFalse(explicit.config.forcePathStyle)
    assert.equal(await explicit.config.region(), 'auto')
    explicit.destroy()

    const aws = createS3Client({ endpoint: '', region: 'eu-west-1' })
    assert.isFalse(aws.config.forcePathStyle ?? false)
    assert.equal(await aws.config.requestChecksumCalculation(), 'WHEN_SUPPORTED')
    assert.isFalse(aws.config.isCustomEndpoint)
    aws.destroy()
  })
})

import { test } from '@japa/runner'
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront'
import { recordingCloudFrontClient } from '../../helpers/cloudfront_api.ts'
import { startEdgeFixture } from '../../helpers/edge.ts'

/*
 * startEdgeServer with distributionIds (docs/local-edge.md, "The
 * CloudFront invalidation API"): a CloudFrontClient pointed at the edge's
 * URL invalidates its cache, over an S3 origin (s3rver).
 */

test.group('Invalidation | startEdgeServer answers the CloudFront API', () => {
  test('row 42: a CreateInvalidation sent by the SDK to the edge drops the cached copy', async ({
    assert,
    cleanup,
  }) => {
    const fixture = await startEdgeFixture({
      behaviors: [{ pathPattern: 'site/*', signed: false }],
      defaultBehavior: { signed: false },
      distributionIds: ['EDFDVBD6EXAMPLE'],
    })
    const { client, requests } = recordingCloudFrontClient(fixture.edge.url)
    cleanup(async () => {
      client.destroy()
      await fixture.stop()
    })
    const url = `${fixture.edge.url.replace(/\/$/, '')}/site/logo.svg`
    const view = async () => {
      const response = await fetch(url)
      return `${await response.text()} (${response.headers.get('x-cache')})`
    }
    await fixture.put('site/logo.svg', 'old', { CacheControl: 'public, max-age=300' })
    assert.equal(await view(), 'old (Miss from cloudfront)')
    await fixture.put('site/logo.svg', 'new', { CacheControl: 'public, max-age=300' })
    assert.equal(await view(), 'old (Hit from cloudfront)')

    const created = await client.send(
      new CreateInvalidationCommand({
        DistributionId: 'EDFDVBD6EXAMPLE',
        InvalidationBatch: {
          CallerReference: 'deploy-42',
          Paths: { Quantity: 1, Items: ['/cdn/site/logo.svg'] },
        },
      })
    )
    assert.equal(created.Invalidation?.Status, 'InProgress')
    assert.equal(requests[0].path, '/cdn/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation')
    assert.equal(await view(), 'new (Miss from cloudfront)')
  })
})

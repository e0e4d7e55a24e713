/*
 * One app instance, in a process of its own: builds a protected disk from
 * the JSON configuration in argv[2], follows the link in argv[3] for the
 * user in argv[4] through the redirect core at the time argv[5] (ms since
 * the epoch: the test's clock, given as the request's time), and prints
 * the Location. Run twice with the same configuration, it stands for two
 * instances behind a load balancer.
 */
import { S3Client } from '@aws-sdk/client-s3'
import { DjamazingDriver } from '../../src/driver.ts'
import { handleLinkRequest, splitLinkPath } from '../../src/links/redirect.ts'

const [config, link, userId, at] = process.argv.slice(2)
const { cloudfront, signatureWindow, secret } = JSON.parse(config)
const driver = new DjamazingDriver({
  disk: 'uploads',
  // Never contacted: signing needs no request to S3.
  client: new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
  bucket: 'media',
  mode: 'protected',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net/media',
  cloudfront,
  redirects: { window: signatureWindow },
  links: { secrets: [secret], currentUserId: () => userId },
})
const parts = splitLinkPath('/djamazing', link)!
const now = new Date(Number(at))
const response = await handleLinkRequest({ method: 'GET', ...parts, userId, now }, () => driver)
process.stdout.write(`${response.status} ${response.headers.Location}\n`)

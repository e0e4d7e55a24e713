import { test } from '@japa/runner'
import { debugLogOf } from '../../helpers/debug_log.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

/**
 * Runs a driver in a child process with NODE_DEBUG=djamazing and returns
 * what it printed on stderr.
 */
async function debugOutput(s3: S3Server): Promise<string> {
  const script = `
    import { Readable } from 'node:stream'
    import { DjamazingDriver } from ${JSON.stringify(new URL('../../../src/driver.ts', import.meta.url).href)}
    const driver = new DjamazingDriver({
      ...JSON.parse(process.env.S3_CONFIG),
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      bucket: process.env.S3_BUCKET,
      disk: 'static',
      prefix: 'site',
      mode: 'public',
      cdnUrl: 'https://d111111abcdef8.cloudfront.net',
    })
    await driver.put('a b.txt', 'x')
    await driver.get('a b.txt')
    await driver.putStream('s.txt', Readable.from(['y']))
    await driver.getSignedUrl('a b.txt')
    await driver.getSignedUploadUrl('u.txt', { contentType: 'text/plain', contentSize: 1 })
    await driver.listAll('')
    await driver.delete('a b.txt')
  `
  const config = { ...s3.clientConfig, credentials: undefined }
  return debugLogOf(script, { S3_CONFIG: JSON.stringify(config), S3_BUCKET: s3.bucket })
}

test.group('DjamazingDriver | debug log', (group) => {
  let s3: S3Server
  group.setup(async () => {
    s3 = await startS3Server()
    return () => s3.stop()
  })

  test('one line per operation with disk, bucket and key; never credentials or signed URLs', async ({
    assert,
  }) => {
    const output = await debugOutput(s3)
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('DJAMAZING'))
      .map((line) => line.replace(/^DJAMAZING \d+: /, ''))
    assert.deepEqual(lines.slice(1), [
      `put static ${s3.bucket}:site/a b.txt`,
      `get static ${s3.bucket}:site/a b.txt`,
      `putStream static ${s3.bucket}:site/s.txt`,
      `getSignedUrl static ${s3.bucket}:site/a b.txt`,
      `getSignedUploadUrl static ${s3.bucket}:site/u.txt`,
      `listAll static ${s3.bucket}:site/`,
      `delete static ${s3.bucket}:site/a b.txt`,
    ])
    assert.match(lines[0], /^disk static: bucket \S+, prefix "site\/", mode public/)
    assert.notInclude(output, 'S3RVER')
    assert.notInclude(output, 'X-Amz-Signature')
    assert.notInclude(output, 'http://127.0.0.1')
  })
})

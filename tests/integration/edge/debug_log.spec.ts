import { test } from '@japa/runner'
import { debugLogOf } from '../../helpers/debug_log.ts'
import { startS3Server, type S3Server } from '../../helpers/s3_server.ts'

/**
 * Runs an edge in a child process with NODE_DEBUG=djamazing, sends it
 * requests carrying secrets in the query and the cookies, and returns what
 * it printed on stderr.
 */
async function debugOutput(s3: S3Server): Promise<string> {
  const script = `
    import { generateKeyPairSync } from 'node:crypto'
    import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3'
    import { startEdgeServer } from ${JSON.stringify(new URL('../../../src/edge/main.ts', import.meta.url).href)}
    const client = new S3Client(JSON.parse(process.env.S3_CONFIG))
    await client.send(new PutObjectCommand({ Bucket: process.env.S3_BUCKET, Key: 'public/a b.txt', Body: 'x' }))
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    const edge = await startEdgeServer({
      client,
      bucket: process.env.S3_BUCKET,
      basePath: '/cdn',
      publicKeys: { KDEBUGTESTKEY: publicKey },
      behaviors: [{ pathPattern: 'private/*', signed: true }],
      defaultBehavior: { signed: false },
    })
    const query = '?Expires=2000000000&Signature=SECRET-SIGNATURE&Key-Pair-Id=KSECRETKEYID'
    const headers = { cookie: 'CloudFront-Signature=SECRET-COOKIE' }
    for (const path of ['/cdn/public/a%20b.txt', '/cdn/missing.txt', '/cdn/..%2Fx', '/cdn/private/x']) {
      await (await fetch(edge.url.replace(/\\/cdn$/, '') + path + query, { headers })).arrayBuffer()
    }
    await edge.close()
    client.destroy()
  `
  return debugLogOf(script, { S3_CONFIG: JSON.stringify(s3.clientConfig), S3_BUCKET: s3.bucket })
}

test.group('Edge | debug log', (group) => {
  let s3: S3Server
  group.setup(async () => {
    s3 = await startS3Server()
    return () => s3.stop()
  })

  test('one line per request with method, key, status and refusal reason, never the query or cookies', async ({
    assert,
  }) => {
    const output = await debugOutput(s3)
    const lines = output.split('\n').filter((line) => line.includes(' edge '))
    assert.lengthOf(lines, 4, output)
    assert.match(lines[0], /edge GET public\/a b\.txt 200$/)
    assert.match(lines[1], /edge GET missing\.txt 404 not-found$/)
    assert.match(lines[2], /edge GET \(no key\) 400 bad-request$/)
    assert.match(lines[3], /edge GET private\/x 403 unknown-key$/)
    for (const secret of ['SECRET-SIGNATURE', 'KSECRETKEYID', 'SECRET-COOKIE', 'Expires=']) {
      assert.notInclude(output, secret)
    }
  })
})

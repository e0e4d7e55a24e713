import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { test } from '@japa/runner'

const run = promisify(execFile)

/**
 * Signs URLs and cookies in a child process with NODE_DEBUG=djamazing
 * (debuglog reads it once, at startup). The child prints what must stay
 * secret on stdout; the test checks none of it reached the debug log.
 */
async function signWithDebug(): Promise<{ stdout: string; stderr: string }> {
  const script = `
    import { generateKeyPairSync } from 'node:crypto'
    import { CloudFrontSigner } from ${JSON.stringify(new URL('../../../src/cloudfront/main.ts', import.meta.url).href)}
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' })
    const signer = new CloudFrontSigner({ keyPairId: 'KDEBUGLOGTEST', privateKey: pem })
    const url = 'https://d111111abcdef8.cloudfront.net/secret-folder/secret-file.pdf'
    const canned = signer.signUrl(url, { expiresIn: 60 })
    const custom = await signer.signUrlAsync(url, { expiresIn: 60, ipAddress: '192.0.2.1' })
    const cookies = signer.signCookies({ resource: 'https://d111111abcdef8.cloudfront.net/secret-folder/*', expiresIn: 60 })
    console.log(JSON.stringify({ pem, canned, custom, cookies }))
  `
  return run(
    process.execPath,
    ['--import=@poppinss/ts-exec', '--input-type=module', '--eval', script],
    { env: { ...process.env, NODE_DEBUG: 'djamazing' } }
  )
}

test.group('CloudFront | debug log', () => {
  test('one line per operation, never the key, the URL or a signature', async ({ assert }) => {
    const { stdout, stderr } = await signWithDebug()
    const { pem, canned, custom, cookies } = JSON.parse(stdout)
    const lines = stderr.split('\n').filter((line) => line.includes('cloudfront'))
    assert.lengthOf(lines, 4, stderr)
    assert.match(lines[0], /cloudfront signer ready: key KDEBUGLOGTEST, RSA-SHA1$/)
    assert.match(lines[1], /cloudfront: signed canned url, key KDEBUGLOGTEST, expires \d+$/)
    assert.match(lines[2], /cloudfront: signed custom url, key KDEBUGLOGTEST, expires \d+$/)
    assert.match(lines[3], /cloudfront: signed custom cookies, key KDEBUGLOGTEST, expires \d+$/)
    const secrets = [
      ...pem.split('\n').slice(1, -2),
      new URL(canned).searchParams.get('Signature'),
      new URL(custom).searchParams.get('Signature'),
      new URL(custom).searchParams.get('Policy'),
      cookies['CloudFront-Signature'],
      cookies['CloudFront-Policy'],
      'secret-folder',
      'secret-file',
    ]
    for (const secret of secrets) assert.notInclude(stderr, secret)
  })
})

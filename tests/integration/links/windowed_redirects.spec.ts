import { execFile } from 'node:child_process'
import { createVerify } from 'node:crypto'
import { request } from 'node:http'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import { CloudFrontVerifier } from '../../../src/cloudfront/verifier.ts'
import { DjamazingDriver } from '../../../src/driver.ts'
import { startAdonisApp } from '../../helpers/adonis_app.ts'
import { protectedDiskOptions } from '../../helpers/driver_factory.ts'
import { EC_KEY, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { SECRET } from '../../helpers/links.ts'

const run = promisify(execFile)

/**
 * Follows `link` in two separate processes at the same moment `at` (the
 * clock both are given) and returns both answers.
 */
async function twoInstances(key: typeof RSA_KEY, link: string, at: number) {
  const config = JSON.stringify({
    cloudfront: { keyPairId: key.id, privateKey: key.pem },
    signatureWindow: 60,
    secret: SECRET,
  })
  const args = [
    '--import=@poppinss/ts-exec',
    'tests/helpers/redirect_process.ts',
    config,
    link,
    '1',
    String(at),
  ]
  const answers = await Promise.all([
    run(process.execPath, args, { cwd: new URL('../../../', import.meta.url) }),
    run(process.execPath, args, { cwd: new URL('../../../', import.meta.url) }),
  ])
  return answers.map(({ stdout }) => stdout.trim())
}

/**
 * A link to `key` for user 1 on the disk the child processes build.
 */
function linkFor(key: string) {
  return new DjamazingDriver(protectedDiskOptions()).linkFor(key)
}

/**
 * A moment in the middle of a 60 s window, at most 90 s from now: the
 * clock given to both processes, so neither waits for a window to start.
 */
function midWindow(): number {
  const middle = Math.floor(Date.now() / 60_000) * 60_000 + 30_000
  return middle < Date.now() ? middle + 60_000 : middle
}

/**
 * GET `url` from a chosen local address (the loopback network is 127/8).
 */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { localAddress }, (response) => {
      response.resume()
      resolve(response.statusCode!)
    })
      .on('error', reject)
      .end()
  })
}

function fromAws(value: string): Buffer {
  return Buffer.from(value.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'), 'base64')
}

test.group('Windowed redirects across app instances', () => {
  test('two processes give the same Location within a window with an RSA key', async ({
    assert,
  }) => {
    const at = midWindow()
    const [first, second] = await twoInstances(RSA_KEY, await linkFor('photo.jpg'), at)
    assert.match(
      first,
      /^302 https:\/\/d111111abcdef8\.cloudfront\.net\/media\/photo\.jpg\?Expires=/
    )
    assert.equal(first, second)
    const expires = Number(new URL(first.slice(4)).searchParams.get('Expires'))
    assert.equal(expires % 60, 0, 'on a window boundary')
    assert.isAbove(expires, at / 1000, 'after the moment given')
  })

  test('with an ECDSA key (randomised signatures) two processes differ (one app agrees through its cache)', async ({
    assert,
  }) => {
    const [first, second] = await twoInstances(EC_KEY, await linkFor('photo.jpg'), midWindow())
    assert.equal(first.slice(0, 4), '302 ')
    const [a, b] = [first, second].map((answer) => new URL(answer.slice(4)))
    assert.equal(a.searchParams.get('Expires'), b.searchParams.get('Expires'))
    assert.notEqual(a.searchParams.get('Signature'), b.searchParams.get('Signature'))
  })
})

test.group(
  'Windowed redirects and IP-bound media through an AdonisJS app and its edge',
  (group) => {
    let app: Awaited<ReturnType<typeof startAdonisApp>> | undefined
    group.each.teardown(async () => {
      await app?.stop()
      app = undefined
    })

    const follow = async (link: string, cookie: string) => {
      const response = await fetch(new URL(link, app!.baseUrl), {
        headers: { cookie },
        redirect: 'manual',
      })
      return { status: response.status, location: response.headers.get('location')! }
    }

    test('ECDSA within one app: the cache gives every redirect of the window the same URL', async ({
      assert,
    }) => {
      app = await startAdonisApp({ keyType: 'ec', uploads: { redirects: { window: 60 } } })
      const alice = await app.login('alice')
      // Redirects of one window share its Expires. Five in a row span at
      // most one window boundary, so one window holds at least three of
      // them, without waiting for a window to start.
      const byWindow = new Map<string, Set<string>>()
      for (let i = 0; i < 5; i++) {
        const { status, location } = await follow(await app.urlFor(alice, 'a.png'), alice)
        assert.equal(status, 302)
        const expires = new URL(location).searchParams.get('Expires')!
        byWindow.set(expires, (byWindow.get(expires) ?? new Set()).add(location))
      }
      assert.isAtMost(byWindow.size, 2)
      for (const locations of byWindow.values()) assert.equal(locations.size, 1)
    })

    test('objects written through a disk get its default Cache-Control; a write may give its own', async ({
      assert,
    }) => {
      app = await startAdonisApp({ uploads: { cacheControl: 'private, max-age=86400' } })
      const disk = app.drive.use('uploads')
      await disk.put('a.txt', 'a')
      await disk.put('b.txt', 'b', { cacheControl: 'no-cache' })
      const alice = await app.login('alice')
      for (const [key, expected] of [
        ['a.txt', 'private, max-age=86400'],
        ['b.txt', 'no-cache'],
      ]) {
        const { status, location } = await follow(await app.urlFor(alice, key), alice)
        assert.equal(status, 302)
        const response = await fetch(location)
        assert.equal(response.status, 200)
        assert.equal(response.headers.get('cache-control'), expected, key)
      }
      // The redirect itself is never cached.
      const hop = await fetch(new URL(await app.urlFor(alice, 'a.txt'), app.baseUrl), {
        headers: { cookie: alice },
        redirect: 'manual',
      })
      assert.equal(hop.headers.get('cache-control'), 'private, no-store')
    })

    test('an IP-bound media URL works from the viewer address and gets 403 from another; edge and an independent check agree', async ({
      assert,
    }) => {
      app = await startAdonisApp({
        keyType: 'rsa',
        uploads: {
          redirects: { mediaViews: { contentTypes: ['video/*'], viewFor: '10m', bindIp: true } },
        },
      })
      await app.drive.use('uploads').put('clip.webm', Buffer.from('not really a video'))
      const alice = await app.login('alice')
      const link = await app.urlFor(alice, 'clip.webm')
      assert.include(link, '&v=600&ip=1&')
      const { status, location } = await follow(link, alice)
      assert.equal(status, 302)

      const policy = JSON.parse(fromAws(new URL(location).searchParams.get('Policy')!).toString())
      const condition = policy.Statement[0].Condition
      assert.deepEqual(condition.IpAddress, { 'AWS:SourceIp': '127.0.0.1/32' })
      assert.closeTo(condition.DateLessThan['AWS:EpochTime'], Date.now() / 1000 + 600, 5)

      assert.equal(await getFrom('127.0.0.1', location), 200)
      assert.equal(await getFrom('127.0.0.2', location), 403)

      // Independently of the package: the signature over the policy is
      // genuine, and the policy names one address only.
      const params = new URL(location).searchParams
      const verifier = createVerify('sha1')
      verifier.update(fromAws(params.get('Policy')!))
      assert.isTrue(verifier.verify(app.publicKey, fromAws(params.get('Signature')!)))
      assert.notEqual(condition.IpAddress['AWS:SourceIp'], '127.0.0.2/32')
      // And the package's verifier, as CloudFront checks it.
      const check = new CloudFrontVerifier({ publicKeys: { K2JCJMDEHXQW5F: app.publicKey } })
      assert.isTrue(check.verify({ url: location, clientIp: '127.0.0.1' }).ok)
      assert.deepInclude(check.verify({ url: location, clientIp: '127.0.0.2' }), {
        ok: false,
        reason: 'ip-not-allowed',
      })
    })
  }
)

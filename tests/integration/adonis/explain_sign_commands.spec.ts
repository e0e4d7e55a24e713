import { createPrivateKey } from 'node:crypto'
import { test } from '@japa/runner'
import DjamazingExplain from '../../../commands/djamazing_explain.ts'
import DjamazingSign from '../../../commands/djamazing_sign.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/signer.ts'
import { CloudFrontVerifier } from '../../../src/cloudfront/verifier.ts'
import { LinkSigner } from '../../../src/links/signer.ts'
import {
  APP_KEY,
  KEY_PAIR_ID,
  runAceCommand,
  startAdonisApp,
  type AdonisTestApp,
} from '../../helpers/adonis_app.ts'
import { independentlySignedUrl } from '../../helpers/independent_signer.ts'

/*
 * The commands of docs/cloudfront-403.md, run in a real AdonisJS app.
 */

const KEY = 'alice/report*~.pdf'
const BYTES = 'the report'

test.group('node ace djamazing:sign and djamazing:explain', (group) => {
  let app: AdonisTestApp
  let alice: string
  let bob: string
  group.setup(async () => {
    app = await startAdonisApp()
    // The driver itself: flydrive's Disk refuses "*" and "~" in keys.
    await app.drive.use('uploads').driver.put(KEY, BYTES)
    alice = await app.login('alice')
    bob = await app.login('bob')
    return () => app.stop()
  })

  test('sign: a CloudFront signed URL that verifies and serves the file', async ({ assert }) => {
    const { exitCode, output } = await runAceCommand(app, DjamazingSign, [
      'uploads',
      KEY,
      '--expires',
      '90s',
    ])
    assert.equal(exitCode, 0, output)
    assert.isTrue(output.startsWith(`${app.baseUrl}/cdn/uploads/alice/report%2A~.pdf?Expires=`))
    const verifier = new CloudFrontVerifier({ publicKeys: { [KEY_PAIR_ID]: app.publicKey } })
    const verified = verifier.verify({ url: output })
    assert.isTrue(verified.ok)
    if (verified.ok) assert.isAtMost(verified.expiresAt.getTime() - Date.now(), 91_000)
    const response = await fetch(output)
    assert.equal(await response.text(), BYTES)
  })

  test('sign --user: a protected link that passes the redirect route for that user only', async ({
    assert,
  }) => {
    const { exitCode, output: link } = await runAceCommand(app, DjamazingSign, [
      'uploads',
      KEY,
      '--user',
      '1',
    ])
    assert.equal(exitCode, 0, link)
    assert.match(link, /^\/djamazing\/uploads\/alice\/report%2A~\.pdf\?e=\d+&s=/)
    const asAlice = await fetch(`${app.baseUrl}${link}`, {
      headers: { cookie: alice },
      redirect: 'manual',
    })
    assert.equal(asAlice.status, 302)
    const served = await fetch(asAlice.headers.get('location')!)
    assert.equal(await served.text(), BYTES)
    const asBob = await fetch(`${app.baseUrl}${link}`, {
      headers: { cookie: bob },
      redirect: 'manual',
    })
    assert.equal(asBob.status, 403)
  })

  test('sign: a bad key or duration is a named error, exit 1', async ({ assert }) => {
    const badKey = await runAceCommand(app, DjamazingSign, ['uploads', '../etc/passwd'])
    assert.equal(badKey.exitCode, 1)
    assert.include(badKey.output, '".." segments')
    const unknown = await runAceCommand(app, DjamazingSign, ['nope', 'a.txt'])
    assert.equal(unknown.exitCode, 1)
  })

  test('explain: a CloudFront URL accepted, tampered, re-encoded by a proxy', async ({
    assert,
  }) => {
    const { output: url } = await runAceCommand(app, DjamazingSign, ['uploads', KEY])
    const good = await runAceCommand(app, DjamazingExplain, [url])
    assert.equal(good.exitCode, 0)
    assert.match(good.output, /^accepted: CloudFront would accept it: signed by K2JCJMDEHXQW5F/)

    const tampered = await runAceCommand(app, DjamazingExplain, [url.replace('report', 'rep0rt')])
    assert.equal(tampered.exitCode, 1)
    assert.match(tampered.output, /^refused \(bad-signature\): the signature does not match/)

    const proxied = await runAceCommand(app, DjamazingExplain, [
      url.replace('report%2A~', 'report*%7E'),
    ])
    assert.equal(proxied.exitCode, 1)
    assert.match(
      proxied.output,
      /^refused \(changed-after-signing\): the URL was changed after signing/
    )
    assert.include(proxied.output, 'received "/report*%7E.pdf", signed "/report%2A~.pdf"')

    const json = await runAceCommand(app, DjamazingExplain, [
      url.replace('Key-Pair-Id=K', 'Key-Pair-Id=X'),
      '--json',
    ])
    assert.equal(json.exitCode, 1)
    assert.containsSubset(JSON.parse(json.output), { accepted: false, reason: 'unknown-key' })
  })

  test('explain and sign: control characters of a pasted URL, key or name never reach the terminal', async ({
    assert,
  }) => {
    // What a "broken link" pasted from a chat can carry: a title change,
    // a screen clear, a bidi override, a C1 control, a bell.
    const hostile = '\u001b]0;pwned\u0007\u001b[2J\u202e\u009b31m\r\naccepted: forged'
    const { output: link } = await runAceCommand(app, DjamazingSign, [
      'uploads',
      KEY,
      '--user',
      '1',
    ])
    const { output: url } = await runAceCommand(app, DjamazingSign, ['uploads', KEY])
    const runs = [
      await runAceCommand(app, DjamazingExplain, [`${url}${hostile}`]),
      await runAceCommand(app, DjamazingExplain, [url.replace('report', `report${hostile}`)]),
      await runAceCommand(app, DjamazingExplain, [`${link}&${hostile}=1`, '--user', '1']),
      await runAceCommand(app, DjamazingExplain, [link, '--user', `1${hostile}`]),
      await runAceCommand(app, DjamazingExplain, [link.replace('/uploads/', `/up${hostile}/`)]),
      await runAceCommand(app, DjamazingSign, ['uploads', `a${hostile}.txt`]),
      await runAceCommand(app, DjamazingSign, [`no${hostile}pe`, 'a.txt']),
    ]
    for (const { output } of runs) {
      assert.notMatch(output, /^accepted: forged/m, output)
      assert.notMatch(
        output,
        // eslint-disable-next-line no-control-regex
        /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
        output
      )
    }
    // Shown escaped, so the reader still sees what was there.
    assert.include(runs[5].output, '\\u001b')
  })

  test('explain and the edge: ECDSA signed by another signer over SHA-1 without Hash-Algorithm passes, over SHA-256 without it is refused', async ({
    assert,
  }) => {
    const url = `${app.baseUrl}/cdn/uploads/alice/report%2A~.pdf`
    const signing = {
      privateKey: createPrivateKey(app.privateKey),
      keyPairId: KEY_PAIR_ID,
      expires: Math.floor(Date.now() / 1000) + 120,
    }
    assert.equal(signing.privateKey.asymmetricKeyType, 'ec')

    const sha1 = independentlySignedUrl(url, { ...signing, digest: 'sha1' })
    const accepted = await runAceCommand(app, DjamazingExplain, [sha1])
    assert.equal(accepted.exitCode, 0, accepted.output)
    assert.match(accepted.output, /^accepted: CloudFront would accept it: signed by K2JCJMDEHXQW5F/)
    assert.include(accepted.output, 'hash: SHA-1 (no Hash-Algorithm parameter)')
    const served = await fetch(sha1)
    assert.equal(served.status, 200)
    assert.equal(await served.text(), BYTES)

    const sha256 = independentlySignedUrl(url, { ...signing, digest: 'sha256' })
    const refused = await runAceCommand(app, DjamazingExplain, [sha256])
    assert.equal(refused.exitCode, 1)
    assert.match(
      refused.output,
      /^refused \(wrong-hash-algorithm\): it is signed with ECDSA over SHA-256 but carries no Hash-Algorithm=SHA256/
    )
    const denied = await fetch(sha256)
    assert.equal(denied.status, 403)
    assert.include(await denied.text(), '<Code>AccessDenied</Code>')
  })

  test('explain --cookie: CloudFront signed cookies', async ({ assert }) => {
    const signer = new CloudFrontSigner({ keyPairId: KEY_PAIR_ID, privateKey: app.privateKey })
    const cookies = signer.signCookies({
      resource: `${app.baseUrl}/cdn/uploads/alice/*`,
      expiresIn: 60,
    })
    const header = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
    const url = `${app.baseUrl}/cdn/uploads/alice/report%2A~.pdf`
    const accepted = await runAceCommand(app, DjamazingExplain, [url, '--cookie', header])
    assert.equal(accepted.exitCode, 0, accepted.output)
    assert.include(accepted.output, 'in the cookies')
    const elsewhere = await runAceCommand(app, DjamazingExplain, [
      `${app.baseUrl}/cdn/uploads/bob/x.pdf`,
      '--cookie',
      header,
    ])
    assert.match(elsewhere.output, /^refused \(resource-mismatch\)/)
  })

  test('explain: protected links, for the owner, another user, a guest, expired, another disk, malformed', async ({
    assert,
  }) => {
    const { output: link } = await runAceCommand(app, DjamazingSign, [
      'uploads',
      KEY,
      '--user',
      '1',
    ])
    const cases: [string[], number, RegExp][] = [
      [
        [link, '--user', '1'],
        0,
        /^accepted: the route would redirect user 1 \(web\) to uploads:alice\/report\*~\.pdf/,
      ],
      [[`${app.baseUrl}${link}`, '--user', '1'], 0, /^accepted/],
      [
        [link, '--user', '2'],
        1,
        /^refused \(other-user\): the signature does not match user 2 \(web\)/,
      ],
      [[link], 1, /^refused \(login-required\): checked for a guest, it is not a guest link/],
      [
        [
          new LinkSigner({ secrets: [APP_KEY], expiresIn: '1h' }).linkFor('uploads', KEY, {
            userId: 1,
            realm: 'web',
            now: new Date(Date.now() - 2 * 3600_000),
          }),
          '--user',
          '1',
        ],
        1,
        /^refused \(expired\): it expired (59|60) min ago/,
      ],
      [
        [link.replace('/uploads/', '/other/'), '--user', '1'],
        1,
        /^refused \(other-disk\): it was made for the disk "uploads", not "other"/,
      ],
      [[link.replace('/uploads/', '/nowhere/'), '--user', '1'], 1, /^refused \(unknown-disk\)/],
      [
        [`${link}&debug=1`, '--user', '1'],
        1,
        /^refused \(malformed\)[^]*unknown parameter "debug"/,
      ],
      [
        // A parameter links carry, with a bad value: not called unknown.
        [`${link}&v=soon`, '--user', '1'],
        1,
        /^refused \(malformed\)(?![^]*unknown parameter)[^]*a value is not spelled as links are made/,
      ],
      [
        [link.replace('%2A', '*'), '--user', '1'],
        1,
        /^refused \(malformed\): the key part[^]*received "alice\/report\*~\.pdf", made as "alice\/report%2A~\.pdf"/,
      ],
    ]
    for (const [args, exitCode, expected] of cases) {
      const { exitCode: code, output } = await runAceCommand(app, DjamazingExplain, args)
      assert.equal(code, exitCode, output)
      assert.match(output, expected)
    }
  })
})

import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../../src/cloudfront/signer.ts'
import { NOW, NOW_SECONDS, RSA_KEY } from '../../../helpers/cloudfront_keys.ts'
import {
  parseErrorXml,
  rawRequest,
  startSigningEdgeFixture,
  type EdgeFixture,
} from '../../../helpers/edge.ts'
import {
  awsBase64,
  handCannedPolicy,
  independentlySignedUrl,
} from '../../../helpers/independent_signer.ts'

/*
 * Rows of the CloudFront fidelity table (docs/local-edge.md, "Row by row")
 * on signed URLs, each checked over HTTP against the edge with URLs signed
 * by an independent signer written from AWS's documentation. Sources:
 * `private-content-signed-urls.md`, the canned and custom signed-URL pages,
 * `QueryStringParameters.md`, and the threads each test names.
 */

const rsa = { privateKey: RSA_KEY.privateKey, keyPairId: RSA_KEY.id }
const EXPIRES = NOW_SECONDS + 60
const BIG = Buffer.alloc(2 * 1024 * 1024, 'x')

async function statusOf(url: string): Promise<number> {
  const response = await fetch(url)
  await response.arrayBuffer()
  return response.status
}

async function textOf(url: string): Promise<string> {
  const response = await fetch(url)
  return response.text()
}

test.group('Fidelity | signed URLs (rows 2, 3, 5, 7, 8, 49)', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  let clock = NOW
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture({ now: () => clock }))
    await fixture.put('a.txt', 'a')
    // Tests that count origin requests read keys no other test has cached.
    await fixture.put('row3.txt', 'row3')
    await fixture.put('row7.txt', 'row7')
    await fixture.put("it's.txt", 'apostrophe')
    await fixture.put('big.bin', BIG)
    return () => fixture.stop()
  })
  group.each.setup(() => {
    clock = NOW
    fixture.originRequests.length = 0
  })

  test('row 2: a canned policy is rebuilt from the request URL, byte for byte, with no whitespace', async ({
    assert,
  }) => {
    const url = cdnUrlFor(cdn, 'a.txt')
    const exact = independentlySignedUrl(url, { ...rsa, expires: EXPIRES })
    assert.equal(await statusOf(exact), 200)

    // The same statement with spaces, signed and sent as a canned URL: the
    // edge rebuilds the policy without them, so the signature cannot match.
    const spaced = handCannedPolicy(url, EXPIRES).replace('{"Statement":', '{ "Statement": ')
    const spacedSignature = independentlySignedUrl(url, { ...rsa, policy: spaced })
    const signature = new URL(spacedSignature).searchParams.get('Signature')!
    const refused = await fetch(
      `${url}?Expires=${EXPIRES}&Signature=${signature}&Key-Pair-Id=${RSA_KEY.id}`
    )
    assert.equal(refused.status, 403)
    assert.equal(parseErrorXml(await refused.text()).code, 'AccessDenied')

    // Signed for the URL with a query, sent without it.
    const withQuery = independentlySignedUrl(`${url}?v=1`, { ...rsa, expires: EXPIRES })
    const shorn = withQuery.replace('?v=1&', '?')
    assert.equal(await statusOf(shorn), 403)
  })

  test('row 3: a query added to a signed URL after signing it is 403', async ({ assert }) => {
    const url = cdnUrlFor(cdn, 'row3.txt')
    const signedWithQuery = independentlySignedUrl(`${url}?v=1`, { ...rsa, expires: EXPIRES })
    assert.equal(await statusOf(signedWithQuery), 200, 'its own query is inside the signature')

    const added = signedWithQuery.replace('?v=1&', '?v=1&w=2&')
    const response = await fetch(added)
    assert.equal(response.status, 403)
    assert.equal(parseErrorXml(await response.text()).code, 'AccessDenied')

    const signedBare = independentlySignedUrl(url, { ...rsa, expires: EXPIRES })
    assert.equal(await statusOf(signedBare.replace('?', '?v=1&')), 403)
    assert.lengthOf(fixture.originRequests, 1, 'only the signed request reached S3')
  })

  test('row 5: expiry is checked per request: a download started in time completes, a later request is refused', async ({
    assert,
  }) => {
    const url = independentlySignedUrl(cdnUrlFor(cdn, 'big.bin'), { ...rsa, expires: EXPIRES })
    const started = await fetch(url)
    assert.equal(started.status, 200)
    // The URL expires while the body is still on its way.
    clock = new Date((EXPIRES + 5) * 1000)
    assert.deepEqual(Buffer.from(await started.arrayBuffer()), BIG)

    const again = await fetch(url)
    assert.equal(again.status, 403)
    assert.equal(parseErrorXml(await again.text()).code, 'AccessDenied')
    const resumed = await fetch(url, { headers: { range: `bytes=${BIG.length / 2}-` } })
    assert.equal(resumed.status, 403, 'a Range GET to resume after expiry is refused too')
    await resumed.arrayBuffer()
  })

  test('row 7: signing parameters never reach the origin, and own parameters cannot use their names', async ({
    assert,
  }) => {
    const url = independentlySignedUrl(`${cdnUrlFor(cdn, 'row7.txt')}?v=1`, {
      ...rsa,
      expires: EXPIRES,
    })
    assert.equal(await textOf(url), 'row7')
    assert.lengthOf(fixture.originRequests, 1)
    for (const name of ['Expires', 'Signature', 'Key-Pair-Id', 'Policy']) {
      assert.notInclude(fixture.originRequests[0].path, name)
    }

    const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem })
    for (const name of ['Expires', 'Policy', 'Signature', 'Key-Pair-Id']) {
      assert.throws(
        () => signer.signUrl(`${cdnUrlFor(cdn, 'a.txt')}?${name}=1`, { expiresIn: 60, now: NOW }),
        new RegExp(`"${name}" parameter`)
      )
    }
  })

  test("row 8: CloudFront's own refusals carry its XML codes and messages", async ({ assert }) => {
    const url = cdnUrlFor(cdn, 'a.txt')
    const good = new URL(independentlySignedUrl(url, { ...rsa, expires: EXPIRES }))
    const signature = good.searchParams.get('Signature')!
    const cases: [string, string, string][] = [
      [
        `${url}?Expires=${EXPIRES}&Signature=${signature}`,
        'MissingKey',
        'Missing Key-Pair-Id query parameter or cookie value',
      ],
      [
        `${url}?Expires=${EXPIRES}&Signature=${signature}&Key-Pair-Id=`,
        'MissingKey',
        'Missing Key-Pair-Id query parameter or cookie value',
      ],
      [
        `${url}?Expires=${EXPIRES}&Signature=${signature}&Key-Pair-Id=KUNKNOWNKEY123`,
        'InvalidKey',
        'Unknown Key',
      ],
      [
        `${url}?Policy=${awsBase64(Buffer.from('{"Statement":'))}&Signature=${signature}&Key-Pair-Id=${RSA_KEY.id}`,
        'MalformedPolicy',
        'Malformed Policy',
      ],
      [
        `${url}?Expires=${EXPIRES + 1}&Signature=${signature}&Key-Pair-Id=${RSA_KEY.id}`,
        'AccessDenied',
        'Access denied',
      ],
    ]
    for (const [target, code, message] of cases) {
      const response = await fetch(target)
      assert.equal(response.status, 403, target)
      assert.equal(response.headers.get('content-type'), 'text/xml', target)
      assert.equal(
        await response.text(),
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
      )
    }
    clock = new Date((EXPIRES + 1) * 1000)
    const expired = await fetch(good)
    assert.deepEqual(parseErrorXml(await expired.text()), {
      code: 'AccessDenied',
      message: 'Access denied',
    })
  })

  test('row 49: the signature covers the URL as the viewer sent it', async ({ assert }) => {
    const origin = new URL(fixture.edge.url).origin
    const encodedPath = new URL(cdnUrlFor(cdn, "it's.txt")).pathname
    assert.include(encodedPath, '%27', "the project's URLs encode the apostrophe")
    const rawPath = encodedPath.replace('%27', "'")
    const queryOf = (signed: string) => signed.slice(signed.indexOf('?'))

    const signedEncoded = queryOf(
      independentlySignedUrl(`${origin}${encodedPath}`, { ...rsa, expires: EXPIRES })
    )
    const asSigned = await rawRequest(fixture.edge.url, `${encodedPath}${signedEncoded}`)
    assert.equal(asSigned.status, 200)
    assert.equal(asSigned.body.toString(), 'apostrophe')
    // A client that sends the apostrophe unencoded sends another URL.
    const otherSpelling = await rawRequest(fixture.edge.url, `${rawPath}${signedEncoded}`)
    assert.equal(otherSpelling.status, 403)

    // Signed as that client sends it, it opens the same object.
    const signedRaw = queryOf(
      independentlySignedUrl(`${origin}${rawPath}`, { ...rsa, expires: EXPIRES })
    )
    const raw = await rawRequest(fixture.edge.url, `${rawPath}${signedRaw}`)
    assert.equal(raw.status, 200)
    assert.equal(raw.body.toString(), 'apostrophe')
  })
})

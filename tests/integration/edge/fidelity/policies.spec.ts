import { test } from '@japa/runner'
import { cdnUrlFor, type CdnBase } from '../../../../src/cdn_url.ts'
import { startEdgeServer } from '../../../../src/edge/main.ts'
import { NOW, NOW_SECONDS, RSA_KEY } from '../../../helpers/cloudfront_keys.ts'
import { parseErrorXml, startSigningEdgeFixture, type EdgeFixture } from '../../../helpers/edge.ts'
import { independentlySignedUrl } from '../../../helpers/independent_signer.ts'

/*
 * Rows of the CloudFront fidelity table (docs/local-edge.md, "Row by row")
 * on custom policies and their conditions, checked over HTTP against the
 * edge with policies written by hand and signed by an independent signer.
 * Source unless a test says otherwise:
 * `private-content-creating-signed-url-custom-policy.md` and
 * `private-content-creating-signed-url-canned-policy.md`.
 */

const LESS_THAN = NOW_SECONDS + 60
const DATE_LESS_THAN = `"DateLessThan":{"AWS:EpochTime":${LESS_THAN}}`

function signed(url: string, policy: string): string {
  return independentlySignedUrl(url, {
    privateKey: RSA_KEY.privateKey,
    keyPairId: RSA_KEY.id,
    policy,
  })
}

test.group('Fidelity | custom policies (rows 12, 14, 15, 17, 18, 45)', (group) => {
  let fixture: EdgeFixture
  let cdn: CdnBase
  group.setup(async () => {
    ;({ fixture, cdn } = await startSigningEdgeFixture())
    for (const key of ['d/1.txt', 'd/12.txt', 'other/x.txt']) await fixture.put(key, key)
    return () => fixture.stop()
  })

  const statusOf = async (url: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, { headers })
    await response.arrayBuffer()
    return response.status
  }

  test('row 12: one statement, DateLessThan required, conditions in any order, whitespace signed as sent', async ({
    assert,
  }) => {
    const url = cdnUrlFor(cdn, 'd/1.txt')
    const reordered = `{\r\n  "Statement": [ {\r\n    "Resource": "${url}",\r\n    "Condition": {\r\n      "IpAddress": { "AWS:SourceIp": "127.0.0.0/8" },\r\n      "DateGreaterThan": { "AWS:EpochTime": ${NOW_SECONDS - 60} },\r\n      "DateLessThan": { "AWS:EpochTime": ${LESS_THAN} }\r\n    }\r\n  } ]\r\n}`
    assert.equal(await statusOf(signed(url, reordered)), 200)

    const withoutDateLessThan = `{"Statement":[{"Resource":"${url}","Condition":{"DateGreaterThan":{"AWS:EpochTime":${NOW_SECONDS - 60}}}}]}`
    const response = await fetch(signed(url, withoutDateLessThan))
    assert.equal(response.status, 403)
    assert.equal(parseErrorXml(await response.text()).code, 'MalformedPolicy')

    const notYet = `{"Statement":[{"Resource":"${url}","Condition":{${DATE_LESS_THAN},"DateGreaterThan":{"AWS:EpochTime":${NOW_SECONDS + 30}}}}]}`
    assert.equal(await statusOf(signed(url, notYet)), 403)
  })

  test('row 14: a policy without Resource opens every file the key is trusted for', async ({
    assert,
  }) => {
    const policy = `{"Statement":[{"Condition":{${DATE_LESS_THAN}}}]}`
    for (const key of ['d/1.txt', 'other/x.txt']) {
      const url = cdnUrlFor(cdn, key)
      const response = await fetch(signed(url, policy))
      assert.equal(await response.text(), key)
    }
  })

  test('row 15: wildcards per section: ? is one character, a trailing * in the path covers the query, in the domain everything after it', async ({
    assert,
  }) => {
    const policyFor = (resource: string) =>
      `{"Statement":[{"Resource":"${resource}","Condition":{${DATE_LESS_THAN}}}]}`
    const one = policyFor(`${cdn.base}d/?.txt`)
    assert.equal(await statusOf(signed(cdnUrlFor(cdn, 'd/1.txt'), one)), 200)
    assert.equal(await statusOf(signed(cdnUrlFor(cdn, 'd/12.txt'), one)), 403)

    const folder = policyFor(`${cdn.base}d/*`)
    assert.equal(await statusOf(signed(`${cdnUrlFor(cdn, 'd/12.txt')}?v=2`, folder)), 200)
    assert.equal(await statusOf(signed(cdnUrlFor(cdn, 'other/x.txt'), folder)), 403)

    const { hostname } = new URL(cdn.base)
    const domain = policyFor(`http://${hostname.slice(0, -1)}*`)
    assert.equal(await statusOf(signed(`${cdnUrlFor(cdn, 'other/x.txt')}?a=b`, domain)), 200)
    const otherScheme = policyFor(`https://${hostname}*`)
    assert.equal(await statusOf(signed(cdnUrlFor(cdn, 'other/x.txt'), otherScheme)), 403)
  })

  test('row 17: AWS:SourceIp is an IPv4 range; a single address as AWS CLI writes it (no /32) is that address; IPv6 viewers are refused', async ({
    assert,
  }) => {
    const url = cdnUrlFor(cdn, 'd/1.txt')
    const policyFor = (sourceIp: string, resource = url) =>
      `{"Statement":[{"Resource":"${resource}","Condition":{"IpAddress":{"AWS:SourceIp":"${sourceIp}"},${DATE_LESS_THAN}}}]}`
    assert.equal(await statusOf(signed(url, policyFor('127.0.0.0/8'))), 200)
    assert.equal(await statusOf(signed(url, policyFor('127.0.0.1/32'))), 200)
    // `aws cloudfront sign --ip-address` documents "x.x.x.x/x or x.x.x.x"
    // and writes the value into the policy as given.
    assert.equal(await statusOf(signed(url, policyFor('127.0.0.1'))), 200)
    assert.equal(await statusOf(signed(url, policyFor('127.0.0.2'))), 403)
    assert.equal(await statusOf(signed(url, policyFor('10.0.0.0/8'))), 403)

    // A viewer reaching CloudFront over IPv6 matches no IPv4 range.
    const ipv6 = await startEdgeServer({
      client: fixture.client,
      bucket: fixture.s3.bucket,
      basePath: '/cdn',
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
      now: () => NOW,
      clientIp: () => '2001:db8::7',
    })
    try {
      const ipv6Url = `${ipv6.url}/d/1.txt`
      assert.equal(await statusOf(signed(ipv6Url, policyFor('0.0.0.0/0', ipv6Url))), 403)
      const unbound = `{"Statement":[{"Resource":"${ipv6Url}","Condition":{${DATE_LESS_THAN}}}]}`
      assert.equal(await statusOf(signed(ipv6Url, unbound)), 200)
    } finally {
      await ipv6.close()
    }
  })

  test('row 18: epoch times are integers without quotes, at most 2147483647', async ({
    assert,
  }) => {
    const url = cdnUrlFor(cdn, 'd/1.txt')
    const canned = (expires: number) =>
      independentlySignedUrl(url, {
        privateKey: RSA_KEY.privateKey,
        keyPairId: RSA_KEY.id,
        expires,
      })
    assert.equal(await statusOf(canned(2147483647)), 200)
    assert.equal(await statusOf(canned(2147483648)), 403)

    const quoted = `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":"${LESS_THAN}"}}}]}`
    const response = await fetch(signed(url, quoted))
    assert.equal(response.status, 403)
    assert.equal(parseErrorXml(await response.text()).code, 'MalformedPolicy')
  })

  test('row 45: the viewer IP comes from the connection; X-Forwarded-For changes nothing', async ({
    assert,
  }) => {
    const url = cdnUrlFor(cdn, 'd/1.txt')
    const policyFor = (sourceIp: string) =>
      `{"Statement":[{"Resource":"${url}","Condition":{"IpAddress":{"AWS:SourceIp":"${sourceIp}"},${DATE_LESS_THAN}}}]}`
    const forwarded = { 'x-forwarded-for': '203.0.113.5' }
    assert.equal(await statusOf(signed(url, policyFor('127.0.0.1/32')), forwarded), 200)
    assert.equal(await statusOf(signed(url, policyFor('203.0.113.5/32')), forwarded), 403)
  })
})

import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { runDoctor } from '../../../src/doctor/run.ts'
import type { DoctorDisk, DoctorOptions, DoctorReport } from '../../../src/doctor/types.ts'
import { startEdgeServer, type EdgeServerOptions } from '../../../src/edge/main.ts'
import { RSA_1024_KEY, RSA_KEY, RSA_NEXT_KEY } from '../../helpers/cloudfront_keys.ts'
import { startEdgeFixture, type EdgeFixture } from '../../helpers/edge.ts'
import {
  forwardingProxy,
  httpFaultServer,
  s3ErrorXml,
  type FaultServer,
} from '../../helpers/fault_servers.ts'
import { SECRET } from '../../helpers/links.ts'

/*
 * The doctor against the local edge and a real s3rver: a healthy set-up,
 * then one misconfiguration at a time, each diagnosed by name.
 */

type SetUp = {
  fixture: EdgeFixture
  disks: DoctorDisk[]
  stop(): Promise<void>
}

/**
 * A public `static/` and a protected `uploads/` disk on one bucket, served
 * by the local edge as a distribution would: `static/*` unsigned, the rest
 * signed with the key group holding RSA_KEY. `edge` and `disk` change one
 * thing at a time.
 */
async function setUp(
  options: {
    edge?: Partial<EdgeServerOptions>
    disk?: Partial<DoctorDisk['options']>
    cdnUrl?: (fixture: EdgeFixture) => string
  } = {}
): Promise<SetUp> {
  const fixture = await startEdgeFixture({
    behaviors: [{ pathPattern: 'static/*', signed: false }],
    publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
    ...options.edge,
  })
  const shared = {
    bucket: fixture.s3.bucket,
    cdnUrl: options.cdnUrl?.(fixture) ?? fixture.edge.url,
    ...fixture.s3.clientConfig,
    cloudfront: { keyPairId: RSA_KEY.id, privateKey: RSA_KEY.pem },
    ...options.disk,
  }
  return {
    fixture,
    disks: [
      { name: 'static', options: { ...shared, mode: 'public', prefix: 'static/' } },
      {
        name: 'uploads',
        options: { ...shared, mode: 'protected', prefix: 'uploads/' },
        secrets: [SECRET],
      },
    ] as DoctorDisk[],
    stop: () => fixture.stop(),
  }
}

function resultsOf(report: DoctorReport, disk: string) {
  return Object.fromEntries(
    report.disks
      .find((entry) => entry.disk === disk)!
      .checks.map((check) => [check.id, [check.status, check.diagnosis]])
  )
}

async function doctor(setup: SetUp, options: DoctorOptions = {}) {
  return runDoctor(setup.disks, options)
}

/**
 * The report of the doctor on a set-up made for it alone.
 */
async function diagnose(options: Parameters<typeof setUp>[0], doctorOptions?: DoctorOptions) {
  const setup = await setUp(options)
  try {
    return await doctor(setup, doctorOptions)
  } finally {
    await setup.stop()
  }
}

test.group('Doctor | a healthy set-up', (group) => {
  let setup: SetUp
  group.setup(async () => {
    setup = await setUp()
    return () => setup.stop()
  })

  test('passes every check, and leaves no probe behind', async ({ assert }) => {
    const report = await doctor(setup)
    assert.isTrue(report.ok, JSON.stringify(report, null, 2))
    assert.deepEqual(resultsOf(report, 'uploads'), {
      'config.cdn-url': ['ok', undefined], // plain http on loopback: the local edge
      'config.cloudfront-key': ['ok', undefined],
      'config.app-secrets': ['ok', undefined],
      's3.bucket': ['ok', undefined],
      's3.probe': ['ok', undefined],
      's3.list-permission': ['ok', undefined],
      'cdn.unsigned-refused': ['ok', undefined],
      'cdn.encoded-slash': ['ok', undefined],
      'cdn.signed-url': ['ok', undefined],
      'cdn.response-overrides': ['ok', undefined],
      'cdn.clock': ['ok', undefined],
    })
    assert.deepEqual(resultsOf(report, 'static'), {
      'config.cdn-url': ['ok', undefined],
      'config.cloudfront-key': ['ok', undefined],
      's3.bucket': ['ok', undefined],
      's3.probe': ['ok', undefined],
      's3.list-permission': ['ok', undefined],
      'cdn.signed-url': ['ok', undefined],
      'cdn.public-unsigned': ['ok', undefined],
      'cdn.clock': ['ok', undefined],
    })
    const listing = await setup.fixture.s3
      .client()
      .send(new ListObjectsV2Command({ Bucket: setup.fixture.s3.bucket }))
    assert.isUndefined(listing.Contents, 'the probe objects were deleted')
  })

  test('--read-only writes nothing and still checks the CDN with a missing key', async ({
    assert,
  }) => {
    const report = await doctor(setup, { write: false })
    assert.isTrue(report.ok)
    const uploads = resultsOf(report, 'uploads')
    assert.deepEqual(uploads['s3.probe'], ['skipped', undefined])
    assert.deepEqual(uploads['cdn.unsigned-refused'], ['ok', undefined])
    assert.deepEqual(uploads['cdn.signed-url'], ['ok', undefined])
    assert.deepEqual(uploads['cdn.response-overrides'], ['skipped', undefined])
    // The only requests to S3 were reads: nothing was written.
    assert.isTrue(
      setup.fixture.originRequests.every((request) => ['GET', 'HEAD'].includes(request.method))
    )
  })
})

test.group('Doctor | each misconfiguration, by name', () => {
  test('the protected prefix served without signatures: critical', async ({ assert }) => {
    const report = await diagnose({ edge: { defaultBehavior: { signed: false } } })
    assert.isFalse(report.ok)
    assert.deepEqual(resultsOf(report, 'uploads')['cdn.unsigned-refused'], [
      'critical',
      'protected-prefix-unsigned',
    ])
    const check = report.disks[1].checks.find((entry) => entry.id === 'cdn.unsigned-refused')!
    assert.include(check.message, 'anyone can read protected files')
    assert.include(check.fix, 'Restrict viewer access')
  })

  test('a public default behavior with the protected prefix signed: the %2F spelling is critical', async ({
    assert,
  }) => {
    const warnings: string[] = []
    const report = await diagnose({
      edge: {
        defaultBehavior: { signed: false },
        behaviors: [{ pathPattern: 'uploads/*', signed: true }],
        onWarning: (message) => warnings.push(message),
      },
    })
    assert.isFalse(report.ok)
    const uploads = resultsOf(report, 'uploads')
    assert.deepEqual(uploads['cdn.unsigned-refused'], ['ok', undefined])
    assert.deepEqual(uploads['cdn.encoded-slash'], ['critical', 'encoded-slash-bypass'])
    const check = report.disks[1].checks.find((entry) => entry.id === 'cdn.encoded-slash')!
    assert.include(check.message, 'anyone can read protected files')
    assert.lengthOf(warnings, 1, 'the edge warned about the same layout')
  })

  test('response overrides not forwarded (a proxy dropping them, fake)', async ({ assert }) => {
    // The edge believes it is served at the proxy's URL, as CloudFront
    // would be in front of an origin that never sees the query.
    let edgeUrl = ''
    const proxy = await forwardingProxy(() => edgeUrl, { dropHeaders: ['content-disposition'] })
    const setup = await setUp({
      edge: { publicUrl: `${proxy.endpoint}/cdn` },
      cdnUrl: () => `${proxy.endpoint}/cdn`,
    })
    edgeUrl = `http://127.0.0.1:${(setup.fixture.edge.server.address() as AddressInfo).port}`
    try {
      const report = await doctor(setup)
      assert.isFalse(report.ok)
      const uploads = resultsOf(report, 'uploads')
      assert.deepEqual(uploads['cdn.signed-url'], ['ok', undefined])
      assert.deepEqual(uploads['cdn.response-overrides'], ['error', 'overrides-not-forwarded'])
    } finally {
      await setup.stop()
      await proxy.close()
    }
  })

  test('the key pair id unknown to the edge', async ({ assert }) => {
    const report = await diagnose({
      edge: { publicKeys: { [RSA_NEXT_KEY.id]: RSA_NEXT_KEY.publicPem } },
    })
    assert.isFalse(report.ok)
    assert.deepEqual(resultsOf(report, 'uploads')['cdn.signed-url'], [
      'error',
      'unknown-key-pair-id',
    ])
  })

  test('the edge trusting another public key under the key pair id', async ({ assert }) => {
    const report = await diagnose({
      edge: { publicKeys: { [RSA_KEY.id]: RSA_NEXT_KEY.publicPem } },
    })
    assert.isFalse(report.ok)
    assert.deepEqual(resultsOf(report, 'uploads')['cdn.signed-url'], [
      'error',
      'public-key-mismatch',
    ])
  })

  test("the app's clock 3 s behind the edge's", async ({ assert }) => {
    const report = await diagnose({}, { now: () => new Date(Date.now() - 3000) })
    assert.isFalse(report.ok)
    const uploads = resultsOf(report, 'uploads')
    // Signed for minutes, the doctor's own URLs still pass; redirect URLs would not.
    assert.deepEqual(uploads['cdn.signed-url'], ['ok', undefined])
    assert.deepEqual(uploads['cdn.clock'], ['error', 'clock-skew'])
    const check = report.disks[1].checks.find((entry) => entry.id === 'cdn.clock')!
    assert.match(check.message, /at least [23]\.\d s behind/)
  })

  test('no list permission: a fault origin answering 403 for missing keys (fake)', async ({
    assert,
  }) => {
    let s3Endpoint = ''
    const origin: FaultServer = await forwardingProxy(() => s3Endpoint, {
      rewrite: (req, answer) =>
        answer.statusCode === 404 && (req.method === 'GET' || req.method === 'HEAD')
          ? { status: 403, body: s3ErrorXml('AccessDenied', 'Access Denied') }
          : undefined,
    })
    const setup = await setUp({ disk: { endpoint: origin.endpoint } })
    s3Endpoint = setup.fixture.s3.endpoint
    try {
      const report = await doctor(setup)
      const uploads = resultsOf(report, 'uploads')
      assert.deepEqual(uploads['s3.probe'], ['ok', undefined])
      assert.deepEqual(uploads['s3.list-permission'], ['warn', 'no-list-permission'])
      // A warning: the exit status stays 0.
      assert.isTrue(report.ok)
    } finally {
      await setup.stop()
      await origin.close()
    }
  })

  test('settings: a public key pasted as the key pair id, a 1024-bit key, a short app secret', async ({
    assert,
  }) => {
    const setup = await setUp()
    try {
      const uploads = setup.disks[1]
      const signingWith = (keyPairId: string, privateKey: string): DoctorDisk => ({
        ...uploads,
        options: { ...uploads.options, cloudfront: { keyPairId, privateKey } },
      })
      const cases: [DoctorDisk, string, string][] = [
        [
          signingWith(RSA_KEY.publicPem, RSA_KEY.pem),
          'config.cloudfront-key',
          'invalid-cloudfront-key',
        ],
        [
          signingWith(RSA_1024_KEY.id, RSA_1024_KEY.pem),
          'config.cloudfront-key',
          'invalid-cloudfront-key',
        ],
        [{ ...uploads, secrets: ['short'] }, 'config.app-secrets', 'no-app-secret'],
      ]
      for (const [disk, id, diagnosis] of cases) {
        const report = await runDoctor([disk], { write: false })
        assert.isFalse(report.ok)
        assert.deepEqual(resultsOf(report, 'uploads')[id], ['error', diagnosis])
      }
    } finally {
      await setup.stop()
    }
  })

  test('read-only, a distribution that may not list the bucket (a fault origin, fake): the signed check still passes', async ({
    assert,
  }) => {
    const setup = await setUp()
    const origin = await forwardingProxy(() => setup.fixture.s3.endpoint, {
      rewrite: (req, answer) =>
        answer.statusCode === 404 && (req.method === 'GET' || req.method === 'HEAD')
          ? { status: 403, body: s3ErrorXml('AccessDenied', 'Access Denied') }
          : undefined,
    })
    const client = new S3Client({ ...setup.fixture.s3.clientConfig, endpoint: origin.endpoint })
    const edge = await startEdgeServer({
      client,
      bucket: setup.fixture.s3.bucket,
      basePath: '/cdn',
      behaviors: [{ pathPattern: 'static/*', signed: false }],
      publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
    })
    try {
      const disks = setup.disks.map((disk) => ({
        ...disk,
        options: { ...disk.options, cdnUrl: edge.url },
      }))
      const report = await runDoctor(disks, { write: false })
      assert.isTrue(report.ok, JSON.stringify(report, null, 2))
      const check = report.disks[1].checks.find((entry) => entry.id === 'cdn.signed-url')!
      assert.equal(check.status, 'ok')
      assert.include(check.message, 'the store answered 403 for a key that does not exist')
      assert.deepEqual(resultsOf(report, 'static')['cdn.public-unsigned'], ['ok', undefined])
    } finally {
      await edge.close()
      client.destroy()
      await origin.close()
      await setup.stop()
    }
  })

  test('a bucket that does not exist', async ({ assert }) => {
    const report = await diagnose({ disk: { bucket: 'no-such-bucket-here' } })
    assert.isFalse(report.ok)
    const uploads = resultsOf(report, 'uploads')
    assert.deepEqual(uploads['s3.bucket'], ['error', 'bucket-not-found'])
    assert.deepEqual(uploads['s3.probe'], ['skipped', undefined])
  })

  test('a CDN URL that answers HTML (a web server, not a CDN)', async ({ assert }) => {
    const website = await httpFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><html><body>Welcome</body></html>')
    })
    const setup = await setUp({ cdnUrl: () => `${website.endpoint}/` })
    try {
      const report = await doctor(setup)
      assert.isFalse(report.ok)
      assert.deepEqual(resultsOf(report, 'uploads')['cdn.unsigned-refused'], [
        'error',
        'cdn-answers-html',
      ])
      assert.deepEqual(resultsOf(report, 'static')['cdn.public-unsigned'], [
        'error',
        'cdn-answers-html',
      ])
    } finally {
      await setup.stop()
      await website.close()
    }
  })
})

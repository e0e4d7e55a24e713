import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../index.ts'
import { runDoctor } from '../../../src/doctor/run.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'
import type { DjamazingOptions } from '../../../src/types.ts'
import { cloudFrontErrorXml, lateServer } from '../../helpers/cloudfront_api.ts'

/*
 * djamazing:doctor on a disk with invalidation: ListInvalidations, never
 * CreateInvalidation (docs/invalidation.md, "What the doctor checks").
 */

async function checkOf(options: DjamazingOptions) {
  const disk = new DjamazingDriver(options)
  const report = await runDoctor([{ name: 'static', options, resolved: disk.resolvedDisk }], {
    write: false,
  })
  return report.disks[0].checks.find((check) => check.id === 'cdn.invalidation')
}

test.group('Invalidation | djamazing:doctor', (group) => {
  let root: string
  group.each.setup(async () => {
    root = await mkdtemp(join(tmpdir(), 'djamazing-invalidation-'))
    return () => rm(root, { recursive: true, force: true })
  })

  const diskOptions = (cdnUrl: string, distributionId: string, endpoint = cdnUrl) =>
    ({
      disk: 'static',
      mode: 'public',
      store: 'local',
      localStore: { root },
      bucket: 'site',
      cdnUrl,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      invalidation: { distributionId, endpoint },
    }) satisfies DjamazingOptions

  test('the local edge lists the invalidations of its distribution, and knows no other; nothing is invalidated', async ({
    assert,
    cleanup,
  }) => {
    const server = await lateServer()
    cleanup(() => server.close())
    const cdnUrl = `${server.origin}/cdn`
    const [edge] = createEdgeForDisks([new DjamazingDriver(diskOptions(cdnUrl, 'EDFDVBD6EXAMPLE'))])
    const methods: string[] = []
    server.handle((req, res) => {
      methods.push(`${req.method} ${req.url}`)
      return edge.serve(req, res)
    })

    const ok = await checkOf(diskOptions(cdnUrl, 'EDFDVBD6EXAMPLE'))
    assert.equal(ok?.status, 'ok', ok?.message)
    assert.include(ok!.message, 'ListInvalidations of EDFDVBD6EXAMPLE answered')
    assert.include(ok!.message, 'CreateInvalidation is not tried')

    const unknown = await checkOf(diskOptions(cdnUrl, 'EOTHERDIST'))
    assert.equal(unknown?.status, 'error')
    assert.equal(unknown?.diagnosis, 'unknown-distribution')
    assert.include(unknown!.fix!, 'CLOUDFRONT_DISTRIBUTION_ID')

    const apiCalls = methods.filter((call) => call.includes('/2020-05-31/'))
    assert.deepEqual(apiCalls, [
      'GET /cdn/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation?MaxItems=1',
      'GET /cdn/2020-05-31/distribution/EOTHERDIST/invalidation?MaxItems=1',
    ])
  })

  test('access denied (a fault server standing for CloudFront) names the IAM statement to add', async ({
    assert,
    cleanup,
  }) => {
    const server = await lateServer()
    cleanup(() => server.close())
    server.handle((_req, res) => {
      res
        .writeHead(403, { 'Content-Type': 'text/xml' })
        .end(
          cloudFrontErrorXml(
            'AccessDenied',
            'User is not authorized to perform: cloudfront:ListInvalidations'
          )
        )
    })
    const denied = await checkOf(
      diskOptions('https://cdn.example.com', 'EDFDVBD6EXAMPLE', server.origin)
    )
    assert.equal(denied?.status, 'error')
    assert.equal(denied?.diagnosis, 'invalidation-access-denied')
    assert.include(denied!.message, 'cloudfront:ListInvalidations')
    assert.include(denied!.fix!, 'DjamazingInvalidation')
  })

  test('a disk without invalidation has no such check', async ({ assert }) => {
    const options = diskOptions('https://cdn.example.com', 'EDFDVBD6EXAMPLE')
    const disk = new DjamazingDriver({ ...options, invalidation: undefined })
    const report = await runDoctor([{ name: 'static', options, resolved: disk.resolvedDisk }], {
      write: false,
    })
    assert.notInclude(
      report.disks[0].checks.map((check) => check.id),
      'cdn.invalidation'
    )
  })
})

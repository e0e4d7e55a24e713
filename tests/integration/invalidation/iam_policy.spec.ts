import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DjamazingDriver } from '../../../index.ts'
import { runDoctor } from '../../../src/doctor/run.ts'
import { createEdgeForDisks } from '../../../src/edge/main.ts'
import { lateServer, recordingCloudFrontClient } from '../../helpers/cloudfront_api.ts'
import { codeBlocks, documentationPages } from '../../helpers/markdown.ts'
import { manualClock } from '../../helpers/manual_clock.ts'

/*
 * The DjamazingInvalidation statement of docs/aws-setup.md allows every
 * CloudFront call a disk with invalidation and the doctor make, on the
 * distribution, and nothing else of CloudFront.
 */

const ACTIONS: Record<string, string> = {
  CreateInvalidationCommand: 'cloudfront:CreateInvalidation',
  ListInvalidationsCommand: 'cloudfront:ListInvalidations',
}

function cloudFrontStatement() {
  const page = documentationPages().find(({ path }) => path === 'docs/aws-setup.md')!
  const policy = codeBlocks(page.path, page.text)
    .filter((block) => block.lang === 'json')
    .map((block) => JSON.parse(block.code))
    .find((value) => value.Statement?.some((s: any) => s.Sid === 'DjamazingInvalidation'))
  return policy.Statement.find((s: any) => s.Sid === 'DjamazingInvalidation') as {
    Effect: string
    Action: string[]
    Resource: string
  }
}

test.group('Invalidation | the IAM policy of docs/aws-setup.md', () => {
  test('allows what the disk and the doctor send, on the distribution', async ({
    assert,
    cleanup,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-invalidation-'))
    const server = await lateServer()
    const { client } = recordingCloudFrontClient(`${server.origin}/cdn`)
    cleanup(async () => {
      server.close()
      client.destroy()
      await rm(root, { recursive: true, force: true })
    })
    const commands = new Set<string>()
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.add(context.commandName!)
        return next(args)
      },
      { step: 'initialize', name: 'recordCommandNames' }
    )
    const options = {
      disk: 'static',
      mode: 'public',
      store: 'local',
      localStore: { root },
      bucket: 'site',
      cdnUrl: `${server.origin}/cdn`,
      invalidation: { distributionId: 'EDFDVBD6EXAMPLE', client, clock: manualClock() },
    } as const
    const disk = new DjamazingDriver(options)
    const [edge] = createEdgeForDisks([disk])
    server.handle((req, res) => edge.serve(req, res))

    await disk.put('a.txt', 'a')
    await disk.delete('a.txt')
    await disk.resolvedDisk.invalidation!.invalidator.flush()
    await runDoctor([{ name: 'static', options, resolved: disk.resolvedDisk }], { write: false })

    const statement = cloudFrontStatement()
    assert.equal(statement.Effect, 'Allow')
    assert.match(statement.Resource, /^arn:aws:cloudfront::\d{12}:distribution\/EDFDVBD6EXAMPLE$/)
    assert.sameMembers([...commands], Object.keys(ACTIONS))
    assert.sameMembers(statement.Action, Object.values(ACTIONS), 'and nothing more')
  })
})

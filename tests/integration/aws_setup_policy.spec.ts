import { Readable } from 'node:stream'
import { test } from '@japa/runner'
import { deterministicStream, failingStream } from '../helpers/byte_stream.ts'
import { driverFixture, type DriverFixture } from '../helpers/driver_factory.ts'
import { codeBlocks, documentationPages } from '../helpers/markdown.ts'

/*
 * The IAM policy that docs/aws-setup.md gives the app must allow every S3
 * request the driver really sends. Every driver operation runs here against
 * s3rver with a client that records the name of each command; each name must
 * map to an IAM action the policy grants on the right resource.
 */

const MiB = 1024 * 1024

/**
 * The IAM action each S3 command needs, and on what: the objects
 * (`arn:aws:s3:::bucket/*`) or the bucket itself. From the S3 API
 * reference's "Permissions" of each operation.
 */
const ACTIONS: Record<string, [action: string, on: 'objects' | 'bucket']> = {
  GetObjectCommand: ['s3:GetObject', 'objects'],
  HeadObjectCommand: ['s3:GetObject', 'objects'],
  PutObjectCommand: ['s3:PutObject', 'objects'],
  CopyObjectCommand: ['s3:PutObject', 'objects'],
  CreateMultipartUploadCommand: ['s3:PutObject', 'objects'],
  UploadPartCommand: ['s3:PutObject', 'objects'],
  CompleteMultipartUploadCommand: ['s3:PutObject', 'objects'],
  AbortMultipartUploadCommand: ['s3:AbortMultipartUpload', 'objects'],
  DeleteObjectCommand: ['s3:DeleteObject', 'objects'],
  DeleteObjectsCommand: ['s3:DeleteObject', 'objects'],
  ListObjectsV2Command: ['s3:ListBucket', 'bucket'],
  UploadPartCopyCommand: ['s3:PutObject', 'objects'],
  ListPartsCommand: ['s3:ListMultipartUploadParts', 'objects'],
  ListMultipartUploadsCommand: ['s3:ListBucketMultipartUploads', 'bucket'],
}

function appPolicy() {
  const page = documentationPages().find(({ path }) => path === 'docs/aws-setup.md')!
  const policies = codeBlocks(page.path, page.text)
    .filter((block) => block.lang === 'json')
    .map((block) => JSON.parse(block.code))
    .filter((value) => value.Statement && !value.Statement.some((s: any) => s.Principal))
  if (policies.length !== 1) throw new Error(`${policies.length} app policies in ${page.path}`)
  return policies[0] as {
    Statement: { Effect: string; Action: string | string[]; Resource: string }[]
  }
}

test.group('docs/aws-setup.md | the IAM policy allows what the driver sends', (group) => {
  let fixture: DriverFixture
  const commands = new Set<string>()
  group.setup(async () => {
    fixture = await driverFixture()
    fixture.client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.add(context.commandName!)
        return next(args)
      },
      { step: 'initialize', name: 'recordCommandNames' }
    )
    return () => fixture.stop()
  })

  test('every operation of the driver, each command granted on its resource', async ({
    assert,
  }) => {
    const driver = fixture.driver({ prefix: 'policy' })
    await driver.put('a.txt', 'a')
    await driver.putStream('small.txt', Readable.from(['small']))
    // Over one part (8 MiB by default): multipart.
    await driver.putStream('big.bin', deterministicStream(9 * MiB).stream)
    await driver.putStream('failed.bin', failingStream(9 * MiB)).catch(() => {})
    await driver.get('a.txt')
    await driver.getBytes('a.txt')
    for await (const chunk of await driver.getStream('a.txt')) assert.isDefined(chunk)
    await driver.getMetaData('a.txt')
    await driver.exists('a.txt')
    await driver.getVisibility('a.txt')
    await driver.setVisibility('a.txt', 'public')
    await driver.copy('a.txt', 'b.txt')
    await driver.move('b.txt', 'c.txt')
    await driver.listAll('', { recursive: true })
    await driver.delete('c.txt')
    await driver.deleteAll('')
    // What direct uploads do beyond that: resume (list parts) and prune
    // (list the incomplete uploads, abort them).
    const uploadId = await driver.store.createMultipart('policy/pending.bin')
    assert.deepEqual(await driver.store.listParts('policy/pending.bin', uploadId), [])
    const open = await driver.store.listMultipartUploads('policy/')
    assert.include(
      open.map((upload) => upload.uploadId),
      uploadId
    )
    await driver.store.abortMultipart('policy/pending.bin', uploadId)

    const sent = [...commands]
    assert.includeMembers(sent, [
      'PutObjectCommand',
      'CreateMultipartUploadCommand',
      'AbortMultipartUploadCommand',
      'GetObjectCommand',
      'CopyObjectCommand',
      'ListObjectsV2Command',
      'ListPartsCommand',
      'ListMultipartUploadsCommand',
    ])

    const statements = appPolicy().Statement
    const objects = statements.find((s) => s.Resource.endsWith('/*'))!.Resource
    const bucket = objects.slice(0, -2)
    for (const command of sent) {
      assert.property(ACTIONS, command, `docs/aws-setup.md says nothing of ${command}`)
      const [action, on] = ACTIONS[command]
      const resource = on === 'bucket' ? bucket : objects
      assert.isTrue(
        statements.some(
          (s) =>
            s.Effect === 'Allow' && [s.Action].flat().includes(action) && s.Resource === resource
        ),
        `${command} needs ${action} on ${resource}`
      )
    }
  })

  test('the ACL actions, needed only with supportsACL, are named in the text', ({ assert }) => {
    const page = documentationPages().find(({ path }) => path === 'docs/aws-setup.md')!
    assert.include(page.text, '`s3:GetObjectAcl`')
    assert.include(page.text, '`s3:PutObjectAcl`')
  })
})

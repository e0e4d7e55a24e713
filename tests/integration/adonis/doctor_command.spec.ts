import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import DjamazingDoctor from '../../../commands/djamazing_doctor.ts'
import { getCommand, getMetaData } from '../../../commands/main.ts'
import { runAceCommand, startAdonisApp, type AdonisTestApp } from '../../helpers/adonis_app.ts'
import { httpFaultServer } from '../../helpers/fault_servers.ts'
import { doctorDisks } from '../../../src/adonis/doctor_disks.ts'
import { runDoctor } from '../../../src/doctor/run.ts'

/*
 * The commands of docs/cloudfront-403.md, run in a real AdonisJS app.
 */

test.group('node ace djamazing:doctor | an app served by its own local edge', (group) => {
  let app: AdonisTestApp
  group.setup(async () => {
    app = await startAdonisApp()
    return () => app.stop()
  })

  test('the commands index lists the command', async ({ assert }) => {
    const all = await getMetaData()
    const metaData = all.find((entry) => entry.commandName === 'djamazing:doctor')
    assert.exists(metaData)
    assert.strictEqual(await getCommand(metaData!), DjamazingDoctor)
  })

  test('every disk passes: exit 0, --json lists every check', async ({ assert }) => {
    const { exitCode, output } = await runAceCommand(app, DjamazingDoctor, ['--json'])
    assert.equal(exitCode, 0, output)
    const report = JSON.parse(output)
    assert.isTrue(report.ok)
    assert.deepEqual(
      report.disks.map((disk: any) => disk.disk),
      ['static', 'uploads', 'other']
    )
    const uploads = report.disks[1].checks
    for (const id of [
      's3.probe',
      'cdn.unsigned-refused',
      'cdn.encoded-slash',
      'cdn.signed-url',
      'cdn.response-overrides',
    ]) {
      assert.equal(uploads.find((check: any) => check.id === id)?.status, 'ok', id)
    }
  })

  test('the plain-words report of one disk, --read-only', async ({ assert }) => {
    const { exitCode, output } = await runAceCommand(app, DjamazingDoctor, [
      'uploads',
      '--read-only',
    ])
    assert.equal(exitCode, 0, output)
    assert.include(output, 'disk "uploads" (protected)')
    assert.include(output, 'protected prefix refuses unsigned requests: an unsigned URL is refused')
    assert.include(output, 'probe object (write, read back): read-only run: nothing written')
    assert.notInclude(output, 'disk "static"')
  })

  test('a key pair id the running app did not start with: the fix is a restart, not the AWS console', async ({
    assert,
  }) => {
    const { disks } = await doctorDisks(app.app, ['uploads'])
    assert.isTrue(disks[0].localEdge)
    // As after a change of CLOUDFRONT_KEY_PAIR_ID in .env: the doctor reads
    // the new id, the running app's edge still trusts the one it started with.
    // The doctor resolves the changed options itself, as a fresh process would.
    const { options } = disks[0]
    const changed = {
      ...disks[0],
      options: { ...options, cloudfront: { ...options.cloudfront!, keyPairId: 'KNEWKEYPAIR123' } },
      resolved: undefined,
    }
    const report = await runDoctor([changed])
    const signed = report.disks[0].checks.find((check) => check.id === 'cdn.signed-url')!
    assert.equal(signed.diagnosis, 'unknown-key-pair-id')
    assert.include(signed.fix, 'restart node ace serve')
    assert.notInclude(signed.fix, 'CloudFront >')
  })

  test('a run that may write is not told to run without --read-only', async ({ assert }) => {
    const root = await mkdtemp(join(tmpdir(), 'djamazing-doctor-local-'))
    const local = await startAdonisApp({ localStore: { root } })
    try {
      const { output } = await runAceCommand(local, DjamazingDoctor, [])
      assert.include(output, 'a signed URL serves')
      assert.notInclude(output, '--read-only')
    } finally {
      await local.stop()
      await rm(root, { recursive: true, force: true })
    }
  })

  test('an unknown disk: exit 1', async ({ assert }) => {
    const { exitCode, output } = await runAceCommand(app, DjamazingDoctor, ['nope'])
    assert.equal(exitCode, 1)
    assert.include(output, 'no djamazing disk named nope (known: static, uploads, other)')
  })
})

test.group('node ace djamazing:doctor | a CDN URL that is a website', (group) => {
  let app: AdonisTestApp
  let website: Awaited<ReturnType<typeof httpFaultServer>>
  group.setup(async () => {
    website = await httpFaultServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<!doctype html><title>Home</title>')
    })
    app = await startAdonisApp({ cdnUrl: `${website.endpoint}/` })
    return async () => {
      await app.stop()
      await website.close()
    }
  })

  test('exit 1, the cause and the fix in the report and in --json', async ({ assert }) => {
    const plain = await runAceCommand(app, DjamazingDoctor, ['uploads'])
    assert.equal(plain.exitCode, 1)
    assert.include(plain.output, 'the CDN URL answers 200 with an HTML page')
    assert.include(plain.output, 'diagnosis: cdn-answers-html')
    assert.include(plain.output, 'fix: set cdnUrl to the distribution domain')

    const json = await runAceCommand(app, DjamazingDoctor, ['uploads', '--json'])
    assert.equal(json.exitCode, 1)
    const report = JSON.parse(json.output)
    assert.isFalse(report.ok)
    assert.containsSubset(report.disks[0].checks, [
      { id: 'cdn.unsigned-refused', status: 'error', diagnosis: 'cdn-answers-html' },
    ])
  })
})

import { test } from '@japa/runner'
import { normalizePrefix } from '../../../src/disk/settings.ts'
import { edgeBehaviorsOf } from '../../../src/edge/disks.ts'
import { cdnUrlFor } from '../../../src/cdn_url.ts'
import { CloudFrontSigner } from '../../../src/cloudfront/main.ts'
import { startAdonisApp } from '../../helpers/adonis_app.ts'
import { NOW, RSA_KEY } from '../../helpers/cloudfront_keys.ts'
import { rawRequest, startSigningEdgeFixture } from '../../helpers/edge.ts'

/**
 * `files`: keys inside the disk (default `file.txt`), chosen to share a
 * leading string with another disk's prefix.
 */
type Disk = { name: string; prefix: string; mode: 'public' | 'protected'; files?: string[] }

/**
 * Public and protected disks side by side in one bucket, in every relation
 * two prefixes can have: nested either way, siblings sharing a leading
 * string (with and without the trailing "/" the driver adds), and the
 * whole bucket (empty prefix) next to a prefix.
 */
const LAYOUTS: Record<string, Disk[]> = {
  'public nested in protected': [
    { name: 'uploads', prefix: 'media/', mode: 'protected' },
    { name: 'avatars', prefix: 'media/avatars', mode: 'public' },
  ],
  'protected nested in public': [
    { name: 'site', prefix: 'site', mode: 'public' },
    { name: 'drafts', prefix: 'site/drafts/', mode: 'protected' },
  ],
  'siblings sharing a leading string': [
    {
      name: 'uploads',
      prefix: 'uploads',
      mode: 'protected',
      files: ['publications/file.txt', 'public-drafts/file.txt', 'public.txt'],
    },
    { name: 'public', prefix: 'uploads/public', mode: 'public' },
    { name: 'publications', prefix: 'uploads/publications/', mode: 'protected' },
  ],
  'whole-bucket protected next to a public prefix': [
    {
      name: 'everything',
      prefix: '',
      mode: 'protected',
      files: ['static-backup/file.txt', 'staticfile.txt'],
    },
    { name: 'static', prefix: 'static', mode: 'public' },
  ],
  'whole-bucket public next to a protected prefix': [
    { name: 'everything', prefix: '', mode: 'public', files: ['private-notes.txt'] },
    { name: 'private', prefix: 'private', mode: 'protected' },
  ],
}

/**
 * The disks as the resolver gives them to the edge: prefixes normalized.
 */
function resolved(disks: Disk[]) {
  return disks.map((disk) => ({
    mode: disk.mode,
    prefix: normalizePrefix(disk.prefix, `services.${disk.name}.prefix`),
    inlineActiveContent: false,
  }))
}

/**
 * The full key a disk stores `file` under, as the driver writes it.
 */
function keyOf(disk: Disk, file: string) {
  return disk.prefix === '' ? file : `${disk.prefix.replace(/\/?$/, '/')}${file}`
}

test.group('Local edge | behaviors from disk prefixes', () => {
  for (const [layout, disks] of Object.entries(LAYOUTS)) {
    test(`${layout}: every protected key needs a signature, every public key is open`, async ({
      assert,
      cleanup,
    }) => {
      const { fixture, cdn } = await startSigningEdgeFixture({
        behaviors: edgeBehaviorsOf(resolved(disks)),
        // Two disks of a layout may write one key in turn: this is about
        // which behavior answers a key, not how long the edge keeps it.
        cache: false,
      })
      cleanup(() => fixture.stop())
      const signer = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })

      for (const disk of disks) {
        for (const file of disk.files ?? ['file.txt']) {
          const key = keyOf(disk, file)
          await fixture.put(key, `${disk.name} body`)
          const url = cdnUrlFor(cdn, key)
          const unsigned = await fetch(url)
          assert.equal(
            unsigned.status,
            disk.mode === 'protected' ? 403 : 200,
            `${disk.mode} ${key} unsigned`
          )
          await unsigned.arrayBuffer()
          const signed = await fetch(signer.signUrl(url, { expiresIn: 60, now: NOW }))
          assert.equal(signed.status, 200, `${key} signed`)
          assert.equal(await signed.text(), `${disk.name} body`)
        }
      }
    })
  }
})

test.group('Local edge | sibling prefixes in an AdonisJS app (attack)', () => {
  test('a public disk "uploads/public" does not open the protected disk "uploads" file "publications/..."', async ({
    assert,
    cleanup,
  }) => {
    const app = await startAdonisApp({
      static: { prefix: 'uploads/public' },
      uploads: { prefix: 'uploads' },
    })
    cleanup(() => app.stop())
    await app.drive.use('uploads').put('publications/1/secret.txt', 'alice only')
    await app.drive.use('static').put('logo.txt', 'for everyone')

    const attack = await rawRequest(app.baseUrl, '/cdn/uploads/publications/1/secret.txt')
    assert.equal(attack.status, 403)
    assert.notInclude(attack.body.toString(), 'alice only')
    const open = await rawRequest(app.baseUrl, '/cdn/uploads/public/logo.txt')
    assert.equal(open.status, 200)
    assert.equal(open.body.toString(), 'for everyone')
  })
})

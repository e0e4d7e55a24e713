import { readFile } from 'node:fs/promises'
import drive from '@adonisjs/drive/services/main'
import users from './users/user_store.ts'
import { sampleStream, SAMPLE_STREAM_FOLDER } from './files/sample_stream.ts'

/**
 * What the demo needs in its store and user list, on a booted app: the
 * users alice and bob with these passwords, each user's sample stream
 * (played through a folder link) unless it is there already, and the
 * public logo. `npm run demo` calls it at every start, `node ace demo:seed`
 * in an installed copy.
 */
export async function seedDemo(passwords: { alice: string; bob: string }) {
  for (const [name, password] of Object.entries(passwords)) {
    await users.upsert(name, password)
    const user = (await users.findByUsername(name))!
    const folder = `${user.id}/${SAMPLE_STREAM_FOLDER}`
    if (await drive.use('uploads').exists(`${folder}index.m3u8`)) continue
    for (const [file, bytes] of sampleStream()) {
      await drive.use('uploads').put(`${folder}${file}`, bytes, {
        contentType: file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
      })
    }
  }
  const logo = await readFile(new URL('../resources/assets/logo.svg', import.meta.url))
  await drive.use('static').put('logo.svg', logo, { contentType: 'image/svg+xml' })
}

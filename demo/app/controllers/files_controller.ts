import { randomUUID } from 'node:crypto'
import { extname } from 'node:path'
import type { HttpContext } from '@adonisjs/core/http'
import drive from '@adonisjs/drive/services/main'
// In an app: `import type { DjamazingDriver } from 'djamazing'`.
import type { DjamazingDriver } from '../../../index.ts'
import files from '../files/file_index.ts'
import { attachmentDisposition } from '../files/content_disposition.ts'

/**
 * Images the gallery shows inline. Anything else (SVG and HTML included,
 * they can carry scripts) is stored as an opaque download.
 */
const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp'])

/**
 * Audio and video the gallery plays (and seeks: their links get the
 * disk's `mediaViews` lifetime).
 */
const MEDIA_TYPES = new Set(['audio/wav', 'audio/mpeg', 'audio/ogg', 'video/webm', 'video/mp4'])

export default class FilesController {
  async index({ view, auth }: HttpContext) {
    const user = auth.getUserOrFail()
    const uploads = drive.use('uploads')
    // README.md and docs/development.md show these lines: keep them in step.
    // flydrive's Disk has no method for a link with options: ask the driver.
    const uploadsDriver = uploads.driver as DjamazingDriver
    const owned = await files.ownedBy(user.id)
    const items = await Promise.all(
      owned.map(async (file) => ({
        ...file,
        isImage: INLINE_IMAGE_TYPES.has(file.contentType),
        isAudio: MEDIA_TYPES.has(file.contentType) && file.contentType.startsWith('audio/'),
        isVideo: MEDIA_TYPES.has(file.contentType) && file.contentType.startsWith('video/'),
        // A protected link, bound to the logged-in user.
        url: await uploads.getUrl(file.key),
        // The same, with the original name as a signed Content-Disposition.
        downloadUrl: await uploadsDriver.linkFor(file.key, {
          contentDisposition: attachmentDisposition(file.originalName),
        }),
      }))
    )
    return view.render('pages/files', { user, items })
  }

  async store({ request, response, auth, session }: HttpContext) {
    const user = auth.getUserOrFail()
    const file = request.file('file', { size: '20mb' })
    if (!file || !file.isValid || !file.tmpPath) {
      session.flash('error', file?.errors[0]?.message ?? 'Choose a file to upload.')
      return response.redirect('/files')
    }

    const detected = file.type && file.subtype ? `${file.type}/${file.subtype}` : ''
    const contentType =
      INLINE_IMAGE_TYPES.has(detected) || MEDIA_TYPES.has(detected)
        ? detected
        : 'application/octet-stream'
    // The key never contains the uploaded name (any text a browser sends):
    // the name is kept in the index and given back as the download name.
    const extension = extname(file.clientName)
      .toLowerCase()
      .replace(/[^a-z0-9.]/g, '')
      .slice(0, 10)
    const key = `${user.id}/${randomUUID()}${extension}`

    await file.moveToDisk(key, 'uploads', { contentType })
    await files.add({
      key,
      ownerId: user.id,
      originalName: file.clientName,
      contentType,
      size: file.size,
      uploadedAt: new Date().toISOString(),
    })
    session.flash('success', `Uploaded ${file.clientName}.`)
    return response.redirect('/files')
  }
}

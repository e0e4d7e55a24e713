import type { HttpContext } from '@adonisjs/core/http'
import drive from '@adonisjs/drive/services/main'
import type { DjamazingDriver } from 'djamazing'
import files from '../files/file_index.ts'
import { attachmentDisposition } from '../files/content_disposition.ts'
import { isInlineImage, isMedia } from '../files/stored_types.ts'
import { SAMPLE_STREAM_FOLDER } from '../files/sample_stream.ts'

export default class FilesController {
  async index({ view, auth }: HttpContext) {
    const user = auth.getUserOrFail()
    const uploads = drive.use('uploads')
    // docs/development.md shows these lines: keep them in step.
    // flydrive's Disk has no method for a link with options: ask the driver.
    const uploadsDriver = uploads.driver as DjamazingDriver
    const owned = await files.ownedBy(user.id)
    const items = await Promise.all(
      owned.map(async (file) => ({
        ...file,
        isImage: isInlineImage(file.contentType),
        isAudio: isMedia(file.contentType) && file.contentType.startsWith('audio/'),
        isVideo: isMedia(file.contentType) && file.contentType.startsWith('video/'),
        // A protected link, bound to the logged-in user.
        url: await uploads.getUrl(file.key),
        // Images: a thumbnail and its srcset, each a link bound to the user.
        ...(isInlineImage(file.contentType)
          ? {
              thumbUrl: await uploadsDriver.getVariantUrl(file.key, 'thumb'),
              thumbSrcset: await uploadsDriver.getSrcset(file.key, ['thumb', 'thumb2x']),
            }
          : {}),
        // The same, with the original name as a signed Content-Disposition.
        downloadUrl: await uploadsDriver.linkFor(file.key, {
          contentDisposition: attachmentDisposition(file.originalName),
        }),
      }))
    )
    // The sample stream: a folder link, whose redirect sets signed cookies
    // for the whole folder (playlist and segments) and lands on the playlist.
    const streamUrl = await uploadsDriver.linkForFolder(`${user.id}/${SAMPLE_STREAM_FOLDER}`, {
      entry: 'index.m3u8',
    })
    return view.render('pages/files', { user, items, streamUrl })
  }
}

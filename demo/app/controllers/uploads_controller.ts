import { randomUUID } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import drive from '@adonisjs/drive/services/main'
import type { DjamazingDriver } from 'djamazing'
import files from '../files/file_index.ts'
import { contentMatches, storedTypeFor } from '../files/stored_types.ts'

/**
 * Direct uploads: the browser sends the bytes to the bucket, never to this
 * app. The app decides the key and the type (start), and checks what was
 * stored before it lists the file (confirm). The browser side is
 * `djamazing/browser`, loaded by pages/files.edge.
 */
export default class UploadsController {
  /**
   * POST /uploads { name, type, size, checksum? } -> the upload target:
   * one PUT, or a multipart upload (large files, or no checksum).
   */
  async start({ request, auth, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const { type, size, checksum } = request.only(['type', 'size', 'checksum'])
    const { contentType, extension } = storedTypeFor(type)
    // The key never contains the client's file name (any text a browser
    // sends): the name is kept in the index and given back on download.
    const key = `${user.id}/${randomUUID()}${extension}`
    return withUploadErrors(response, () =>
      uploadsDriver().startUpload(key, { userId: user.id, contentType, size, checksum })
    )
  }

  /**
   * POST /uploads/confirm { token, name } -> the file, now listed.
   */
  async confirm({ request, auth, response, session }: HttpContext) {
    const user = auth.getUserOrFail()
    const { token, name } = request.only(['token', 'name'])
    return withUploadErrors(response, async () => {
      const upload = await uploadsDriver().confirmUpload(token, {
        userId: user.id,
        checkContent: (firstBytes, { contentType }) => contentMatches(firstBytes, contentType),
      })
      return listed(upload, name, user.id, session)
    })
  }

  /**
   * POST /uploads/parts { token, partNumber, checksum } -> where to PUT
   * that part of a multipart upload.
   */
  async signPart({ request, auth, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const { token, partNumber, checksum } = request.only(['token', 'partNumber', 'checksum'])
    return withUploadErrors(response, () =>
      uploadsDriver().signUploadPart(token, { userId: user.id, partNumber, checksum })
    )
  }

  /**
   * POST /uploads/parts/list { token } -> the parts stored, to resume.
   */
  async listParts({ request, auth, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const token = request.input('token')
    return withUploadErrors(response, async () => ({
      parts: await uploadsDriver().listUploadParts(token, { userId: user.id }),
    }))
  }

  /**
   * POST /uploads/complete { token, checksums, name } -> the file, now
   * listed.
   */
  async complete({ request, auth, response, session }: HttpContext) {
    const user = auth.getUserOrFail()
    const { token, checksums, name } = request.only(['token', 'checksums', 'name'])
    return withUploadErrors(response, async () => {
      const upload = await uploadsDriver().completeUpload(token, {
        userId: user.id,
        checksums,
        checkContent: (firstBytes, { contentType }) => contentMatches(firstBytes, contentType),
      })
      return listed(upload, name, user.id, session)
    })
  }

  /**
   * POST /uploads/abort { token }: a cancelled multipart upload's parts
   * are deleted.
   */
  async abort({ request, auth, response }: HttpContext) {
    const user = auth.getUserOrFail()
    const token = request.input('token')
    return withUploadErrors(response, async () => {
      await uploadsDriver().abortUpload(token, { userId: user.id })
      return { aborted: true }
    })
  }
}

/**
 * Lists a confirmed upload under the name the browser gave.
 */
async function listed(
  upload: Awaited<ReturnType<DjamazingDriver['confirmUpload']>>,
  name: unknown,
  ownerId: string,
  session: HttpContext['session']
) {
  const originalName = typeof name === 'string' && name.length > 0 ? name.slice(0, 255) : 'file'
  await files.add({
    key: upload.key,
    ownerId,
    originalName,
    contentType: upload.contentType,
    size: upload.size,
    uploadedAt: new Date().toISOString(),
  })
  session.flash('success', `Uploaded ${originalName}.`)
  return { key: upload.key, size: upload.size }
}

function uploadsDriver() {
  return drive.use('uploads').driver as DjamazingDriver
}

/**
 * djamazing's upload errors carry their HTTP status (400 bad request, 403
 * another user's upload, 410 expired, 422 refused) and a message meant
 * for the person uploading; the browser module shows it.
 */
async function withUploadErrors<T>(response: HttpContext['response'], action: () => Promise<T>) {
  try {
    return await action()
  } catch (error: any) {
    if (typeof error?.code === 'string' && /^E_DJAMAZING_.*UPLOAD/.test(error.code)) {
      return response.status(error.status).send({ message: error.message })
    }
    throw error
  }
}

import { join } from 'node:path'
import env from '../../start/env.ts'
import { JsonFile } from '../json_file.ts'

export type StoredFile = {
  /**
   * The object key on the `uploads` disk: `<user id>/<random id><ext>`.
   */
  key: string
  ownerId: string
  /**
   * The name the file had on the uploader's machine; downloads get it back
   * through a signed content disposition.
   */
  originalName: string
  contentType: string
  size: number
  uploadedAt: string
}

/**
 * Which files each user uploaded, in `files.json` in the data folder. The
 * bytes themselves are on the `uploads` disk.
 */
class FileIndex {
  #file = new JsonFile<StoredFile>(join(env.get('DEMO_DATA_DIR'), 'files.json'))

  async ownedBy(ownerId: string): Promise<StoredFile[]> {
    const files = await this.#file.read()
    return files
      .filter((file) => file.ownerId === ownerId)
      .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt))
  }

  async add(file: StoredFile): Promise<void> {
    await this.#file.update((files) => [...files, file])
  }
}

export default new FileIndex()

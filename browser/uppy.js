/*
 * djamazing/browser/uppy: the options of `@uppy/aws-s3` 6 for an app on
 * Uppy, with the guarantees of `directUpload` (docs/uploads.md): uploads
 * started by the app for the logged-in user and the declared size, each
 * part signed with the SHA-256 of its bytes, completed (and checked) by the
 * app, resumed after a network loss or a reload, cancelled on the server
 * too. No Companion server.
 *
 * Why `signRequest` and not Companion's routes (`companionEndpoint`): the
 * Companion client asks for a part's URL with no way to send the part's
 * SHA-256, and PUTs the part with no header but its body, so the store could
 * not check any part (transloadit/uppy#3885); it also sends no CSRF header.
 * `signRequest` runs in the page: here it reads and hashes the part Uppy is
 * about to send, and asks the app's routes (the same JSON routes as
 * `directUpload`) for a URL that signs that hash. The calls Uppy would make
 * to S3 itself (create, list parts, complete, abort) are made to the app's
 * routes instead, and their answers handed to Uppy as the XML S3 would give
 * (a `data:` URL): only the parts go to the store.
 */

import { DirectUploadError, sha256Base64 } from './direct_upload.js'

const MIB = 1024 * 1024
const MAX_PARTS = 10_000

/**
 * The part size of a multipart upload of `size` bytes: `preferred`, or
 * larger (whole MiB) when that needs more than 10,000 parts. The server
 * cuts the same way (`uploads.partSize`).
 *
 * @param {number} size
 * @param {number} preferred
 */
function partSizeFor(size, preferred) {
  return Math.max(preferred, Math.ceil(size / MAX_PARTS / MIB) * MIB)
}

/**
 * @param {string} text
 */
function escapeXml(text) {
  return String(text).replace(
    /[<>&"']/g,
    (character) =>
      ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[character]
  )
}

/**
 * An answer Uppy reads as S3's, without a request leaving the page.
 *
 * @param {string} xml
 */
function xmlAnswer(xml) {
  return `data:application/xml,${encodeURIComponent(xml)}`
}

/**
 * @param {File | Blob} file
 * @param {string} name
 */
function resumeKey(file, name) {
  const modified = 'lastModified' in file ? file.lastModified : 0
  return `djamazing-uppy:${name}:${file.size}:${modified}`
}

/**
 * @typedef {{ token: string, key: string, partSize: number, partCount: number, expiresAt: string }} Remembered
 */

/**
 * @param {string} key
 * @returns {Remembered | null}
 */
function remembered(key) {
  try {
    const value = JSON.parse(globalThis.localStorage?.getItem(key) ?? 'null')
    return typeof value?.token === 'string' &&
      typeof value.key === 'string' &&
      Number.isSafeInteger(value.partSize) &&
      Number.isSafeInteger(value.partCount) &&
      Date.parse(value.expiresAt) > Date.now()
      ? value
      : null
  } catch {
    return null
  }
}

/**
 * @param {string} key
 * @param {Remembered | null} value
 */
function remember(key, value) {
  try {
    if (value) globalThis.localStorage?.setItem(key, JSON.stringify(value))
    else globalThis.localStorage?.removeItem(key)
  } catch {
    // Storage full or denied: the upload works, it only cannot resume.
  }
}

/**
 * POSTs JSON to one of the app's routes and reads its JSON answer; a
 * refusal becomes a `DirectUploadError` with the app's message.
 *
 * @param {'start' | 'part' | 'confirm'} code
 * @param {string} url
 * @param {unknown} body
 * @param {Record<string, string> | undefined} headers
 */
async function postJson(code, url, body, headers) {
  let response
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'accept': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
  } catch (error) {
    throw new DirectUploadError('network', 'The app could not be reached. Please try again.', {
      cause: error,
    })
  }
  const answer = await response.json().catch(() => null)
  if (!response.ok) {
    const said = answer?.message ?? answer?.errors?.[0]?.message
    const what = code === 'start' ? 'The upload could not be started' : 'The upload was refused'
    throw new DirectUploadError(code, said ? `${what}: ${said}` : `${what} (${response.status}).`, {
      status: response.status,
    })
  }
  return answer
}

/**
 * Runs `retry` once the browser is online again, after `ms`.
 *
 * @param {number} ms
 * @param {() => void} retry
 */
function whenOnline(ms, retry) {
  const later = () => setTimeout(retry, ms)
  if (globalThis.navigator?.onLine === false) {
    globalThis.addEventListener('online', later, { once: true })
  } else later()
}

/**
 * The options of `@uppy/aws-s3` for uploads through the app's direct
 * upload routes. It also listens on `uppy`: a file added again after a
 * reload resumes its upload, a file whose upload failed for the network is
 * retried once the browser is online, a file removed (or cancelled)
 * aborts its upload on the server.
 *
 * @param {import('./uppy.d.ts').UppyForOptions} uppy
 * @param {import('./uppy.d.ts').UppyS3Options} options
 */
export function uppyS3Options(uppy, options) {
  const route = (/** @type {'sign' | 'list' | 'complete' | 'abort'} */ which) => {
    const given = options.multipart?.[which]
    if (given) return given
    const paths = { sign: '/parts', list: '/parts/list', complete: '/complete', abort: '/abort' }
    return `${options.start.replace(/\/$/, '')}${paths[which]}`
  }
  const preferredPartSize = options.partSize ?? 16 * MIB
  const retries = options.retries ?? 5

  /**
   * Uploads in progress, by token (Uppy's upload id): the file, its plan,
   * and the SHA-256 of each part hashed so far.
   *
   * @type {Map<string, { fileId: string, resumeKey: string, key: string, partSize: number, checksums: (string | null)[] }>}
   */
  const uploads = new Map()
  /**
   * Consecutive network failures, by file id.
   *
   * @type {Map<string, number>}
   */
  const failures = new Map()

  const fileOf = (/** @type {string} */ fileId) => {
    const file = uppy.getFile(fileId)
    if (!file?.data) {
      throw new DirectUploadError('aborted', 'The file was removed.')
    }
    return file
  }
  const upload = (/** @type {string} */ token) => {
    const found = uploads.get(token)
    if (!found) throw new DirectUploadError('aborted', 'The upload was cancelled.')
    return found
  }
  const slice = (
    /** @type {Blob} */ data,
    /** @type {number} */ partSize,
    /** @type {number} */ partNumber
  ) => data.slice((partNumber - 1) * partSize, Math.min(data.size, partNumber * partSize))
  const forget = (/** @type {string} */ token) => {
    const found = uploads.get(token)
    if (!found) return
    uploads.delete(token)
    remember(found.resumeKey, null)
  }
  const abort = (/** @type {string} */ token) => {
    forget(token)
    return postJson('part', route('abort'), { token }, options.headers).catch(() => {})
  }

  /**
   * A started upload Uppy no longer resumes (expired, refused, gone): the
   * next try starts anew.
   *
   * @param {string} token
   */
  const drop = (token) => {
    const found = uploads.get(token)
    forget(token)
    if (found && uppy.getFile(found.fileId)) {
      uppy.setFileState(found.fileId, { s3Multipart: undefined })
    }
  }

  /**
   * @param {{ key: string }} request
   */
  const create = async ({ key: fileId }) => {
    const file = fileOf(fileId)
    const data = file.data
    const name = file.name ?? 'file'
    const target = await postJson(
      'start',
      options.start,
      { name, type: data.type || file.type || '', size: data.size },
      options.headers
    )
    if (target?.method !== 'multipart' || typeof target.token !== 'string') {
      throw new DirectUploadError('start', 'The app answered without a multipart upload target.')
    }
    const partSize = partSizeFor(data.size, preferredPartSize)
    if (target.partSize !== partSize) {
      // Uppy has cut the file already: its parts must be the ones signed.
      await abort(target.token)
      throw new DirectUploadError(
        'start',
        `The app cuts uploads in parts of ${target.partSize} bytes, this page in ${partSize}: set the partSize option to the disk's uploads.partSize.`
      )
    }
    const entry = {
      fileId,
      resumeKey: resumeKey(data, name),
      key: target.key,
      partSize,
      checksums: Array.from({ length: target.partCount }, () => null),
    }
    uploads.set(target.token, entry)
    remember(entry.resumeKey, {
      token: target.token,
      key: target.key,
      partSize,
      partCount: target.partCount,
      expiresAt: target.expiresAt,
    })
    return {
      url: xmlAnswer(
        `<InitiateMultipartUploadResult><Key>${escapeXml(target.key)}</Key><UploadId>${escapeXml(target.token)}</UploadId></InitiateMultipartUploadResult>`
      ),
      key: target.key,
    }
  }

  /**
   * @param {{ uploadId: string, partNumber: number }} request
   */
  const signPart = async ({ uploadId: token, partNumber }) => {
    const entry = upload(token)
    const part = slice(fileOf(entry.fileId).data, entry.partSize, partNumber)
    // The bytes Uppy sends next are this slice of the same file: hashed
    // here, signed by the app, checked by the store.
    const checksum = await sha256Base64(part)
    const target = await postJson(
      'part',
      route('sign'),
      { token, partNumber, checksum },
      options.headers
    )
    entry.checksums[partNumber - 1] = checksum
    return { url: target.url, headers: target.headers }
  }

  /**
   * @param {{ uploadId: string }} request
   */
  const listParts = async ({ uploadId: token }) => {
    const entry = upload(token)
    const data = fileOf(entry.fileId).data
    let answer
    try {
      answer = await postJson('part', route('list'), { token }, options.headers)
    } catch (error) {
      const status = /** @type {DirectUploadError} */ (error).status
      if (status !== undefined && status >= 400 && status < 500) drop(token)
      throw error
    }
    /** @type {{ partNumber: number, size: number, checksum?: string, etag: string }[]} */
    const parts = Array.isArray(answer?.parts) ? answer.parts : []
    const held = parts.filter(
      (part) =>
        part.partNumber >= 1 &&
        part.partNumber <= entry.checksums.length &&
        part.size === slice(data, entry.partSize, part.partNumber).size
    )
    for (const part of held) entry.checksums[part.partNumber - 1] ??= part.checksum ?? null
    const xml = held
      .map(
        (part) =>
          `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXml(part.etag.replace(/"/g, '') || 'stored')}</ETag></Part>`
      )
      .join('')
    return { url: xmlAnswer(`<ListPartsResult>${xml}</ListPartsResult>`) }
  }

  /**
   * @param {{ uploadId: string }} request
   */
  const complete = async ({ uploadId: token }) => {
    const entry = upload(token)
    const file = fileOf(entry.fileId)
    // Parts stored before a reload were hashed by the page before: hash
    // them again from the file (they are not sent again).
    for (const [index, checksum] of entry.checksums.entries()) {
      if (checksum === null) {
        entry.checksums[index] = await sha256Base64(slice(file.data, entry.partSize, index + 1))
      }
    }
    let answer
    try {
      answer = await postJson(
        'confirm',
        route('complete'),
        { token, checksums: entry.checksums, name: file.name ?? 'file' },
        options.headers
      )
    } catch (error) {
      const status = /** @type {DirectUploadError} */ (error).status
      if (status !== undefined && status >= 400 && status < 500) drop(token)
      throw error
    }
    forget(token)
    options.onComplete?.(file, answer)
    const key = escapeXml(typeof answer?.key === 'string' ? answer.key : entry.key)
    return {
      url: xmlAnswer(
        `<CompleteMultipartUploadResult><Location>${key}</Location><Key>${key}</Key></CompleteMultipartUploadResult>`
      ),
    }
  }

  // A file chosen again after a reload: Uppy resumes an upload it finds in
  // the file's state (listing the parts stored, sending only the others).
  uppy.on('file-added', (file) => {
    if (!file.data) return
    const key = resumeKey(file.data, file.name ?? 'file')
    const kept = remembered(key)
    if (!kept) return remember(key, null)
    // Restored with another upload's state (by @uppy/golden-retriever, say):
    // not ours to resume.
    if (file.s3Multipart && file.s3Multipart.uploadId !== kept.token) return
    uploads.set(kept.token, {
      fileId: file.id,
      resumeKey: key,
      key: kept.key,
      partSize: kept.partSize,
      checksums: Array.from({ length: kept.partCount }, () => null),
    })
    uppy.setFileState(file.id, { s3Multipart: { uploadId: kept.token, key: kept.key } })
  })

  // Uppy 6 gives up on a part when the network fails; the upload goes on
  // once the browser is online again, from the parts stored. Uppy's own
  // retryAll (its Dashboard's Retry button) when only such files failed:
  // it ends with Uppy's `complete` event, as the first try would have.
  /** @type {Set<string>} */
  const toRetry = new Set()
  let retrying = false
  uppy.on('upload-error', (file, error) => {
    if (!file) return
    const network =
      globalThis.navigator?.onLine === false ||
      /** @type {{ code?: string }} */ (error)?.code === 'NETWORK' ||
      /** @type {{ code?: string }} */ (error)?.code === 'network'
    if (!network) return
    const failed = (failures.get(file.id) ?? 0) + 1
    if (failed > retries) return
    failures.set(file.id, failed)
    toRetry.add(file.id)
    if (retrying) return
    retrying = true
    whenOnline(Math.min(30_000, 1000 * 2 ** (failed - 1)), () => {
      retrying = false
      const ids = [...toRetry].filter((id) => uppy.getFile(id)?.error)
      toRetry.clear()
      if (ids.length === 0) return
      const othersFailed = uppy.getFiles().some((other) => other.error && !ids.includes(other.id))
      if (othersFailed) for (const id of ids) void uppy.retryUpload(id)
      else void uppy.retryAll()
    })
  })
  uppy.on('s3-multipart:part-uploaded', (file) => {
    if (file) failures.delete(file.id)
  })
  uppy.on('file-removed', (file) => {
    failures.delete(file.id)
    for (const [token, entry] of uploads) {
      if (entry.fileId === file.id) void abort(token)
    }
  })

  return {
    // Every upload goes in parts: each one is checksummed, and completing
    // is where the app checks and keeps the file.
    shouldUseMultipart: (/** @type {{ size: number | null }} */ file) => (file.size ?? 0) > 0,
    getChunkSize: (/** @type {{ size: number }} */ file) =>
      partSizeFor(file.size, preferredPartSize),
    // Only a handle on the file: the app picks the key.
    generateObjectKey: (/** @type {{ id: string }} */ file) => file.id,
    allowedMetaFields: false,
    /**
     * @param {import('./uppy.d.ts').SignedRequest} request
     */
    signRequest: async (request) => {
      if (request.method === 'POST' && request.uploadId === undefined) return create(request)
      if (request.method === 'PUT' && request.partNumber !== undefined) return signPart(request)
      if (request.method === 'GET' && request.uploadId !== undefined) return listParts(request)
      if (request.method === 'POST') return complete(request)
      if (request.method === 'DELETE' && request.uploadId !== undefined) {
        if (uploads.has(request.uploadId)) await abort(request.uploadId)
        return { url: xmlAnswer('') }
      }
      throw new DirectUploadError('start', 'An empty file has no part to upload.')
    },
  }
}

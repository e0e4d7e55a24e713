/*
 * djamazing/browser: direct uploads from any page, no framework, no build
 * step. Serve this file as it is (it has no imports) and load it with
 * `<script type="module">`. The flow and the server side are in
 * docs/uploads.md.
 *
 * 1. The file's SHA-256 is computed here (Web Crypto, so the page must be
 *    a secure context: https, or http://localhost).
 * 2. The app's start endpoint gets { name, type, size, checksum } and
 *    answers with an upload target: { method, url, headers, token }.
 * 3. The file goes straight to the store with that method, URL and those
 *    headers (XMLHttpRequest, for upload progress events).
 * 4. The app's confirm endpoint gets { token, name } and checks the stored
 *    object before keeping it. Its JSON answer is what `directUpload` returns.
 *
 * From `multipartThreshold` bytes the upload is multipart: no checksum of
 * the whole file is sent, the app answers { method: 'multipart', token,
 * partSize, partCount }, and the file is read part by part (memory bounded
 * whatever its size), each part hashed as it is read, its URL asked for
 * with that hash, a few parts in flight, a failed part retried. The token
 * is kept in localStorage: the same file chosen again after a reload
 * continues where it stopped.
 */

/**
 * A failed upload, with a message meant for people and a `code` meant for
 * code: 'checksum', 'start', 'network', 'expired', 'refused', 'upload',
 * 'confirm' or 'aborted'. `status` is the HTTP status when there was one.
 */
export class DirectUploadError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{ status?: number, cause?: unknown }} [details]
   */
  constructor(code, message, details = {}) {
    super(message, { cause: details.cause })
    this.name = 'DirectUploadError'
    this.code = code
    this.status = details.status
  }
}

/**
 * The base64 SHA-256 of a file, as `x-amz-checksum-sha256` carries it.
 * Web Crypto hashes one buffer: the whole file is read into memory once.
 *
 * @param {Blob} file
 * @returns {Promise<string>}
 */
export async function sha256Base64(file) {
  if (!globalThis.crypto?.subtle) {
    throw new DirectUploadError(
      'checksum',
      'This page cannot compute checksums: open it over https (or http://localhost).'
    )
  }
  return base64Sha256(await file.arrayBuffer())
}

/**
 * @param {ArrayBuffer} bytes
 * @returns {Promise<string>}
 */
async function base64Sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  let binary = ''
  for (const byte of digest) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * What the store's XML error means for the person uploading.
 *
 * @param {number} status
 * @param {string} body
 */
function storeError(status, body) {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? ''
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? ''
  if (code === 'AccessDenied' && /expired/i.test(message)) {
    return new DirectUploadError(
      'expired',
      'The upload link expired before the upload started. Please try again.',
      { status }
    )
  }
  if (
    ['SignatureDoesNotMatch', 'BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch'].includes(
      code
    ) ||
    /checksum/i.test(code)
  ) {
    return new DirectUploadError(
      'refused',
      'The storage refused the file: it is not the file the upload was started for (its size, type or content changed). Please choose it again.',
      { status }
    )
  }
  if (code === 'EntityTooLarge') {
    return new DirectUploadError('refused', 'The file is too large for the storage.', { status })
  }
  return new DirectUploadError(
    'upload',
    `The storage did not accept the file (${status}${code ? ` ${code}` : ''}). Please try again.`,
    { status }
  )
}

/**
 * PUTs the file to the target, reporting progress.
 *
 * @param {Blob} file
 * @param {{ method: string, url: string, headers: Record<string, string> }} target
 * @param {{ onProgress?: (progress: { loaded: number, total: number }) => void, signal?: AbortSignal }} options
 * @returns {Promise<void>}
 */
function put(file, target, options) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open(target.method, target.url)
    for (const [name, value] of Object.entries(target.headers)) {
      request.setRequestHeader(name, value)
    }
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) options.onProgress?.({ loaded: event.loaded, total: event.total })
    })
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) resolve()
      else reject(storeError(request.status, request.responseText))
    })
    // A browser tells scripts nothing more about a network or CORS failure.
    request.addEventListener('error', () =>
      reject(
        new DirectUploadError(
          'network',
          "The file could not be sent to the storage: the network failed, or the storage's CORS rule does not allow this site."
        )
      )
    )
    request.addEventListener('abort', () =>
      reject(new DirectUploadError('aborted', 'The upload was cancelled.'))
    )
    if (options.signal) {
      if (options.signal.aborted) request.abort()
      options.signal.addEventListener('abort', () => request.abort(), { once: true })
    }
    request.send(file)
  })
}

/**
 * POSTs JSON to one of the app's endpoints and reads its JSON answer.
 *
 * @param {string} code 'start', 'confirm' or (multipart) 'part'
 * @param {string} url
 * @param {unknown} body
 * @param {{ headers?: Record<string, string>, signal?: AbortSignal }} options
 */
async function postJson(code, url, body, options) {
  let response
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        'accept': 'application/json',
        ...options.headers,
      },
      body: JSON.stringify(body),
      signal: options.signal,
    })
  } catch (error) {
    if (options.signal?.aborted) {
      throw new DirectUploadError('aborted', 'The upload was cancelled.', { cause: error })
    }
    throw new DirectUploadError('network', 'The app could not be reached. Please try again.', {
      cause: error,
    })
  }
  const answer = await response.json().catch(() => null)
  if (!response.ok) {
    // AdonisJS answers { message } or { errors: [{ message }] }.
    const said = answer?.message ?? answer?.errors?.[0]?.message
    const what =
      code === 'start'
        ? 'The upload could not be started'
        : code === 'part'
          ? 'The upload could not go on'
          : 'The upload was refused'
    // djamazing's own messages already say it is about the upload ("Upload rejected: ...").
    const message = !said
      ? `${what} (${response.status}).`
      : /\bupload\b/i.test(said)
        ? `${said.charAt(0).toUpperCase()}${said.slice(1)}`
        : `${what}: ${said}`
    throw new DirectUploadError(code, message, {
      status: response.status,
    })
  }
  return answer
}

/**
 * Uploads a file straight to the store: checksum, start, PUT, confirm; or,
 * from `multipartThreshold` bytes, start, parts, complete.
 *
 * `start` and `confirm` are the app's endpoint URLs (POSTed as JSON, with
 * the page's cookies and `headers`, e.g. a CSRF token), or functions doing
 * the same: `start(details)` resolves to the upload target, `confirm({
 * token, name })` to the confirm answer. A multipart upload uses
 * `multipart.sign`, `.list`, `.complete` and `.abort`, by default `start`
 * followed by `/parts`, `/parts/list`, `/complete` and `/abort`.
 *
 * @param {File | Blob} file
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 * @returns {Promise<any>} the confirm (or complete) endpoint's answer
 */
export async function directUpload(file, options) {
  const name = 'name' in file && typeof file.name === 'string' ? file.name : 'file'
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD
  if (file.size >= threshold) return multipartUpload(file, name, options)

  options.onPhase?.('checksum')
  const checksum = await sha256Base64(file)

  options.onPhase?.('start')
  const details = { name, type: file.type, size: file.size, checksum }
  const target = await startWith(options, details)
  if (target?.method === 'multipart') return multipartWith(file, name, target, options)
  if (!target || typeof target.url !== 'string' || typeof target.token !== 'string') {
    throw new DirectUploadError('start', 'The app answered without an upload target.')
  }

  options.onPhase?.('upload')
  await put(
    file,
    { method: target.method ?? 'PUT', url: target.url, headers: target.headers ?? {} },
    options
  )

  options.onPhase?.('confirm')
  const confirmation = { token: target.token, name }
  return typeof options.confirm === 'function'
    ? options.confirm(confirmation)
    : postJson('confirm', options.confirm, confirmation, options)
}

const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 * 1024

/**
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 * @param {object} details
 */
function startWith(options, details) {
  return typeof options.start === 'function'
    ? options.start(details)
    : postJson('start', options.start, details, options)
}

/**
 * The URL of one multipart endpoint: the one given, or `start` followed by
 * its default path.
 *
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 * @param {'sign' | 'list' | 'complete' | 'abort'} which
 */
function endpoint(options, which) {
  const given = options.multipart?.[which]
  if (given) return given
  if (typeof options.start !== 'string') {
    throw new DirectUploadError('start', `A multipart upload needs the multipart.${which} URL.`)
  }
  const paths = { sign: '/parts', list: '/parts/list', complete: '/complete', abort: '/abort' }
  return `${options.start.replace(/\/$/, '')}${paths[which]}`
}

/**
 * Where a started multipart upload is remembered, per file: the same file
 * chosen again (same name, size and modification time) resumes it.
 *
 * @param {Blob} file
 * @param {string} name
 */
function resumeKey(file, name) {
  const modified = 'lastModified' in file ? file.lastModified : 0
  return `djamazing-upload:${name}:${file.size}:${modified}`
}

/**
 * @typedef {{ token: string, partSize: number, partCount: number, checksums: (string | null)[] }} Remembered
 */

/**
 * @param {string} key
 * @returns {Remembered | null}
 */
function remembered(key) {
  try {
    const value = JSON.parse(globalThis.localStorage?.getItem(key) ?? 'null')
    return typeof value?.token === 'string' &&
      Number.isSafeInteger(value.partSize) &&
      Number.isSafeInteger(value.partCount) &&
      Array.isArray(value.checksums)
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
 * @param {Blob} file
 * @param {string} name
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 */
async function multipartUpload(file, name, options) {
  const key = resumeKey(file, name)
  const kept = remembered(key)
  if (kept) {
    options.onPhase?.('start')
    const held = await postJson('part', endpoint(options, 'list'), { token: kept.token }, options)
      .then((answer) => answer?.parts)
      .catch((error) => {
        // Expired, gone or refused: start again from the beginning.
        if (error?.code === 'part' && error.status >= 400 && error.status < 500) return null
        throw error
      })
    if (Array.isArray(held)) {
      return sendParts(file, name, kept, options, {
        key,
        held,
        checksums: kept.checksums,
      })
    }
    remember(key, null)
  }
  options.onPhase?.('start')
  const target = await startWith(options, { name, type: file.type, size: file.size })
  if (target?.method !== 'multipart') {
    throw new DirectUploadError('start', 'The app answered without a multipart upload target.')
  }
  return multipartWith(file, name, target, options)
}

/**
 * @param {Blob} file
 * @param {string} name
 * @param {{ token: string, partSize: number, partCount: number }} target
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 */
function multipartWith(file, name, target, options) {
  const key = resumeKey(file, name)
  return sendParts(file, name, target, options, { key, held: [], checksums: [] })
}

/**
 * Sends the parts the store does not hold yet, `concurrency` at a time,
 * then completes the upload.
 *
 * @param {Blob} file
 * @param {string} name
 * @param {{ token: string, partSize: number, partCount: number }} target
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 * @param {{ key: string, held: { partNumber: number, size: number, checksum?: string }[], checksums: (string | null)[] }} resume
 */
async function sendParts(file, name, target, options, resume) {
  const { token, partSize, partCount } = target
  const checksums = Array.from({ length: partCount }, (_, index) => resume.checksums[index] ?? null)
  const sliceOf = (/** @type {number} */ partNumber) =>
    file.slice((partNumber - 1) * partSize, Math.min(file.size, partNumber * partSize))
  const held = new Set()
  for (const part of resume.held) {
    if (part.size !== sliceOf(part.partNumber).size) continue
    // A part the store holds needs its checksum for complete: remembered,
    // reported by the store, or hashed again (not sent again).
    checksums[part.partNumber - 1] ??= part.checksum ?? null
    held.add(part.partNumber)
  }
  remember(resume.key, { token, partSize, partCount, checksums })
  const cancel = () => {
    remember(resume.key, null)
    return postJson(
      'part',
      endpoint(options, 'abort'),
      { token },
      { headers: options.headers }
    ).catch(() => {})
  }
  if (options.signal?.aborted) {
    await cancel()
    throw new DirectUploadError('aborted', 'The upload was cancelled.')
  }
  const onAbort = () => void cancel()
  options.signal?.addEventListener('abort', onAbort, { once: true })

  options.onPhase?.('upload')
  const loaded = new Map()
  let done = 0
  for (const partNumber of held) done += sliceOf(partNumber).size
  const report = () => {
    let inFlight = 0
    for (const value of loaded.values()) inFlight += value
    options.onProgress?.({ loaded: done + inFlight, total: file.size })
  }
  report()

  const queue = []
  for (let partNumber = 1; partNumber <= partCount; partNumber++) {
    if (!held.has(partNumber)) queue.push(partNumber)
  }
  const concurrency = Math.min(options.concurrency ?? 3, queue.length)
  // Parts are read and hashed one at a time, in order, up to `concurrency`
  // parts ahead of the ones sent: a part's PUT starts as soon as a slot
  // frees, instead of after its own read and hash (the parts in flight
  // finish together, so hashing then left the network idle). The bytes are
  // dropped once hashed; the PUT sends the slice from the file itself.
  const toHash = [...queue]
  /** @type {Map<number, Promise<string>>} */
  const hashes = new Map()
  let reading = Promise.resolve()
  let taken = 0
  const hashAhead = () => {
    while (toHash.length > 0 && hashes.size - taken < concurrency) {
      const slice = sliceOf(toHash[0])
      const checksum = reading.then(async () => base64Sha256(await slice.arrayBuffer()))
      // A failed read fails its own part, when that part is sent.
      reading = checksum.catch(() => {})
      hashes.set(toHash.shift(), checksum)
    }
  }
  const sendOne = async (/** @type {number} */ partNumber) => {
    // Parts are taken in the order they are hashed: this one is hashed or
    // being hashed once the next ones are asked for.
    taken += 1
    hashAhead()
    const slice = sliceOf(partNumber)
    const checksum = await hashes.get(partNumber)
    checksums[partNumber - 1] = checksum
    await withRetries(options, async () => {
      const part = await postJson(
        'part',
        endpoint(options, 'sign'),
        { token, partNumber, checksum },
        options
      )
      await put(slice, part, {
        signal: options.signal,
        onProgress: ({ loaded: sent }) => {
          loaded.set(partNumber, sent)
          report()
        },
      }).catch((error) => {
        loaded.delete(partNumber)
        report()
        throw error
      })
    })
    loaded.delete(partNumber)
    done += slice.size
    remember(resume.key, { token, partSize, partCount, checksums })
    report()
  }
  const workers = Array.from({ length: concurrency }, async () => {
    while (queue.length > 0) await sendOne(queue.shift())
  })
  try {
    await Promise.all(workers)
    for (const [index, checksum] of checksums.entries()) {
      if (checksum === null) {
        checksums[index] = await base64Sha256(await sliceOf(index + 1).arrayBuffer())
      }
    }
  } catch (error) {
    if (options.signal?.aborted) {
      throw new DirectUploadError('aborted', 'The upload was cancelled.', { cause: error })
    }
    throw error
  } finally {
    options.signal?.removeEventListener('abort', onAbort)
  }

  options.onPhase?.('confirm')
  const answer = await postJson(
    'confirm',
    endpoint(options, 'complete'),
    { token, checksums, name },
    options
  )
  remember(resume.key, null)
  return answer
}

/**
 * Runs `attempt` until it succeeds: after a network loss it waits for the
 * browser to be online again (not counted), after other failures it backs
 * off (1 s, 2 s, 4 s, ... up to 30 s) and gives up after `retries` (5).
 * A refusal by the app (4xx) is not retried.
 *
 * @param {import('./direct_upload.d.ts').DirectUploadOptions} options
 * @param {() => Promise<void>} attempt
 */
async function withRetries(options, attempt) {
  const retries = options.retries ?? 5
  for (let failures = 0; ;) {
    try {
      return await attempt()
    } catch (error) {
      if (options.signal?.aborted || error?.code === 'aborted') throw error
      if (error?.code === 'part' && error.status >= 400 && error.status < 500) throw error
      if (globalThis.navigator?.onLine === false) {
        await untilOnline(options.signal)
        continue
      }
      failures += 1
      if (failures > retries) throw error
      await delay(Math.min(30_000, 1000 * 2 ** (failures - 1)), options.signal)
    }
  }
}

/**
 * @param {AbortSignal} [signal]
 */
function untilOnline(signal) {
  return new Promise((resolve) => {
    const done = () => {
      globalThis.removeEventListener('online', done)
      signal?.removeEventListener('abort', done)
      resolve(undefined)
    }
    globalThis.addEventListener('online', done)
    signal?.addEventListener('abort', done)
  })
}

/**
 * @param {number} ms
 * @param {AbortSignal} [signal]
 */
function delay(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
  })
}

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
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))
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
 * @param {string} code 'start' or 'confirm'
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
    const what = code === 'start' ? 'The upload could not be started' : 'The upload was refused'
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
 * Uploads a file straight to the store: checksum, start, PUT, confirm.
 *
 * `start` and `confirm` are the app's endpoint URLs (POSTed as JSON, with
 * the page's cookies and `headers`, e.g. a CSRF token), or functions doing
 * the same: `start(details)` resolves to the upload target, `confirm({
 * token, name })` to the confirm answer.
 *
 * @param {File | Blob} file
 * @param {{
 *   start: string | ((details: { name: string, type: string, size: number, checksum: string }) => Promise<{ method: string, url: string, headers: Record<string, string>, token: string }>),
 *   confirm: string | ((details: { token: string, name: string }) => Promise<unknown>),
 *   headers?: Record<string, string>,
 *   onProgress?: (progress: { loaded: number, total: number }) => void,
 *   onPhase?: (phase: 'checksum' | 'start' | 'upload' | 'confirm') => void,
 *   signal?: AbortSignal,
 * }} options
 * @returns {Promise<any>} the confirm endpoint's answer
 */
export async function directUpload(file, options) {
  const name = 'name' in file && typeof file.name === 'string' ? file.name : 'file'
  options.onPhase?.('checksum')
  const checksum = await sha256Base64(file)

  options.onPhase?.('start')
  const details = { name, type: file.type, size: file.size, checksum }
  const target =
    typeof options.start === 'function'
      ? await options.start(details)
      : await postJson('start', options.start, details, options)
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

/**
 * Types of `djamazing/browser` (direct_upload.js), for apps written in
 * TypeScript. The module itself is plain JavaScript: see docs/uploads.md.
 */

export type DirectUploadErrorCode =
  'checksum' | 'start' | 'network' | 'expired' | 'refused' | 'upload' | 'confirm' | 'aborted'

export declare class DirectUploadError extends Error {
  code: DirectUploadErrorCode
  status: number | undefined
  constructor(
    code: DirectUploadErrorCode,
    message: string,
    details?: { status?: number; cause?: unknown }
  )
}

/**
 * What the start endpoint gets; no `checksum` when the upload is multipart.
 */
export type UploadDetails = { name: string; type: string; size: number; checksum?: string }

export type BrowserUploadTarget =
  | {
      method?: string
      url: string
      headers?: Record<string, string>
      token: string
    }
  | { method: 'multipart'; token: string; partSize: number; partCount: number }

export type DirectUploadOptions<Confirmed = unknown> = {
  start: string | ((details: UploadDetails) => Promise<BrowserUploadTarget>)
  confirm: string | ((details: { token: string; name: string }) => Promise<Confirmed>)
  headers?: Record<string, string>
  onProgress?: (progress: { loaded: number; total: number }) => void
  onPhase?: (phase: 'checksum' | 'start' | 'upload' | 'confirm') => void
  signal?: AbortSignal
  /**
   * Files of this size or more are uploaded in parts. Default 64 MiB (the
   * server's default `uploads.multipartThreshold`).
   */
  multipartThreshold?: number
  /**
   * The multipart endpoints (POSTed as JSON). Default: `start` followed by
   * `/parts`, `/parts/list`, `/complete` and `/abort`.
   */
  multipart?: { sign?: string; list?: string; complete?: string; abort?: string }
  /**
   * Parts sent at once. Default 3.
   */
  concurrency?: number
  /**
   * Times a failed part is tried again (backing off 1 s, 2 s, 4 s, ... up
   * to 30 s) before the upload fails; waiting for the network to come
   * back does not count. Default 5.
   */
  retries?: number
}

export declare function sha256Base64(file: Blob): Promise<string>

export declare function directUpload<Confirmed = unknown>(
  file: File | Blob,
  options: DirectUploadOptions<Confirmed>
): Promise<Confirmed>

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

export type UploadDetails = { name: string; type: string; size: number; checksum: string }

export type BrowserUploadTarget = {
  method?: string
  url: string
  headers?: Record<string, string>
  token: string
}

export type DirectUploadOptions<Confirmed = unknown> = {
  start: string | ((details: UploadDetails) => Promise<BrowserUploadTarget>)
  confirm: string | ((details: { token: string; name: string }) => Promise<Confirmed>)
  headers?: Record<string, string>
  onProgress?: (progress: { loaded: number; total: number }) => void
  onPhase?: (phase: 'checksum' | 'start' | 'upload' | 'confirm') => void
  signal?: AbortSignal
}

export declare function sha256Base64(file: Blob): Promise<string>

export declare function directUpload<Confirmed = unknown>(
  file: File | Blob,
  options: DirectUploadOptions<Confirmed>
): Promise<Confirmed>

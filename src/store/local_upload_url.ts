import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { cdnUrlFor, type CdnBase } from '../cdn_url.ts'
import { deriveHmacKey } from '../derived_key.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'

/*
 * Upload URLs of the local store: what an S3 presigned PUT is on S3. The
 * URL names the object; the signature covers the bucket, the key, the
 * expiry and the values of the request headers it lists, which the
 * uploader must send unchanged (as with S3's `X-Amz-SignedHeaders`).
 */

export const UPLOAD_QUERY = {
  expires: 'X-Djamazing-Expires',
  signedHeaders: 'X-Djamazing-SignedHeaders',
  signature: 'X-Djamazing-Signature',
} as const

/**
 * The request headers an upload URL can bind: the type and exact length
 * of the body, and a checksum of it (which the upload handler also checks
 * against the body, as S3 does).
 */
export const SIGNABLE_UPLOAD_HEADERS = [
  'content-length',
  'content-md5',
  'content-type',
  'x-amz-checksum-sha256',
] as const

export type SignableUploadHeader = (typeof SIGNABLE_UPLOAD_HEADERS)[number]

/**
 * The HMAC key of upload URLs, derived from a secret (the app key) for
 * this purpose only.
 */
export function uploadSigningKey(secret: string, setting: string): KeyObject {
  return deriveHmacKey(secret, 'djamazing local store upload URLs', setting)
}

/**
 * The part of a multipart upload a URL is for.
 */
export type UploadUrlPart = { uploadId: string; partNumber: number }

function signatureOf(
  key: KeyObject,
  bucket: string,
  objectKey: string,
  expires: string,
  headers: [string, string][],
  part: UploadUrlPart | undefined
): Buffer {
  // JSON keeps the fields apart whatever they hold; a part's URL signs
  // its upload and number too, so it cannot write another part or object.
  const fields: unknown[] = ['PUT', bucket, objectKey, expires, headers]
  if (part) fields.push([part.uploadId, part.partNumber])
  const message = JSON.stringify(fields)
  return createHmac('sha256', key).update(message).digest()
}

/**
 * A URL to PUT one object into a bucket of the local store: `<cdn base><key>?...`.
 */
export function signUploadUrl(
  key: KeyObject,
  target: {
    cdn: CdnBase
    bucket: string
    objectKey: string
    part?: UploadUrlPart
    expiresAt: number
    headers: Partial<Record<SignableUploadHeader, string>>
  }
): string {
  const headers = Object.entries(target.headers)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
  for (const [name, value] of headers) {
    if (!/^[\x20-\x7e]*$/.test(value)) {
      throw new E_DJAMAZING_INVALID_CONFIG([name, `${JSON.stringify(value)} is not a header value`])
    }
  }
  const expires = String(Math.floor(target.expiresAt))
  const signature = signatureOf(key, target.bucket, target.objectKey, expires, headers, target.part)
  const query = new URLSearchParams({
    ...(target.part && {
      partNumber: String(target.part.partNumber),
      uploadId: target.part.uploadId,
    }),
    [UPLOAD_QUERY.expires]: expires,
    [UPLOAD_QUERY.signedHeaders]: headers.map(([name]) => name).join(';'),
    [UPLOAD_QUERY.signature]: signature.toString('hex'),
  })
  return `${cdnUrlFor(target.cdn, target.objectKey)}?${query}`
}

/**
 * A request header's value, repeated ones joined as HTTP joins them.
 */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

export type UploadCheck =
  | { ok: true; part?: UploadUrlPart }
  | { ok: false; status: number; code: string; message: string; reason: string }

function refused(code: string, message: string, reason: string): UploadCheck {
  return { ok: false, status: 403, code, message, reason }
}

/**
 * Checks an upload request against its URL: the signature over the
 * bucket, the key, the expiry and the signed headers' values as sent now.
 */
export function verifyUploadUrl(
  key: KeyObject,
  request: {
    bucket: string
    objectKey: string
    query: string
    headers: IncomingHttpHeaders
    now: Date
  }
): UploadCheck {
  const params = new URLSearchParams(request.query)
  const values = Object.values(UPLOAD_QUERY).map((name) => params.getAll(name))
  if (values.some((all) => all.length !== 1)) {
    return refused(
      'AccessDenied',
      'Upload URLs carry X-Djamazing-Expires, X-Djamazing-SignedHeaders and X-Djamazing-Signature once each.',
      'missing-parameters'
    )
  }
  const [[expires], [signedHeaders], [signature]] = values
  if (!/^\d{1,12}$/.test(expires)) {
    return refused('AccessDenied', 'Invalid X-Djamazing-Expires.', 'malformed-expires')
  }
  if (Number(expires) * 1000 <= request.now.getTime()) {
    return refused('AccessDenied', 'Request has expired', 'expired')
  }
  const names = signedHeaders === '' ? [] : signedHeaders.split(';')
  const known = new Set<string>(SIGNABLE_UPLOAD_HEADERS)
  if (names.some((name, index) => !known.has(name) || (index > 0 && names[index - 1] >= name))) {
    return refused('AccessDenied', 'Invalid X-Djamazing-SignedHeaders.', 'malformed-headers')
  }
  const headers = names.map((name): [string, string] => [name, header(request.headers, name) ?? ''])
  const partNumber = params.getAll('partNumber')
  const uploadId = params.getAll('uploadId')
  if (partNumber.length > 1 || uploadId.length !== partNumber.length) {
    return refused(
      'AccessDenied',
      'A part URL carries partNumber and uploadId once each.',
      'malformed-part'
    )
  }
  const part =
    partNumber.length === 1 && /^\d{1,5}$/.test(partNumber[0])
      ? { uploadId: uploadId[0], partNumber: Number(partNumber[0]) }
      : undefined
  if (partNumber.length === 1 && !part) {
    return refused('AccessDenied', 'Invalid partNumber.', 'malformed-part')
  }
  const expected = signatureOf(key, request.bucket, request.objectKey, expires, headers, part)
  const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refused(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
      'bad-signature'
    )
  }
  return { ok: true, part }
}

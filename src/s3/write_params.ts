import type { ObjectVisibility, WriteOptions } from 'flydrive/types'
import { isActiveContentType } from '../active_content.ts'
import { contentTypeFor } from './content_type.ts'

/**
 * Parameters the driver sets itself: write options never override them.
 */
const PINNED = new Set(['ACL', 'Bucket', 'Key', 'Body', 'CopySource'])

/**
 * S3 parameters of a write, from flydrive's write options. The content
 * type is guessed from the key's extension when none is given, except an
 * active one (HTML, SVG, ...) on a disk that does not infer those.
 *
 * An ACL is sent only when the disk uses ACLs: buckets created since 2023
 * refuse any ACL but the owner's, so sending one would fail every write.
 * Other PascalCase options (`Metadata`, `StorageClass`, ...) pass through
 * as flydrive's S3 driver lets them, but never over Bucket, Key or Body.
 */
export function writeParams(
  key: string,
  options: WriteOptions | undefined,
  disk: {
    supportsACL: boolean
    visibility: ObjectVisibility
    infersActiveTypes: boolean
    cacheControl?: string
  }
) {
  const {
    visibility,
    contentType,
    contentLanguage,
    contentEncoding,
    contentDisposition,
    cacheControl,
    contentLength,
    ...rest
  } = options ?? {}

  const params: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(rest)) {
    if (!PINNED.has(name)) params[name] = value
  }
  if (disk.supportsACL) {
    params.ACL = (visibility ?? disk.visibility) === 'public' ? 'public-read' : 'private'
  }
  // A user's `x.html` on a protected disk is not made a page by its name:
  // without a `contentType`, S3 stores it as binary.
  const guessed = contentTypeFor(key)
  const type =
    contentType ?? (disk.infersActiveTypes || !isActiveContentType(guessed) ? guessed : undefined)
  if (type) params.ContentType = type
  // The disk's default lets CloudFront and browsers keep files written
  // without one of their own.
  if (cacheControl ?? disk.cacheControl) params.CacheControl = cacheControl ?? disk.cacheControl
  if (contentEncoding) params.ContentEncoding = contentEncoding
  if (contentLanguage) params.ContentLanguage = contentLanguage
  if (contentDisposition) params.ContentDisposition = contentDisposition
  if (contentLength !== undefined) params.ContentLength = contentLength
  return params
}

/**
 * Whether a copy sets its own metadata (then S3 must replace the
 * source's, or it silently keeps it).
 */
export function replacesMetadata(options: WriteOptions | undefined): boolean {
  if (!options) return false
  return [
    'contentType',
    'contentLanguage',
    'contentEncoding',
    'contentDisposition',
    'cacheControl',
    'Metadata',
  ].some((name) => options[name] !== undefined)
}

import type { ObjectVisibility, WriteOptions } from 'flydrive/types'
import { isActiveContentType } from '../active_content.ts'
import { contentTypeFor } from './content_type.ts'
import type { ObjectWrite } from './types.ts'

/**
 * The write options that set what is stored with the bytes: the headers
 * flydrive's write options name, and the PascalCase S3 parameters for what
 * they do not name, which flydrive's S3 driver lets through (`Metadata`,
 * `Expires`).
 */
const STORED = [
  'contentType',
  'contentLanguage',
  'contentEncoding',
  'contentDisposition',
  'cacheControl',
  'expires',
  'metadata',
  'Metadata',
  'Expires',
]

/**
 * The options a write interprets; any other (`StorageClass`, ...) goes to
 * S3 as it is.
 */
const NAMED = new Set(['visibility', 'contentLength', ...STORED])

/**
 * What a write of the driver stores, from flydrive's write options. The
 * content type is guessed from the key's extension when none is given,
 * except an active one (HTML, SVG, ...) on a disk that does not infer
 * those.
 *
 * An ACL is sent only when the disk uses ACLs: buckets created since 2023
 * refuse any ACL but the owner's, so sending one would fail every write.
 */
export function objectWrite(
  key: string,
  options: WriteOptions | undefined,
  disk: {
    supportsACL: boolean
    visibility: ObjectVisibility
    infersActiveTypes: boolean
    cacheControl?: string
  }
): ObjectWrite {
  const given = options ?? {}
  const write: ObjectWrite = {}
  const s3Params = Object.entries(given).filter(
    ([name, value]) => !NAMED.has(name) && value !== undefined
  )
  if (s3Params.length > 0) write.s3Params = Object.fromEntries(s3Params)
  if (disk.supportsACL) {
    write.acl = (given.visibility ?? disk.visibility) === 'public' ? 'public-read' : 'private'
  }
  // A user's `x.html` on a protected disk is not made a page by its name:
  // without a `contentType`, S3 stores it as binary.
  const guessed = contentTypeFor(key)
  const type =
    given.contentType ??
    (disk.infersActiveTypes || !isActiveContentType(guessed) ? guessed : undefined)
  if (type) write.contentType = type
  // The disk's default lets CloudFront and browsers keep files written
  // without one of their own.
  const cacheControl = given.cacheControl ?? disk.cacheControl
  if (cacheControl) write.cacheControl = cacheControl
  if (given.contentEncoding) write.contentEncoding = given.contentEncoding
  if (given.contentLanguage) write.contentLanguage = given.contentLanguage
  if (given.contentDisposition) write.contentDisposition = given.contentDisposition
  const expires = given.expires ?? given.Expires
  if (expires !== undefined) write.expires = new Date(expires)
  const metadata = given.metadata ?? given.Metadata
  if (metadata) write.metadata = metadata
  return write
}

/**
 * Whether a copy sets its own metadata (then the store must replace the
 * source's, or S3 silently keeps it).
 */
export function replacesMetadata(options: WriteOptions | undefined): boolean {
  return STORED.some((name) => options?.[name] !== undefined)
}

/**
 * The types the demo stores files as, decided by the app: the type the
 * browser declares only picks which check the content must pass, and the
 * key's extension comes from the type, never from the client's file name.
 *
 * Images the gallery shows inline, and video it plays, each
 * recognised by its first bytes. Anything else (SVG and HTML included,
 * they can carry scripts) is stored as an opaque download.
 */
const INLINE_IMAGES: Record<string, { extension: string; matches(head: Uint8Array): boolean }> = {
  'image/png': { extension: '.png', matches: (head) => startsWith(head, 0, PNG) },
  'image/jpeg': { extension: '.jpg', matches: (head) => startsWith(head, 0, [0xff, 0xd8, 0xff]) },
  'image/gif': {
    extension: '.gif',
    matches: (head) => startsWith(head, 0, ascii('GIF87a')) || startsWith(head, 0, ascii('GIF89a')),
  },
  'image/webp': {
    extension: '.webp',
    matches: (head) => startsWith(head, 0, ascii('RIFF')) && startsWith(head, 8, ascii('WEBP')),
  },
}

/**
 * Video the gallery plays: WebM, recognised by its EBML header. Its key
 * ends with `.webm`, which the disk's `redirects.mediaViews` recognises, so its link
 * gets a CloudFront URL that lives long enough to seek. (Other audio and
 * video stay downloads in the demo.)
 */
const MEDIA: Record<string, { extension: string; matches(head: Uint8Array): boolean }> = {
  'video/webm': {
    extension: '.webm',
    matches: (head) => startsWith(head, 0, [0x1a, 0x45, 0xdf, 0xa3]),
  },
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const DOWNLOAD = 'application/octet-stream'

function ascii(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0))
}

function startsWith(bytes: Uint8Array, offset: number, expected: number[]): boolean {
  return expected.every((byte, index) => bytes[offset + index] === byte)
}

export function isInlineImage(contentType: string): boolean {
  return Object.hasOwn(INLINE_IMAGES, contentType)
}

export function isMedia(contentType: string): boolean {
  return Object.hasOwn(MEDIA, contentType)
}

/**
 * The type a file is stored as, and its key's extension.
 */
export function storedTypeFor(declaredType: unknown): { contentType: string; extension: string } {
  if (typeof declaredType === 'string' && isInlineImage(declaredType)) {
    return { contentType: declaredType, extension: INLINE_IMAGES[declaredType].extension }
  }
  if (typeof declaredType === 'string' && isMedia(declaredType)) {
    return { contentType: declaredType, extension: MEDIA[declaredType].extension }
  }
  return { contentType: DOWNLOAD, extension: '.bin' }
}

/**
 * Whether the first bytes of a file are of the type it is stored as:
 * served inline, a "PNG" that is really HTML would be a stored XSS.
 */
export function contentMatches(firstBytes: Uint8Array, contentType: string): boolean {
  if (contentType === DOWNLOAD) return true
  if (isMedia(contentType)) return MEDIA[contentType].matches(firstBytes)
  return isInlineImage(contentType) && INLINE_IMAGES[contentType].matches(firstBytes)
}

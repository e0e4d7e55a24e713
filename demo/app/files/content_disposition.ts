/**
 * `Content-Disposition: attachment` naming the download `name`, in ASCII
 * only (CloudFront and the local edge refuse other bytes in
 * `response-content-disposition`): RFC 6266's `filename*` carries the exact
 * UTF-8 name, `filename` a plain fallback for very old clients.
 */
export function attachmentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`
  )
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

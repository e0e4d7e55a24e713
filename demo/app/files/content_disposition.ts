/**
 * The most percent-encoded bytes of a download name kept: a name is any
 * text a browser sent, and the header it becomes travels in the link and
 * in the CloudFront URL, which `linkFor` refuses past CloudFront's limits.
 * 300 is 100 accented letters, or 25 emoji.
 */
const MAX_ENCODED_NAME = 300

/**
 * The name cut to at most {@link MAX_ENCODED_NAME} encoded bytes, at a
 * whole character, keeping a short extension.
 */
function shortened(name: string): string {
  if (encodeURIComponent(name).length <= MAX_ENCODED_NAME) return name
  const dot = name.lastIndexOf('.')
  const extension = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  let budget = MAX_ENCODED_NAME - encodeURIComponent(`…${extension}`).length
  let kept = ''
  for (const character of name) {
    budget -= encodeURIComponent(character).length
    if (budget < 0) break
    kept += character
  }
  return `${kept}…${extension}`
}

/**
 * `Content-Disposition: attachment` naming the download `name`, in ASCII
 * only (CloudFront and the local edge refuse other bytes in
 * `response-content-disposition`): RFC 6266's `filename*` carries the exact
 * UTF-8 name, `filename` a plain fallback for very old clients. Long names
 * are shortened, so any upload name gives a link that can be served.
 */
export function attachmentDisposition(name: string): string {
  const short = shortened(name)
  const fallback = short.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  const encoded = encodeURIComponent(short).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`
  )
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}

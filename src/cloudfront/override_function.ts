/*
 * The CloudFront Function of docs/aws-setup.md ("Download names and
 * content types"), as pasted into the console. The cache policy forwards
 * `response-content-type` and `response-content-disposition` to S3, which
 * applies them: right for a URL whose signature covers its query (a canned
 * policy, or a custom one on one exact URL), wrong for a request opened by
 * signed cookies or a wildcard policy, whose trailing `*` covers any query
 * a viewer appends (`?response-content-type=text/html` on an uploaded
 * file: stored XSS on the CDN's origin). The function drops `response-*`
 * parameters unless the URL's own signature covers them, which is what the
 * local edge does (`honorsResponseOverrides`).
 */

/**
 * The function's code (CloudFront Functions, `cloudfront-js-2.0`, viewer
 * request). Plain ES5 with no imports: it runs as pasted.
 */
export const OVERRIDE_FUNCTION = `function handler(event) {
  var request = event.request
  var query = request.querystring
  if (!signatureCoversQuery(query)) {
    for (var name in query) {
      if (name.toLowerCase().indexOf('response-') === 0) delete query[name]
    }
  }
  return request
}

// A canned policy signs the exact URL; a custom one only when its
// Resource has no wildcard (a literal question mark is escaped there).
function signatureCoversQuery(query) {
  if (!query.Signature) return false
  if (!query.Policy) return !!query.Expires
  try {
    var policy = JSON.parse(decodeBase64(query.Policy.value))
    var resource = policy.Statement[0].Resource
    var literalQuestionMark = String.fromCharCode(92) + '?'
    if (typeof resource !== 'string') return false
    return !/[*?]/.test(resource.split(literalQuestionMark).join(''))
  } catch (e) {
    return false
  }
}

// CloudFront's URL-safe base64: - for +, _ for =, ~ for /.
function decodeBase64(text) {
  var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~'
  var bits = 0
  var value = 0
  var out = ''
  for (var i = 0; i < text.length; i++) {
    var index = alphabet.indexOf(text.charAt(i))
    if (index < 0) continue
    value = (value << 6) | index
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out += String.fromCharCode((value >> bits) & 255)
    }
  }
  return out
}
`

/**
 * AWS's own URL-safe base64, used for `Signature` and `Policy`: standard
 * base64 (with padding), then `+` → `-`, `=` → `_`, `/` → `~`. It is not
 * RFC 4648 base64url (which uses `_` for `/` and drops the padding).
 */
export function toAwsBase64(data: Buffer): string {
  return data.toString('base64').replaceAll('+', '-').replaceAll('=', '_').replaceAll('/', '~')
}

const AWS_BASE64 = /^[A-Za-z0-9\-~]*_{0,2}$/

/**
 * Decodes AWS URL-safe base64 strictly, or returns null. Node's base64
 * decoder skips characters it does not know and ignores the spare bits of
 * the last character, so several strings decode to the same bytes; only
 * the one canonical spelling is accepted, so that no change to a signed
 * value goes unnoticed.
 */
export function fromAwsBase64(text: string): Buffer | null {
  if (text.length === 0 || text.length % 4 !== 0 || !AWS_BASE64.test(text)) return null
  const data = Buffer.from(
    text.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'),
    'base64'
  )
  return toAwsBase64(data) === text ? data : null
}

import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'

const toBytes = (data: string | ArrayBuffer | ArrayBufferView) =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data)

/**
 * SHA-256 and HMAC-SHA256 in the shape @smithy/signature-v4 takes.
 */
class Sha256 {
  #hash: Hash | Hmac
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.#hash.update(toBytes(data))
  }
  async digest() {
    return new Uint8Array(this.#hash.digest())
  }
}

const SIGNING_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
]

/**
 * Recomputes the SigV4 query signature S3 would expect for a PUT of this
 * presigned URL sent with `headers`, using the URL's own date, expiry and
 * credentials scope, and signing the headers the URL names in
 * `X-Amz-SignedHeaders`. s3rver does not check signatures, so the test
 * does: a request S3 would accept has a signature equal to the URL's.
 * `expiresIn` recomputes it for another `X-Amz-Expires` (a stretched URL).
 */
export async function expectedSignature(
  url: string,
  headers: Record<string, string>,
  credentials: { accessKeyId: string; secretAccessKey: string },
  options: { expiresIn?: number } = {}
): Promise<string> {
  const parsed = new URL(url)
  const params = parsed.searchParams
  const date = params.get('X-Amz-Date')!
  const [, , region, service] = params.get('X-Amz-Credential')!.split('/')
  const signed = new Set(params.get('X-Amz-SignedHeaders')!.split(';'))
  signed.delete('host')
  // x-amz-* values other than the signature's own were headers the
  // presigner hoisted into the query (X-Amz-Content-Sha256: UNSIGNED-PAYLOAD
  // above all); give them back as headers so they are signed the same way.
  const query: Record<string, string> = {}
  const hoisted: Record<string, string> = {}
  for (const [name, value] of params) {
    if (SIGNING_PARAMS.includes(name)) continue
    if (name.toLowerCase().startsWith('x-amz-')) hoisted[name] = value
    else query[name] = value
  }
  const signer = new SignatureV4({
    credentials,
    region,
    service,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  })
  const signingDate = new Date(
    `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`
  )
  const presigned = await signer.presign(
    {
      method: 'PUT',
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: Number(parsed.port) || undefined,
      path: parsed.pathname,
      query,
      headers: { host: parsed.host, ...hoisted, ...headers },
    },
    {
      signingDate,
      expiresIn: options.expiresIn ?? Number(params.get('X-Amz-Expires')),
      signableHeaders: signed,
      unhoistableHeaders: signed,
    }
  )
  return presigned.query!['X-Amz-Signature'] as string
}

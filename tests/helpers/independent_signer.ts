import { sign, type KeyObject } from 'node:crypto'

/*
 * A CloudFront URL signer written from AWS's documentation with
 * node:crypto only, sharing no code with src/: URLs signed as other
 * signers sign them, to check the project's verifier and edge against.
 * AWS's Ruby signer (gems/aws-sdk-cloudfront/lib/aws-sdk-cloudfront/signer.rb)
 * signs RSA and EC keys alike over SHA-1 by default and leaves
 * `Hash-Algorithm` out; with `hashAlgorithm: 'SHA256'` it signs over
 * SHA-256 and appends `&Hash-Algorithm=SHA256`.
 */

export type IndependentSigning = {
  privateKey: KeyObject
  keyPairId: string
  /**
   * The digest the signature is made over. Default `sha1`.
   */
  digest?: 'sha1' | 'sha256'
  /**
   * The `Hash-Algorithm` parameter appended, if any. Default: none.
   */
  hashParam?: string
} & (
  | { expires: number; policy?: undefined }
  | {
      /**
       * A custom policy: its exact text (whitespace and all) is what is
       * signed and sent.
       */
      policy: string
      expires?: undefined
    }
)

/**
 * AWS's URL-safe base64: `+` → `-`, `=` → `_`, `/` → `~`.
 */
export function awsBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~')
}

/**
 * The canned policy, as the signed-URL documentation spells it, without whitespace.
 */
export function handCannedPolicy(url: string, expires: number): string {
  return `{"Statement":[{"Resource":"${url}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`
}

/**
 * `url` (its own query included) signed with a canned or custom policy.
 */
export function independentlySignedUrl(url: string, options: IndependentSigning): string {
  const digest = options.digest ?? 'sha1'
  const policy =
    options.policy === undefined ? handCannedPolicy(url, options.expires!) : options.policy
  const signature = awsBase64(sign(digest, Buffer.from(policy), options.privateKey))
  const head =
    options.policy === undefined
      ? `Expires=${options.expires}`
      : `Policy=${awsBase64(Buffer.from(policy))}`
  const hash = options.hashParam === undefined ? '' : `&Hash-Algorithm=${options.hashParam}`
  const separator = url.includes('?') ? '&' : '?'
  return `${url}${separator}${head}&Signature=${signature}&Key-Pair-Id=${options.keyPairId}${hash}`
}

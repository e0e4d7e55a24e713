import type { KeyObject } from 'node:crypto'

/**
 * Provisional: the CloudFront part owns and refines these types.
 */
export type CloudFrontSignerOptions = {
  /**
   * The id of the public key in the CloudFront key group, e.g. `K2JCJMDEHXQW5F`.
   */
  keyPairId: string
  /**
   * The private key: PEM text or a `KeyObject`.
   */
  privateKey?: string | KeyObject
  /**
   * A path to a PEM file instead of `privateKey`.
   */
  privateKeyFile?: string
  /**
   * The passphrase of an encrypted PEM.
   */
  passphrase?: string
  /**
   * RSA keys sign with SHA-1 by default; `'SHA256'` adds `Hash-Algorithm=SHA256`.
   * ECDSA P-256 keys always use SHA-256.
   */
  hashAlgorithm?: 'SHA1' | 'SHA256'
}

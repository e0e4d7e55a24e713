/*
 * djamazing/cloudfront: CloudFront signed URLs and cookies, and their
 * verification. Framework-free.
 */

export { CloudFrontSigner } from './signer.ts'
export { CloudFrontVerifier } from './verifier.ts'
export { cloudFrontSetCookies } from './cookies.ts'
export { escapeUrlWildcards, literalResource } from './policy.ts'
export { generateCloudFrontKeyPair, publicKeyFrom, type CloudFrontKeyKind } from './keys.ts'
export type {
  CloudFrontCookieAttributes,
  CloudFrontCookies,
  CloudFrontPrivateKeyOptions,
  CloudFrontSignerOptions,
  CloudFrontVerifierOptions,
  SignCookiesOptions,
  SigningWindow,
  SignUrlOptions,
  VerifyAcceptance,
  VerifyRefusal,
  VerifyRequest,
  VerifyResult,
} from './types.ts'

/*
 * djamazing/cloudfront: CloudFront signed URLs and cookies, and their
 * verification. Framework-free.
 */

export { CloudFrontSigner } from './signer.ts'
export { CloudFrontVerifier } from './verifier.ts'
export { cloudFrontSetCookies, parseCookieHeader, CLOUDFRONT_COOKIE_NAMES } from './cookies.ts'
export { escapeUrlWildcards, literalResource } from './policy.ts'
export { generateCloudFrontKeyPair, publicKeyFrom, type CloudFrontKeyKind } from './keys.ts'
export { resourceMatches } from './wildcard.ts'
export type * from './types.ts'

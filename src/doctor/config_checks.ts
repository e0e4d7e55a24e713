import { isLoopbackHost, parseCdnUrl } from '../cdn_url.ts'
import { CloudFrontSigner } from '../cloudfront/signer.ts'
import { LinkSigner } from '../links/signer.ts'
import type { Check } from './types.ts'

/**
 * The message of a named configuration error, or of anything else thrown.
 */
export function reasonOf(error: unknown): string {
  // S3's own words, rather than the store's wrapping of them.
  const e = error as Error & { cause?: Error }
  if (e?.name === 'E_DJAMAZING_S3_REQUEST_FAILED' && e.cause?.message) return e.cause.message
  return e?.message ?? String(error)
}

export const cdnUrlCheck: Check = {
  id: 'config.cdn-url',
  title: 'CDN URL',
  run(context) {
    const { name, options } = context.disk
    try {
      context.cdn = context.resolved?.cdn ?? parseCdnUrl(options.cdnUrl, `services.${name}.cdnUrl`)
    } catch (error) {
      return { status: 'error', diagnosis: 'invalid-cdn-url', message: reasonOf(error) }
    }
    if (context.cdn.origin.startsWith('http:')) {
      // Plain http on this machine is the local edge; anywhere else, signed
      // URLs and cookies would cross the network readable by anyone.
      const { hostname } = new URL(context.cdn.origin)
      if (isLoopbackHost(hostname)) {
        return {
          status: 'ok',
          message: `${context.cdn.base} (plain http on this machine: the local edge)`,
        }
      }
      return {
        status: 'warn',
        message: `${context.cdn.base} is plain http: signed URLs would cross the network readable by anyone`,
        fix: 'use the https:// URL of the distribution',
      }
    }
    return { status: 'ok', message: context.cdn.base }
  },
}

export const cloudFrontKeyCheck: Check = {
  id: 'config.cloudfront-key',
  title: 'CloudFront key',
  run(context) {
    const { name, options } = context.disk
    const setting = `services.${name}.cloudfront`
    if (!context.resolved?.cloudfront && !options.cloudfront) {
      return context.mode === 'protected'
        ? {
            status: 'error',
            diagnosis: 'no-cloudfront-key',
            message:
              'a protected disk redirects to CloudFront signed URLs, but has no cloudfront key',
            fix: 'set cloudfront: { keyPairId, privateKeyFile } (node ace djamazing:keys makes a key pair)',
          }
        : { status: 'skipped', message: 'no cloudfront key: getSignedUrl gives S3 presigned URLs' }
    }
    try {
      context.signer =
        context.resolved?.cloudfront ?? new CloudFrontSigner({ ...options.cloudfront!, setting })
    } catch (error) {
      return {
        status: 'error',
        diagnosis: 'invalid-cloudfront-key',
        message: reasonOf(error),
        fix: 'the key pair id is the ID column of CloudFront > Public keys (K...); the private key is the PEM that "node ace djamazing:keys" wrote',
      }
    }
    // The public half, as CloudFront > Public keys must hold it for this id.
    const publicPem = context.signer.publicKeys[context.signer.keyPairId]
      .export({ type: 'spki', format: 'pem' })
      .toString()
    const ending = publicPem.replace(/-----[^-]+-----|\s/g, '').slice(-12)
    return {
      status: 'ok',
      message: `${context.signer.keyPairId}, ${context.signer.algorithm}; its public key ends in "${ending}": CloudFront > Public keys must hold this key under this id`,
    }
  },
}

export const appSecretsCheck: Check = {
  id: 'config.app-secrets',
  title: 'app secrets for links',
  appliesTo: (context) => context.mode === 'protected',
  run(context) {
    try {
      // The app's own link signer, or one made to check the secrets.
      if (!context.resolved?.links) new LinkSigner({ secrets: context.disk.secrets ?? [] })
    } catch (error) {
      return {
        status: 'error',
        diagnosis: 'no-app-secret',
        message: reasonOf(error),
        fix: 'set APP_KEY (node ace generate:key); links are signed with the keys of config/encryption.ts',
      }
    }
    return { status: 'ok', message: `${context.disk.secrets!.length} secret(s): the first signs` }
  },
}

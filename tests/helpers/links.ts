import { cdnUrlFor, parseCdnUrl } from '../../src/cdn_url.ts'
import { CloudFrontSigner, CloudFrontVerifier } from '../../src/cloudfront/main.ts'
import { LinkSigner } from '../../src/links/signer.ts'
import { handleLinkRequest, splitLinkPath } from '../../src/links/redirect.ts'
import type {
  AuthorizeHook,
  DiskLookup,
  LinkedDisk,
  CdnUrlOptions,
  LinkSignerOptions,
  RedirectRequest,
  RedirectResponse,
} from '../../src/links/types.ts'
import { RSA_KEY } from './cloudfront_keys.ts'

/**
 * Shared set-up for the protected-link tests: a throwaway app secret, a
 * frozen clock, two disks with the same CDN, and a public disk.
 */
export const SECRET = 'test-app-key-0123456789abcdefghij'
export const OLD_SECRET = 'old-app-key-9876543210zyxwvutsrq'
export const CDN_URL = 'https://d111111abcdef8.cloudfront.net/media'
export const CDN_ORIGIN = 'https://d111111abcdef8.cloudfront.net'

/**
 * 2026-01-01T00:00:00Z, in milliseconds.
 */
export const NOW = Date.UTC(2026, 0, 1)

export function makeSigner(options: Partial<LinkSignerOptions> = {}) {
  return new LinkSigner({ secrets: [SECRET], ...options })
}

const cloudfront = new CloudFrontSigner({ keyPairId: RSA_KEY.id, privateKey: RSA_KEY.privateKey })

/**
 * Checks CloudFront signed URLs as CloudFront does, with the test key.
 */
export const cdnVerifier = new CloudFrontVerifier({
  publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
})

/**
 * The disks' `signCdnUrl`: the real CloudFront signer over the CDN URL of
 * the key, with the overrides as S3's `response-*` parameters. `clock`:
 * the frozen test clock, or `'real'` for tests over a live server.
 */
export function cdnSigner(clock: number | 'real' = NOW) {
  const cdn = parseCdnUrl(CDN_URL, 'cdnUrl')
  return (key: string, options: CdnUrlOptions) => {
    const params = new URLSearchParams()
    if (options.contentType) params.set('response-content-type', options.contentType)
    if (options.contentDisposition) {
      params.set('response-content-disposition', options.contentDisposition)
    }
    const query = params.size ? `?${params.toString().replaceAll('+', '%20')}` : ''
    const now = options.now ?? (clock === 'real' ? undefined : new Date(clock))
    return cloudfront.signUrlAsync(`${cdnUrlFor(cdn, key)}${query}`, {
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : { expiresIn: options.expiresIn }),
      ...(options.ipAddress ? { ipAddress: options.ipAddress } : {}),
      now,
    })
  }
}

export function makeDisks(
  signer = makeSigner(),
  signCdnUrl: LinkedDisk['signCdnUrl'] = cdnSigner()
) {
  const disks: Record<string, LinkedDisk> = {
    uploads: { mode: 'protected', links: signer, cdnOrigin: CDN_ORIGIN, signCdnUrl },
    private: { mode: 'protected', links: signer, cdnOrigin: CDN_ORIGIN, signCdnUrl },
    static: { mode: 'public', cdnOrigin: CDN_ORIGIN, signCdnUrl },
  }
  return (name: string) => (Object.hasOwn(disks, name) ? disks[name] : undefined)
}

/**
 * Opens a root-relative link through the redirect core, as an adapter
 * mounted at `/djamazing` would: 404 for paths outside the prefix.
 */
export async function openLink(
  link: string,
  user: { userId: string | number | null; revision?: string | number },
  options: { disks?: DiskLookup; authorize?: AuthorizeHook } & Partial<RedirectRequest> = {}
): Promise<RedirectResponse> {
  const { disks = makeDisks(), authorize, ...extra } = options
  const parts = splitLinkPath('/djamazing', link)
  if (!parts) return { status: 404, headers: {} }
  return handleLinkRequest(
    {
      method: 'GET',
      ...parts,
      now: NOW,
      ...user,
      ...extra,
    },
    disks,
    authorize
  )
}

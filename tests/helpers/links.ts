import { parseCdnUrl } from '../../src/cdn_url.ts'
import { CloudFrontSigner, CloudFrontVerifier } from '../../src/cloudfront/main.ts'
import { LinkSigner } from '../../src/links/signer.ts'
import { ProtectedLinks } from '../../src/links/protected_links.ts'
import {
  handleLinkRequest,
  splitLinkPath,
  type DiskLookup,
  type RedirectDisk,
} from '../../src/links/redirect.ts'
import type {
  AuthorizeHook,
  LinkSignerOptions,
  RedirectRequest,
  RedirectResponse,
} from '../../src/links/types.ts'
import { RSA_KEY } from './cloudfront_keys.ts'

/**
 * Shared set-up for the protected-link tests: a throwaway app secret, a
 * frozen clock, two disks with the same CDN, and a public disk.
 */
export const SECRET = 'Zq7vK2pX9mW4tB8nR3cY6hJ1dF5gL0sE'
export const OLD_SECRET = 'u3Nw8QeT1aVz6MxK4oPj9GbR2yHc7LfD'
export const CDN_URL = 'https://d111111abcdef8.cloudfront.net/media'
export const CDN_ORIGIN = 'https://d111111abcdef8.cloudfront.net'

/**
 * 2026-01-01T00:00:00Z, in milliseconds.
 */
export const NOW = Date.UTC(2026, 0, 1)

export function makeSigner(options: Partial<LinkSignerOptions> = {}) {
  return new LinkSigner({ secrets: [SECRET], ...options })
}

/**
 * The CloudFront signer of the test disks, with the throwaway test key.
 */
export const cdnSigner = new CloudFrontSigner({
  keyPairId: RSA_KEY.id,
  privateKey: RSA_KEY.privateKey,
})

/**
 * Checks CloudFront signed URLs as CloudFront does, with the test key.
 */
export const cdnVerifier = new CloudFrontVerifier({
  publicKeys: { [RSA_KEY.id]: RSA_KEY.publicPem },
})

/**
 * The protected-link side of a test disk, made as the driver makes it: the
 * production URL builder over the test CDN. `cloudfront` defaults to the
 * real signer; a test of a signer fault passes a stand-in for it.
 */
export function protectedLinks(
  signer = makeSigner(),
  cloudfront: Pick<CloudFrontSigner, 'signUrlAsync'> = cdnSigner,
  signatureTimeout = 1.5,
  disk = 'uploads'
) {
  return new ProtectedLinks({
    disk,
    signer,
    cloudfront,
    cdn: parseCdnUrl(CDN_URL, 'cdnUrl'),
    redirects: { expiresIn: signatureTimeout },
  })
}

/**
 * Two protected disks sharing a signer and the CDN, and a public disk.
 */
export function makeDisks(
  signer = makeSigner(),
  cloudfront: Pick<CloudFrontSigner, 'signUrlAsync'> = cdnSigner
) {
  const disks: Record<string, RedirectDisk> = {
    uploads: { protectedLinks: protectedLinks(signer, cloudfront, 1.5, 'uploads') },
    private: { protectedLinks: protectedLinks(signer, cloudfront, 1.5, 'private') },
    static: {},
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
  if (!parts) {
    return {
      status: 404,
      headers: {},
      event: { outcome: 'refused', reason: 'unknown-disk', status: 404 },
    }
  }
  return handleLinkRequest(
    {
      method: 'GET',
      ...parts,
      now: new Date(NOW),
      ...user,
      ...extra,
    },
    disks,
    authorize
  )
}

/**
 * Follows a link of the `uploads` disk through the redirect core as
 * `userId`, the way a browser sends it (the WHATWG URL parser re-spells
 * some characters), with `extra` over the request (a client address...).
 */
export function followAs(
  disk: RedirectDisk,
  link: string,
  userId: number,
  extra: Partial<RedirectRequest> = {}
) {
  const url = new URL(link, 'https://app.example.com')
  return handleLinkRequest(
    {
      method: 'GET',
      disk: 'uploads',
      rawKey: url.pathname.slice('/djamazing/uploads/'.length),
      query: url.search.slice(1),
      userId,
      ...extra,
    },
    (name) => (name === 'uploads' ? disk : undefined)
  )
}

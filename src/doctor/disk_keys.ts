import { DEFAULT_ROUTE_PREFIX } from '../links/signer.ts'
import type { CloudFrontSigner } from '../cloudfront/signer.ts'
import type { LinkDisk } from './explain_link.ts'
import type { DoctorDisk } from './types.ts'

/**
 * The link signers of the protected disks the app resolved, as the
 * redirect route checks links with them.
 */
export function linkDisksOf(disks: DoctorDisk[]): LinkDisk[] {
  return disks.flatMap(({ name, resolved, routePrefix }) =>
    resolved?.links
      ? [{ name, routePrefix: routePrefix ?? DEFAULT_ROUTE_PREFIX, signer: resolved.links }]
      : []
  )
}

/**
 * The public keys of every disk's CloudFront signer, by key pair id.
 */
export function publicKeysOf(disks: DoctorDisk[]): CloudFrontSigner['publicKeys'] {
  return Object.assign({}, ...disks.map((disk) => disk.resolved?.cloudfront?.publicKeys ?? {}))
}

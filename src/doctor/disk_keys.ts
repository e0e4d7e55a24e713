import { cloudFrontPublicKeys } from '../cloudfront/keys.ts'
import { LinkSigner } from '../links/signer.ts'
import type { LinkDisk } from './explain_link.ts'
import type { DoctorDisk } from './types.ts'

/**
 * The link signers of the protected disks, as the redirect route checks
 * links with them.
 */
export function linkDisksOf(disks: DoctorDisk[]): LinkDisk[] {
  return disks
    .filter((disk) => (disk.resolved ?? disk.options).mode === 'protected' && disk.secrets?.length)
    .map((disk) => ({
      name: disk.name,
      routePrefix: disk.routePrefix ?? '/djamazing',
      // The disk's own link signer when the app resolved it.
      signer:
        disk.resolved?.links ??
        new LinkSigner({
          ...disk.linkOptions,
          secrets: disk.secrets!,
          routePrefix: disk.routePrefix,
        }),
    }))
}

/**
 * The public keys of every disk's CloudFront keys, by key pair id.
 */
export function publicKeysOf(disks: DoctorDisk[]) {
  const keys = cloudFrontPublicKeys(
    disks
      .filter((disk) => !disk.resolved)
      .map((disk) => ({ name: disk.name, cloudfront: disk.options.cloudfront }))
  )
  // Resolved disks' signers already hold their public keys.
  return Object.assign(keys, ...disks.map((disk) => disk.resolved?.cloudfront?.publicKeys ?? {}))
}

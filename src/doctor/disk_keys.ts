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
    .filter((disk) => disk.options.mode === 'protected' && disk.secrets?.length)
    .map((disk) => ({
      name: disk.name,
      routePrefix: disk.routePrefix ?? '/djamazing',
      signer: new LinkSigner({
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
  return cloudFrontPublicKeys(
    disks.map((disk) => ({ name: disk.name, cloudfront: disk.options.cloudfront }))
  )
}

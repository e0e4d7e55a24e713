import { viewerIpv4 } from '../cloudfront/policy.ts'
import type { ResolvedRedirects } from '../disk/redirects.ts'
import type { VerifiedLink } from './types.ts'

/**
 * When the CloudFront URL of one redirect expires (a lifetime from now,
 * or a window boundary), and the viewer address it is bound to.
 */
export type CdnUrlTiming = (
  { expiresIn: number; expiresAt?: undefined } | { expiresAt: Date; expiresIn?: undefined }
) & { ipAddress?: string }

/**
 * The lifetime of the CloudFront URL a verified link redirects to, from
 * the disk's `redirects` (in seconds).
 *
 * - The link's `viewFor` (inside its MAC), capped by the disk's
 *   `maxViewFor` as configured now; without either, `expiresIn`.
 * - With `bindIp`, the URL is bound to the viewer's IPv4 address. A viewer
 *   seen over IPv6 cannot be bound (CloudFront policies take IPv4 only):
 *   it gets what an unbound link gets by default, `expiresIn` and no
 *   more, so a link never hands out a long unbound URL it did not sign for.
 * - With a `window`, the expiry is moved up to the next window
 *   boundary (epoch multiples of the window, the same on every app
 *   instance): every redirect within a window gets the same URL, which the
 *   browser and CloudFront may cache. It is never less than the lifetime
 *   ahead, and at most lifetime + window.
 *
 * Expiries are whole seconds rounded up: a URL lives at least as long as asked.
 */
export function cdnLifetime(
  link: VerifiedLink,
  redirects: Pick<ResolvedRedirects, 'expiresIn'> & Partial<ResolvedRedirects>,
  nowMs: number,
  clientIp: string | undefined
): CdnUrlTiming {
  const { expiresIn, window, maxViewFor } = redirects
  let lifetime = expiresIn
  const ipAddress = link.bindIp ? viewerIpv4(clientIp) : undefined
  const bindable = !link.bindIp || ipAddress !== undefined
  if (link.viewFor !== undefined && maxViewFor !== undefined && bindable) {
    lifetime = Math.max(Math.min(link.viewFor, maxViewFor), expiresIn)
  }
  const expires = Math.ceil(nowMs / 1000 + lifetime)
  const timing: CdnUrlTiming = window
    ? { expiresAt: new Date(Math.ceil(expires / window) * window * 1000) }
    : { expiresIn: lifetime }
  if (ipAddress !== undefined) timing.ipAddress = ipAddress
  return timing
}

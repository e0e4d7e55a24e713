import { parseDuration } from '../duration.ts'
import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { SignedUrlCache } from '../signed_url_cache.ts'
import type { DjamazingOptions } from '../types.ts'
import { readCacheSize, readCookieDomain, readMediaViews, readWindow } from './settings.ts'

/**
 * How long the CloudFront URL a protected link redirects to lives, when
 * the disk sets no `redirects.expiresIn`: long enough for the browser to
 * follow the redirect, too short to share.
 */
export const DEFAULT_SIGNATURE_TIMEOUT = '1.5s'

/**
 * The longest life of a redirect's CloudFront URL (`redirects.expiresIn`,
 * plus `redirects.window` when set) taken without `allowLongExpiry`:
 * one hour, already long for a bearer URL.
 */
const MAX_SIGNATURE_TIMEOUT = 3600

/**
 * The longest media link lifetime (`redirects.maxViewFor`,
 * `redirects.mediaViews.viewFor`) and folder cookie lifetime taken
 * without `redirects.allowLongExpiry`: a day, longer than any film or
 * working session.
 */
const MAX_MEDIA_LIFETIME = 86_400

/**
 * Signed URLs kept by a disk with a `redirects.window`: about 0.5 to 1 KB
 * each, so a few MB at most.
 */
const DEFAULT_SIGNATURE_CACHE_SIZE = 10_000

/**
 * Folder cookies last an hour unless the disk says otherwise: a lesson
 * or a film, not a day.
 */
const DEFAULT_FOLDER_COOKIES_EXPIRES_IN = '1h'

/**
 * A disk's `redirects` and `folderCookies`: how long what a redirect hands
 * out lives (the CloudFront URL, a media link's URL, folder cookies), each
 * bounded unless `redirects.allowLongExpiry` says otherwise, in seconds;
 * and the signed URL cache of a disk with a `redirects.window`.
 */
export function readRedirects(
  options: Pick<DjamazingOptions, 'redirects' | 'folderCookies'>,
  setting: (name: string) => string,
  cdnHost: string
) {
  const redirects = options.redirects ?? {}
  const signatureTimeout = parseDuration(
    redirects.expiresIn ?? DEFAULT_SIGNATURE_TIMEOUT,
    setting('redirects.expiresIn')
  )
  if (signatureTimeout > MAX_SIGNATURE_TIMEOUT && redirects.allowLongExpiry !== true) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('redirects.expiresIn'),
      `${redirects.expiresIn} is over one hour: every redirect would hand out a CloudFront URL anyone can use that long. Keep it short (default "1.5s"), or set "allowLongExpiry: true" next to it if you mean it`,
    ])
  }
  const signatureWindow = readWindow(redirects.window, setting('redirects.window'))
  // A windowed URL lives up to window + expiresIn: the same bearer bound,
  // and the same opt-in, as a long expiresIn.
  if (
    signatureWindow !== undefined &&
    signatureWindow + Math.ceil(signatureTimeout) > MAX_SIGNATURE_TIMEOUT &&
    redirects.allowLongExpiry !== true
  ) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('redirects.window'),
      `${redirects.window} plus the expiresIn is over one hour: every redirect would hand out a CloudFront URL anyone can use that long. Keep the window to minutes, or set "allowLongExpiry: true" next to it if you mean it`,
    ])
  }
  const cache =
    signatureWindow === undefined
      ? undefined
      : new SignedUrlCache(
          readCacheSize(
            redirects.cacheSize ?? DEFAULT_SIGNATURE_CACHE_SIZE,
            setting('redirects.cacheSize')
          )
        )
  const mediaViews = readMediaViews(redirects.mediaViews, setting('redirects.mediaViews'))
  const maxViewFor =
    redirects.maxViewFor === undefined
      ? mediaViews?.viewFor
      : Math.ceil(parseDuration(redirects.maxViewFor, setting('redirects.maxViewFor')))
  // The longer-lived credentials a redirect hands out (a media link's
  // CloudFront URL, folder cookies): bearer too, so a day at most
  // without the same opt-in as a long redirects.expiresIn.
  const atMostOneDay = (seconds: number | undefined, settingName: string) => {
    if (seconds === undefined || seconds <= MAX_MEDIA_LIFETIME) return
    if (redirects.allowLongExpiry === true) return
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting(settingName),
      `it is over one day: the CloudFront URL or cookies it hands out work for anyone who copies them that long. Keep it to hours, or set "redirects.allowLongExpiry: true" if you mean it`,
    ])
  }
  atMostOneDay(mediaViews?.viewFor, 'redirects.mediaViews.viewFor')
  if (redirects.maxViewFor !== undefined) atMostOneDay(maxViewFor, 'redirects.maxViewFor')
  if (mediaViews && mediaViews.viewFor > maxViewFor!) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      setting('redirects.mediaViews.viewFor'),
      `it is longer than redirects.maxViewFor (${maxViewFor} s)`,
    ])
  }
  const { expiresIn = DEFAULT_FOLDER_COOKIES_EXPIRES_IN, domain } = options.folderCookies ?? {}
  const folderCookies =
    options.folderCookies === undefined
      ? undefined
      : {
          expiresIn: parseDuration(expiresIn, setting('folderCookies.expiresIn')),
          domain:
            domain === undefined
              ? undefined
              : readCookieDomain(domain, cdnHost, setting('folderCookies.domain')),
        }
  atMostOneDay(folderCookies?.expiresIn, 'folderCookies.expiresIn')
  return {
    redirects: Object.freeze({
      expiresIn: signatureTimeout,
      window: signatureWindow,
      maxViewFor,
      mediaViews: mediaViews && Object.freeze(mediaViews),
    }),
    folderCookies: folderCookies && Object.freeze(folderCookies),
    cache,
  }
}

/**
 * A disk's `redirects`, durations in seconds.
 */
export type ResolvedRedirects = ReturnType<typeof readRedirects>['redirects']

export type ResolvedFolderCookies = NonNullable<ReturnType<typeof readRedirects>['folderCookies']>

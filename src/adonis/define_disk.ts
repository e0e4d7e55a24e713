import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { ApplicationService } from '@adonisjs/core/types'
import { DEFAULT_ROUTE_PREFIX, isValidRoutePrefix } from '../links/signer.ts'
import {
  E_DJAMAZING_GUEST_LINK,
  E_DJAMAZING_INVALID_CONFIG,
  E_DJAMAZING_LOCAL_STORE_IN_PRODUCTION,
  E_DJAMAZING_PROVIDER_MISSING,
} from '../errors.ts'
import { hostUnder } from '../cdn_url.ts'
import { isProviderBooted, registerDisk } from './registry.ts'
import type { ResolvedDisk } from '../disk/resolve_disk.ts'
import type { DjamazingOptions } from '../types.ts'
import type { AdonisDiskOptions, DjamazingDiskProvider, DjamazingServiceConfig } from './types.ts'

/**
 * Where the local store keeps its buckets, from the app root. A folder
 * whose name starts with a dot: TypeScript's `**` never enters one, so
 * the app's `tsc` and `node ace build` skip the files (an HLS segment
 * `seg0.ts` is not TypeScript), and AdonisJS's dev server does not watch
 * `storage/`.
 */
export const DEFAULT_LOCAL_ROOT = 'storage/.djamazing'

/**
 * The folder a relative local store root resolves from. `node ace build`
 * writes the built app into `build/` inside the app and empties it on
 * every build; started from there in development, the built app keeps
 * using the files `node ace serve` wrote, so they survive a rebuild. A
 * built app deployed anywhere else has no source app above it.
 */
export function localStoreBase(appRoot: string): string {
  const parent = dirname(appRoot)
  const builtInPlace =
    !existsSync(join(appRoot, 'adonisrc.ts')) && existsSync(join(parent, 'adonisrc.ts'))
  return builtInPlace ? parent : appRoot
}

/**
 * A route prefix as the router and the link signer both want it: one
 * leading slash, no trailing slash, plain path characters.
 */
function routePrefixOf(name: string, value: string | undefined): string {
  const prefix = `/${(value ?? DEFAULT_ROUTE_PREFIX).replace(/^\/+|\/+$/g, '')}`
  if (!isValidRoutePrefix(prefix)) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      `services.${name}.routePrefix`,
      `"${value}" is not a path like "/djamazing" (letters, digits, "._~-", no "." or ".." segment: browsers rewrite those, and every link would miss the route)`,
    ])
  }
  return prefix
}

/**
 * Folder links set cookies from the app's responses for the CDN to read:
 * the CDN must be the app's own host (host-only cookies; ports do not
 * matter to cookies), or both hosts must be under the cookie domain.
 */
function assertCookiesReachCdn(app: ApplicationService, disk: ResolvedDisk) {
  const appHost = URL.parse(app.config.get('app.appUrl', ''))?.hostname
  const cdnHost = new URL(disk.cdn.origin).hostname
  const domain = disk.folderCookies?.domain
  const reaches = domain
    ? appHost !== undefined && hostUnder(appHost, domain) && hostUnder(cdnHost, domain)
    : appHost === cdnHost
  if (!reaches) {
    throw new E_DJAMAZING_INVALID_CONFIG([
      disk.setting('folderCookies.domain'),
      domain
        ? `the app (${appHost ?? 'app.appUrl is not set'}) and the CDN (${cdnHost}) must both be under "${domain}" for the CDN to receive the app's cookies`
        : `the CDN (${cdnHost}) is not the app's host (${appHost ?? 'app.appUrl is not set'}): set a cookie domain both are under, e.g. ".example.com"`,
    ])
  }
}

/**
 * The options only the AdonisJS glue reads; the driver gets the rest. A
 * record of the type's keys: the compiler fails when one is missing or
 * extra, so it cannot drift from `AdonisDiskOptions`.
 */
const ADONIS_OPTIONS: Record<keyof AdonisDiskOptions, true> = {
  routePrefix: true,
  guards: true,
  userId: true,
  userRevision: true,
  authorize: true,
  localEdge: true,
  links: true,
}

export function driverOptionsOf(
  name: string,
  config: DjamazingServiceConfig,
  production: boolean
): DjamazingOptions {
  const options: Record<string, unknown> = { ...config, disk: name, production }
  for (const option of Object.keys(ADONIS_OPTIONS)) delete options[option]
  return options as DjamazingOptions
}

/**
 * The local store of a disk: refused in production unless allowed; its
 * folder resolved from the app root (so an app started from `build/`
 * keeps its files there); upload URLs signed with the app key.
 */
async function localStoreOf(name: string, config: DjamazingServiceConfig, app: ApplicationService) {
  if (app.inProduction && config.localStore?.allowInProduction !== true) {
    throw new E_DJAMAZING_LOCAL_STORE_IN_PRODUCTION([
      name,
      `services.${name}.store`,
      `services.${name}.localStore.allowInProduction`,
    ])
  }
  const root = config.localStore?.root ?? DEFAULT_LOCAL_ROOT
  const { appSecrets } = await import('./app_secrets.ts')
  const [uploadSecret] = await appSecrets(app)
  return {
    root: isAbsolute(root) ? root : join(localStoreBase(app.makePath()), root),
    uploadSecret,
  }
}

/**
 * The disk's settings with its CloudFront key files resolved from the app
 * root, not the working directory: `node ace serve`, an ace command and an
 * app started from `build/` (which `node ace build` gives a copy of the
 * key folder) all find the same file.
 */
function withKeyFilesFromAppRoot(
  config: DjamazingServiceConfig,
  app: ApplicationService
): DjamazingServiceConfig {
  const cloudfront = config.cloudfront
  if (!cloudfront) return config
  const resolve = <T extends { privateKeyFile?: string }>(options: T): T =>
    typeof options.privateKeyFile === 'string' &&
    options.privateKeyFile !== '' &&
    !isAbsolute(options.privateKeyFile)
      ? { ...options, privateKeyFile: app.makePath(options.privateKeyFile) }
      : options
  const keys = cloudfront.keys
    ? Object.fromEntries(Object.entries(cloudfront.keys).map(([id, key]) => [id, resolve(key)]))
    : undefined
  return { ...config, cloudfront: { ...resolve(cloudfront), ...(keys ? { keys } : {}) } }
}

/**
 * A link for a guest on a disk without guest links fails with
 * E_DJAMAZING_GUEST_LINK; flydrive's Disk wraps it in
 * E_CANNOT_GENERATE_URL (the cause is kept) and that is all the app's log
 * showed for a page rendering `driveUrl` for a guest. The reason and its
 * fix are logged here, where the app's logger is at hand.
 */
async function logGuestLink(app: ApplicationService, disk: string) {
  const error = new E_DJAMAZING_GUEST_LINK([disk])
  const logger = await app.container.make('logger')
  logger.warn({ err: error }, `${error.code}: ${error.message}`)
}

/**
 * A djamazing disk for `config/drive.ts`:
 *
 * ```ts
 * services: {
 *   static: djamazing({ ...shared, mode: 'public', prefix: 'static/' }),
 *   uploads: djamazing({ ...shared, mode: 'protected', prefix: 'uploads/' }),
 * }
 * ```
 *
 * The disk takes its name from its key in `services` (protected links are
 * bound to it), signs links with the keys of `config/encryption.ts`, and
 * binds them to the user of the current request.
 */
export function djamazing(settings: DjamazingServiceConfig): DjamazingDiskProvider {
  return {
    type: 'provider',
    async resolver(name: string, application: object) {
      const app = application as ApplicationService
      const config = withKeyFilesFromAppRoot(settings, app)
      const routePrefix = routePrefixOf(name, config.routePrefix)
      // AdonisJS's own notion of production decides the https checks.
      const options = driverOptionsOf(name, config, app.inProduction)
      const localStore =
        config.store === 'local' ? await localStoreOf(name, config, app) : undefined
      if (localStore) options.localStore = { ...config.localStore, ...localStore }

      if (config.mode === 'protected' && !config.cloudfront) {
        throw new E_DJAMAZING_INVALID_CONFIG([
          `services.${name}.cloudfront`,
          'a protected disk redirects to CloudFront signed URLs: set cloudfront: { keyPairId, privateKeyFile } (node ace djamazing:keys makes a key pair)',
        ])
      }
      // Links and upload tokens are signed with the app secrets, and bound
      // to the user's guard (the guard of the current request; an explicit
      // `realm` of startUpload/confirmUpload wins).
      if (config.mode === 'protected' || config.uploads) {
        const [{ appSecrets }, { currentLinkUser, currentUploadRealm }] = await Promise.all([
          import('./app_secrets.ts'),
          import('./current_user.ts'),
        ])
        // The disk's first guard, or the app's default one.
        const firstGuard = async () =>
          config.guards?.[0] ??
          ((await app.container.make('auth.manager')) as { defaultGuard: string }).defaultGuard
        if (config.mode === 'protected') {
          // Without the provider the links would lead to a 404: fail at boot.
          await app.booted(() => {
            if (!isProviderBooted(app)) throw new E_DJAMAZING_PROVIDER_MISSING()
          })
          const linkUser = () => currentLinkUser(name, config, firstGuard)
          options.links = {
            ...config.links,
            routePrefix,
            secrets: await appSecrets(app),
            async currentUserId() {
              const user = await linkUser()
              if (!user && config.links?.guestLinks !== true) await logGuestLink(app, name)
              return user?.id ?? null
            },
            currentUserRevision: () => linkUser().then((user) => user?.revision),
            currentUserRealm: () => linkUser().then((user) => user?.realm),
          }
        }
        options.uploads = {
          ...config.uploads,
          secrets: config.uploads?.secrets ?? options.links?.secrets ?? (await appSecrets(app)),
          currentUserRealm: () => currentUploadRealm(name, config, firstGuard),
        }
      }

      if (config.invalidation) {
        const { appInvalidation } = await import('./invalidation.ts')
        options.invalidation = appInvalidation(config.invalidation, config, app)
      }

      const [{ DjamazingDriver }, { resolveDisk }] = await Promise.all([
        import('../driver.ts'),
        import('../disk/resolve_disk.ts'),
      ])
      // Resolved now, so a bad setting fails at boot and not on first use;
      // the driver, the redirect route, the local edge and the doctor all
      // read this one resolved disk.
      const resolved = resolveDisk(options)
      if (resolved.protectedLinks && resolved.folderCookies) assertCookiesReachCdn(app, resolved)
      registerDisk(app, { name, config, routePrefix, resolved })
      const driver = new DjamazingDriver(resolved)
      return () => driver
    },
  }
}

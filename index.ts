/*
 * djamazing: S3 storage served through CloudFront, for AdonisJS and flydrive.
 */

export { DjamazingDriver } from './src/driver.ts'
export * as errors from './src/errors.ts'
export { encodeObjectKey } from './src/object_key.ts'
export type {
  DiskMode,
  DjamazingOptions,
  Duration,
  FolderCookieOptions,
  FolderLinkOptions,
  MediaViewOptions,
} from './src/types.ts'
export type { LinkOptions } from './src/links/types.ts'
export { stubsRoot } from './stubs/main.ts'
export { djamazing } from './src/adonis/define_disk.ts'
export { asUser } from './src/adonis/explicit_user.ts'
export { clearFolderCookies } from './src/adonis/folder_cookies.ts'
export type {
  AuthorizeTarget,
  DjamazingServiceConfig,
  LocalEdgeSettings,
} from './src/adonis/types.ts'

/**
 * The hook `node ace configure djamazing` runs with its `Configure`
 * command. Loaded on first use, so that the root needs no AdonisJS types.
 */
export async function configure(command: object): Promise<void> {
  const hook = await import('./configure.ts')
  await hook.configure(command as Parameters<typeof hook.configure>[0])
}

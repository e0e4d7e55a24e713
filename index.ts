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
export { configure } from './configure.ts'
export { stubsRoot } from './stubs/main.ts'
export { djamazing } from './src/adonis/define_disk.ts'
export { asUser } from './src/adonis/explicit_user.ts'
export { clearFolderCookies } from './src/adonis/folder_cookies.ts'
export type { DjamazingServiceConfig, AuthorizeTarget } from './src/adonis/types.ts'

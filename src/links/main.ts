/*
 * djamazing/links: protected links and the redirect route, framework-free.
 */

export { LinkSigner } from './signer.ts'
export { handleLinkRequest } from './redirect.ts'
export type { DiskLookup, RedirectDisk } from './redirect.ts'
export { createRedirectHandler } from './node_handler.ts'
export { folderCookieClearing } from './folder_cookies.ts'
export type { ProtectedLinks } from './protected_links.ts'
export type { RedirectHandlerOptions, RequestUser } from './node_handler.ts'
export type {
  AuthorizeHook,
  LinkOptions,
  LinkQuery,
  LinkRefusal,
  LinkSecret,
  LinkSignerOptions,
  LinkUser,
  LinkVerifyResult,
  ProtectedLinkOptions,
  RedirectRequest,
  RedirectResponse,
  VerifyInput,
} from './types.ts'

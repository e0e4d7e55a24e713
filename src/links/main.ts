export { LinkSigner, DiskLinks, DEFAULT_LINK_EXPIRES_IN, DEFAULT_ROUTE_PREFIX } from './signer.ts'
export {
  handleLinkRequest,
  decodeKeyPath,
  splitLinkPath,
  DEFAULT_SIGNATURE_TIMEOUT,
} from './redirect.ts'
export { createRedirectHandler } from './node_handler.ts'
export type * from './types.ts'
export type { RedirectHandlerOptions, RequestUser } from './node_handler.ts'

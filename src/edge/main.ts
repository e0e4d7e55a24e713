/*
 * djamazing/edge: a local CloudFront-compatible edge over an S3 origin.
 */

export { createEdgeHandler, type EdgeHandler } from './handler.ts'
export {
  createEdgeForDisks,
  type DiskEdge,
  type EdgeDisk,
  type EdgeForDisksOptions,
} from './disks.ts'
export type { EdgeCachePolicy } from './cache_policy.ts'
export type { EdgeCacheSettings } from './cache.ts'
export { startEdgeServer, type EdgeServer, type EdgeServerOptions } from './server.ts'
export type {
  EdgeAllowedMethods,
  EdgeBehavior,
  EdgeCorsPolicy,
  EdgeOptions,
  EdgeRequestEvent,
  EdgeVerifier,
  EdgeVerifyRequest,
  EdgeVerifyResult,
} from './types.ts'

export { createEdgeHandler, honorsResponseOverrides, type EdgeHandler } from './handler.ts'
export { startEdgeServer, type EdgeServer, type EdgeServerOptions } from './server.ts'
export { errorXml } from './error_response.ts'
export type * from './types.ts'

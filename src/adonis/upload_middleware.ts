import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { DiskEdge } from '../edge/disks.ts'

/**
 * A server middleware taking the PUTs of the local store's upload URLs,
 * and the local edge's CloudFront invalidation API calls.
 *
 * Uploads are raw bodies, as on S3. A route would run the router
 * middleware of the app first: the body parser would consume JSON and
 * text bodies, and the CSRF check of `@adonisjs/shield` would refuse a PUT
 * from a script. A server middleware runs before both; every other
 * request goes on untouched.
 */
export function uploadMiddleware(edges: DiskEdge[]) {
  return class LocalStoreUploadMiddleware {
    async handle(ctx: HttpContext, next: NextFn) {
      const req = ctx.request.request
      if (req.method === 'PUT') {
        const url = req.url ?? ''
        const edge = edges.find((one) => url.startsWith(`${one.path}/`))
        if (edge?.upload) return edge.upload(req, ctx.response.response)
      }
      // The CloudFront invalidation API of the edge: XML bodies, signed
      // with SigV4, no CSRF token.
      const api = edges.find((edge) => edge.answersApi?.(req))
      if (api) return api.serve(req, ctx.response.response)
      return next()
    }
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import { handleLinkRequest, splitLinkPath } from '../links/redirect.ts'
import type { DiskLookup } from '../links/redirect.ts'
import { requestUser } from './current_user.ts'
import type { EventReporters } from './events.ts'
import type { RegisteredDisk } from './types.ts'

/*
 * WARNING: anyone can reach this route, logged in or not, with any path
 * and query. It only reads who is logged in and hands everything else to
 * the redirect core, which verifies the link and builds the target from
 * configuration and the verified key.
 */

/**
 * The route handler of a protected disk: `GET`/`HEAD`
 * `<routePrefix>/<disk>/*`, a thin adapter over the redirect core.
 */
export function redirectRoute(disk: RegisteredDisk, disks: DiskLookup, report: EventReporters) {
  const authorize = disk.config.authorize
  return async function djamazingRedirect(ctx: HttpContext) {
    // The raw request target, not the router's params: the link is
    // verified exactly as sent (the router decodes the path).
    const parts = splitLinkPath(disk.routePrefix, ctx.request.request.url ?? '')
    const user = await requestUser(ctx, disk.name, disk.config, 'open')
    // The address as the app's trusted-proxy settings give it.
    const clientIp = ctx.request.ip()

    const response = await handleLinkRequest(
      {
        method: ctx.request.request.method ?? 'GET',
        disk: parts?.disk ?? '',
        rawKey: parts?.rawKey ?? '',
        query: parts?.query ?? '',
        userId: user?.id ?? null,
        realm: user?.realm,
        revision: user?.revision,
        clientIp,
        cookies: ctx.request.header('cookie'),
      },
      disks,
      authorize && ((file) => authorize(ctx, { disk: file.disk, key: file.key }))
    )

    ctx.response.status(response.status)
    const headers = response.headers
    for (const name in headers) ctx.response.header(name, headers[name])
    // Appended: the session middleware adds its own Set-Cookie later.
    if (response.setCookies) ctx.response.append('Set-Cookie', response.setCookies)
    if (response.body !== undefined) ctx.response.send(response.body)
    report.link(response.event, clientIp)
  }
}

import { E_DJAMAZING_INVALID_CONFIG } from '../errors.ts'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { socketAddress } from '../client_address.ts'
import debug from '../debug.ts'
import {
  COMMON_HEADERS,
  handleLinkRequest,
  splitLinkPath,
  type DiskLookup,
  type RedirectDisk,
} from './redirect.ts'
import { DEFAULT_ROUTE_PREFIX } from './signer.ts'
import type { AuthorizeHook, LinkEvent, RedirectResponse } from './types.ts'

/**
 * The user logged in for a request: an id, an id with its realm and
 * revocation value, or `null`/`undefined` for a guest.
 */
export type RequestUser =
  | string
  | number
  | { id: string | number; realm?: string | null; revision?: string | number }
  | null
  | undefined

export type RedirectHandlerOptions = {
  /**
   * The disks (`DjamazingDriver`s), by name, or a lookup function.
   */
  disks: Record<string, RedirectDisk> | DiskLookup

  /**
   * Where the route is mounted; must match the signers' `routePrefix`.
   * Default `'/djamazing'`.
   */
  routePrefix?: string

  /**
   * Who is logged in, read from the request (a session cookie, a token).
   */
  currentUser(request: IncomingMessage): RequestUser | Promise<RequestUser>

  /**
   * Optional per-file authorization, after the link has been verified.
   */
  authorize?: AuthorizeHook

  /**
   * Called once per request under the prefix with what was decided:
   * `{ outcome: 'redirected', disk, key, userId, clientAddress }` or
   * `{ outcome: 'refused', disk, reason, status, clientAddress }`. Never the
   * link's query, the redirect target or cookies. For access logs and audits.
   */
  onRequest?: (event: LinkEvent) => void

  /**
   * Called when a request fails on the server's side (the app's
   * `currentUser` or `authorize` throws, the disk's signer fails or is
   * misconfigured); the client gets a bare 500. Default: the error is
   * written to stderr, as Express does, so a misconfiguration is never
   * silent.
   */
  onError?: (error: unknown, req: IncomingMessage) => void

  /**
   * The client's address for events. Default: the socket's peer address
   * (proxy headers are not read unless you read them here).
   */
  clientAddress?: (req: IncomingMessage) => string | undefined

  /**
   * The viewer's address, for links bound to it (`bindIp`). Default: the
   * socket's peer address. Behind a proxy, read it from the header your
   * proxy sets, and only from a proxy you trust.
   */
  clientIp?(request: IncomingMessage): string | undefined
}

function write(res: ServerResponse, response: Omit<RedirectResponse, 'event'>) {
  if (response.setCookies) res.setHeader('Set-Cookie', response.setCookies)
  res.writeHead(response.status, response.headers)
  res.end(response.body)
}

/**
 * A bare answer of the handler itself: a path outside the prefix, or a fault.
 */
function writePlain(req: IncomingMessage, res: ServerResponse, status: 404 | 500) {
  write(res, {
    status,
    headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
    body: req.method === 'HEAD' ? undefined : STATUS_CODES[status],
  })
}

/**
 * Each protected driver of the map must be listed under its own disk
 * name: its links name that disk, and under another name they would open
 * this driver's files through the other disk's route (or never open).
 */
function assertNamesMatch(disks: Record<string, RedirectDisk>) {
  for (const [name, entry] of Object.entries(disks)) {
    const actual = entry?.protectedLinks?.disk
    if (actual !== undefined && actual !== name) {
      throw new E_DJAMAZING_INVALID_CONFIG([
        `disks.${name}`,
        `this is the driver of disk "${actual}" (its links name "${actual}"): list it as ${JSON.stringify(actual)}, or create it with disk: ${JSON.stringify(name)}`,
      ])
    }
  }
}

/**
 * The redirect route for plain `node:http` (or Express/Connect: pass
 * `next` and other paths fall through to it). Answers 404 for paths
 * outside the prefix when there is no `next`.
 */
export function createRedirectHandler(options: RedirectHandlerOptions) {
  const prefix = options.routePrefix ?? DEFAULT_ROUTE_PREFIX
  const onError =
    options.onError ??
    ((error: unknown) => console.error('djamazing: the redirect route failed:', error))
  const clientAddress = options.clientAddress ?? socketAddress
  if (typeof options.disks !== 'function') assertNamesMatch(options.disks)
  const disks: DiskLookup =
    typeof options.disks === 'function'
      ? options.disks
      : (name) => (Object.hasOwn(options.disks, name) ? (options.disks as any)[name] : undefined)

  return async function redirectHandler(
    req: IncomingMessage,
    res: ServerResponse,
    next?: () => void
  ): Promise<void> {
    let event: LinkEvent
    try {
      // The raw request target, not `new URL()`: URL parsing resolves `..`
      // and re-encodes characters, and the link must be read as sent.
      const parts = splitLinkPath(prefix, req.url ?? '')
      if (!parts) {
        return next ? next() : writePlain(req, res, 404)
      }

      const user = await options.currentUser(req)
      const id =
        user === null || user === undefined ? null : typeof user === 'object' ? user.id : user
      const details = user !== null && typeof user === 'object' ? user : undefined
      const response = await handleLinkRequest(
        {
          method: req.method ?? 'GET',
          disk: parts.disk,
          rawKey: parts.rawKey,
          query: parts.query,
          userId: id,
          realm: details?.realm,
          revision: details?.revision,
          clientIp: options.clientIp ? options.clientIp(req) : req.socket.remoteAddress,
          cookies: req.headers.cookie,
        },
        disks,
        options.authorize
      )
      write(res, response)
      event = { ...response.event, clientAddress: clientAddress(req) }
    } catch (error) {
      debug('links: redirect failed: %s', (error as Error)?.message)
      onError(error, req)
      if (!res.headersSent) writePlain(req, res, 500)
      else res.destroy()
      return
    }
    // After the answer is written: a failing listener cannot change it.
    try {
      options.onRequest?.(event)
    } catch (error) {
      onError(error, req)
    }
  }
}

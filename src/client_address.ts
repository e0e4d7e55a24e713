import type { IncomingMessage } from 'node:http'

/**
 * The peer address of a request's socket, IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`) unwrapped. Proxy headers are not read: only the
 * app knows which proxies it trusts.
 */
export function socketAddress(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress
  return address?.startsWith('::ffff:') ? address.slice(7) : address
}

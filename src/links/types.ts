/**
 * Provisional: the protected-links part owns and refines these types.
 */
export type ProtectedLinkOptions = {
  /**
   * Where the redirect route is mounted, e.g. `/djamazing`.
   */
  routePrefix?: string
  /**
   * Secrets for signing links: the first signs, all verify (rotation).
   */
  secrets: string[]
  /**
   * Returns the stable id of the user the link is made for, or `null` for a guest.
   */
  currentUserId(): string | null | undefined
}

import { decodeKeyPath, splitLinkPath } from '../links/redirect.ts'
import type { LinkSigner } from '../links/signer.ts'
import { LINK_PARAMS, readLinkQuery } from '../links/query.ts'
import { encodeObjectKey } from '../object_key.ts'
import { refused, seconds, type Explanation } from './explain_url.ts'

/**
 * A protected disk as `explainLink` sees it: its name, the path its
 * redirect route is mounted at, and its link signer.
 */
export type LinkDisk = { name: string; routePrefix: string; signer: LinkSigner }

/**
 * The user a link is checked for; `null` for a guest.
 */
export type LinkUserInput = { id: string | number; realm?: string | null; revision?: string } | null

export type LinkExplanation = Explanation<
  | 'not-a-link'
  | 'unknown-disk'
  | 'malformed'
  | 'expired'
  | 'login-required'
  | 'other-disk'
  | 'other-user'
>

/**
 * What is wrong with a link's query, in words: the reader only says
 * "malformed".
 */
function queryProblems(query: string): string[] {
  const seen = new Map<string, number>()
  const problems: string[] = []
  for (const part of query ? query.split('&') : []) {
    const name = part.split('=')[0]
    seen.set(name, (seen.get(name) ?? 0) + 1)
    if (!LINK_PARAMS.has(name))
      problems.push(
        `unknown parameter "${name}": something was added to the link after it was made`
      )
  }
  for (const [name, count] of seen) if (count > 1) problems.push(`"${name}" appears ${count} times`)
  if (!seen.has('e')) problems.push('the expiry "e" is missing')
  if (!seen.has('s')) problems.push('the signature "s" is missing')
  if (problems.length === 0) {
    problems.push(
      'a value is not spelled as links are made (re-encoded on the way, e.g. %2B written as %2b or +), or not a 43-character MAC, or not epoch seconds'
    )
  }
  return problems
}

/**
 * Explains whether the redirect route would accept a protected link for
 * `user` now, and if not, why: malformed (which part), expired, made for
 * another disk, for another user (or realm or revision), or for a
 * logged-in user when checked for a guest.
 */
export function explainLink(input: {
  link: string
  disks: LinkDisk[]
  user: LinkUserInput
  now?: Date
}): LinkExplanation {
  const now = input.now ?? new Date()
  const origin = URL.parse(input.link)?.origin
  const target = origin ? input.link.slice(origin.length) : input.link

  const parts = input.disks
    .map((disk) => splitLinkPath(disk.routePrefix, target))
    .find((found) => found !== undefined)
  if (!parts) {
    const prefixes = [...new Set(input.disks.map((disk) => disk.routePrefix))].join(', ')
    return refused(
      'not-a-link',
      `not a protected link: its path is not under ${prefixes || 'any redirect route'}`
    )
  }
  const { disk: name, rawKey, query } = parts
  const disk = input.disks.find((candidate) => candidate.name === name)
  if (!disk) {
    return refused(
      'unknown-disk',
      `there is no protected disk named "${name}" (protected disks: ${input.disks.map((entry) => entry.name).join(', ')}): the route answers 404`
    )
  }
  const key = decodeKeyPath(rawKey)
  if (key === undefined) {
    let respelled: string | undefined
    try {
      respelled = encodeObjectKey(rawKey.split('/').map(decodeURIComponent).join('/'))
    } catch {}
    return refused(
      'malformed',
      'the key part of the path is not spelled as links are made (re-encoded on the way, or changed): the route answers 403',
      respelled && respelled !== rawKey ? [`received "${rawKey}", made as "${respelled}"`] : []
    )
  }
  if (!readLinkQuery(query)) {
    return refused(
      'malformed',
      'the query is not one the route accepts: it answers 403',
      queryProblems(query)
    )
  }

  const user = input.user
  const check = (diskName: string, signer: LinkSigner) =>
    signer.verify({
      disk: diskName,
      key,
      query,
      userId: user?.id ?? null,
      realm: user?.realm,
      revision: user?.revision,
      now,
    })
  const result = check(name, disk.signer)
  const who = user ? `user ${user.id}${user.realm ? ` (${user.realm})` : ''}` : 'a guest'
  if (result.ok) {
    const left = result.expiresAt.getTime() - now.getTime()
    return {
      accepted: true,
      summary: `the route would redirect ${who} to ${name}:${key}; the link is valid ${seconds(left)} more, until ${result.expiresAt.toISOString()}`,
      details: [],
    }
  }
  if (result.reason === 'expired') {
    const at = readLinkQuery(query)!.expiresAt * 1000
    return refused(
      'expired',
      `it expired ${seconds(now.getTime() - at)} ago, at ${new Date(at).toISOString()}: the route answers 403`,
      [
        'the page that made it was open longer than links live (links.expiresIn), or it was copied out of the page',
      ]
    )
  }
  if (result.reason === 'login-required') {
    return refused(
      'login-required',
      'checked for a guest, it is not a guest link: the route answers 401. Give the user it was made for (--user)'
    )
  }
  for (const other of input.disks) {
    if (other.name !== name && check(other.name, other.signer).ok) {
      return refused(
        'other-disk',
        `it was made for the disk "${other.name}", not "${name}": the disk name is signed, so the route answers 403`,
        [`the link for ${other.name}: ${other.routePrefix}/${other.name}/${rawKey}?${query}`]
      )
    }
  }
  return refused(
    'other-user',
    `the signature does not match ${who}: the link was made for another user (or another guard or revision), or changed after it was made. The route answers 403`,
    [
      'which user cannot be told from the link, on purpose: the user id is inside the signature, not in the URL',
    ]
  )
}

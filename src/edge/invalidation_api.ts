import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import debug from '../debug.ts'
import { edgeError, edgeErrors, escapeXml, type EdgeError } from './error_response.ts'

/*
 * The local edge's side of CloudFront's invalidation API (API version
 * 2020-05-31, REST with XML bodies, as `@aws-sdk/client-cloudfront` sends
 * it): CreateInvalidation, GetInvalidation and ListInvalidations. Point a
 * `CloudFrontClient`'s `endpoint` at the edge's URL and its calls land here.
 */

const XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/'

/**
 * The API's path: `/2020-05-31/distribution/{Id}/invalidation[/{InvalidationId}]`.
 */
const API_PATH = /^\/?2020-05-31\/distribution\/([^/?]+)\/invalidation(?:\/([^/?]+))?(?:\?(.*))?$/

/**
 * CloudFront's limits on one invalidation batch (CloudFront Developer
 * Guide, "Invalidating files"): a path is at most 4,000 characters, a
 * wildcard only at its end, and 3,000 files (15 wildcards) in progress.
 */
const MAX_PATH_LENGTH = 4000
const MAX_FILE_PATHS = 3000
const MAX_WILDCARD_PATHS = 15

/**
 * Invalidations the edge remembers per distribution, for
 * GetInvalidation and ListInvalidations (the oldest go first).
 */
const REMEMBERED = 1000

type InvalidationRecord = {
  id: string
  createTime: Date
  callerReference: string
  paths: string[]
}

/**
 * Invalidation paths, from the distribution's root as the client sends
 * them (the CDN URL's path included: `/cdn/static/a.png`), as paths from
 * the edge's own root (`/static/a.png`), which its cache matches. A path
 * outside the edge's path is not the edge's; a wildcard over it (`/*`,
 * `/cd*`) covers the whole edge.
 */
export function pathsUnder(edgePath: string, paths: readonly string[]): string[] {
  const root = `${edgePath.replace(/\/$/, '')}/`
  if (root === '/') return [...paths]
  return paths.flatMap((path) => {
    if (path.startsWith(root)) return [path.slice(root.length - 1)]
    return path.endsWith('*') && root.startsWith(path.slice(0, -1)) ? ['/*'] : []
  })
}

/**
 * Whether a request is a call of the invalidation API: its path, and a
 * SigV4 `Authorization` header, which browsers never send (a file stored
 * under `2020-05-31/distribution/...` is still served to them).
 */
export function isInvalidationApiCall(req: IncomingMessage, target: string): boolean {
  return (
    API_PATH.test(target) &&
    (req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ') &&
    (req.method === 'POST' || req.method === 'GET')
  )
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function unescapeXml(text: string): string {
  return text.replace(
    /&(lt|gt|amp|quot|apos|#x[0-9a-f]+|#\d+);/gi,
    (_, entity: string) =>
      XML_ENTITIES[entity.toLowerCase()] ??
      String.fromCodePoint(Number(entity.slice(1).replace(/^x/i, '0x')))
  )
}

/**
 * The text of each `<name>` element of a body (the batch's elements hold
 * text only, never nested elements of the same name).
 */
function elements(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}>)`, 'g')
  return [...xml.matchAll(pattern)].map((match) => unescapeXml(match[1] ?? ''))
}

const errors = {
  noSuchDistribution: () =>
    edgeError(404, 'NoSuchDistribution', 'The specified distribution does not exist.'),
  noSuchInvalidation: () =>
    edgeError(404, 'NoSuchInvalidation', 'The specified invalidation does not exist.'),
  missingBody: () =>
    edgeError(
      400,
      'MissingBody',
      'This operation requires a body. Ensure that the body is present and the Content-Type header is set.'
    ),
  malformed: () =>
    edgeError(
      400,
      'MalformedInput',
      'The XML document you provided was not well-formed or did not validate against our published schema.'
    ),
  inconsistentQuantities: () =>
    edgeError(
      400,
      'InconsistentQuantities',
      "The value of Quantity and the size of Items don't match."
    ),
  batchTooLarge: () =>
    edgeError(413, 'BatchTooLarge', 'Invalidation batch specified is too large.'),
  alreadyExists: () =>
    edgeError(
      409,
      'InvalidationBatchAlreadyExists',
      'The caller reference you attempted to create the invalidation with is the same as one used for another invalidation with different paths.'
    ),
}

function send(
  res: ServerResponse,
  status: number,
  xml: string,
  headers: Record<string, string> = {}
) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  })
  res.end(body)
}

function sendApiError(res: ServerResponse, error: EdgeError) {
  send(
    res,
    error.status,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  )
}

function batchXml(record: InvalidationRecord): string {
  const items = record.paths.map((path) => `<Path>${escapeXml(path)}</Path>`).join('')
  return `<InvalidationBatch><Paths><Quantity>${record.paths.length}</Quantity>${record.paths.length ? `<Items>${items}</Items>` : ''}</Paths><CallerReference>${escapeXml(record.callerReference)}</CallerReference></InvalidationBatch>`
}

/**
 * The invalidation as CloudFront describes it. The edge drops the paths at
 * once, but CloudFront answers a new invalidation `InProgress`: so does the
 * edge, and `Completed` ever after.
 */
function invalidationXml(record: InvalidationRecord, status: 'InProgress' | 'Completed'): string {
  return `<Invalidation xmlns="${XMLNS}"><Id>${record.id}</Id><Status>${status}</Status><CreateTime>${record.createTime.toISOString()}</CreateTime>${batchXml(record)}</Invalidation>`
}

/**
 * What is wrong with a batch's paths, as CloudFront answers it.
 */
function checkPaths(paths: string[]): EdgeError | undefined {
  for (const path of paths) {
    if (!path.startsWith('/') || path.length > MAX_PATH_LENGTH || path.slice(0, -1).includes('*')) {
      return edgeErrors.invalidArgument(
        `Your request contains one or more invalid invalidation paths: ${path.slice(0, 100)}`
      )
    }
  }
  const wildcards = paths.filter((path) => path.endsWith('*')).length
  if (paths.length - wildcards > MAX_FILE_PATHS || wildcards > MAX_WILDCARD_PATHS) {
    return errors.batchTooLarge()
  }
  return undefined
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The invalidation API of the edge at `edgePath` (`/cdn`) for the
 * distributions `distributionIds` (any other id is `NoSuchDistribution`,
 * as on CloudFront), or `undefined` without any. `handle` answers a
 * request that `isInvalidationApiCall` recognised; `target` is the path
 * after the edge's own path (`2020-05-31/distribution/...`). Its
 * invalidations drop the paths from the edge's cache through
 * `invalidate`, as CloudFront's do.
 */
export function createInvalidationApi(
  distributionIds: readonly string[],
  edgePath: string,
  invalidate: (paths: readonly string[]) => number
) {
  if (distributionIds.length === 0) return undefined
  const known = new Set(distributionIds)
  const byDistribution = new Map<string, InvalidationRecord[]>()

  async function create(req: IncomingMessage, res: ServerResponse, distributionId: string) {
    // A batch of 3,000 paths of 4,000 characters fits in 13 MB.
    const body = await readBody(req, 16 * 1024 * 1024)
    if (body === undefined) return sendApiError(res, errors.batchTooLarge())
    if (body.trim() === '') return sendApiError(res, errors.missingBody())
    if (!/<InvalidationBatch[\s>]/.test(body)) return sendApiError(res, errors.malformed())
    const [quantity] = elements(body, 'Quantity')
    const paths = elements(body, 'Path')
    const [callerReference] = elements(body, 'CallerReference')
    if (quantity === undefined || !/^\d+$/.test(quantity.trim()) || !callerReference) {
      return sendApiError(res, errors.malformed())
    }
    if (Number(quantity) !== paths.length) return sendApiError(res, errors.inconsistentQuantities())
    if (paths.length === 0) {
      return sendApiError(
        res,
        edgeErrors.invalidArgument('Your request must contain at least one path.')
      )
    }
    const wrong = checkPaths(paths)
    if (wrong) return sendApiError(res, wrong)

    const records = byDistribution.get(distributionId) ?? []
    byDistribution.set(distributionId, records)
    const same = records.find((record) => record.callerReference === callerReference)
    if (same) {
      // CloudFront answers a repeated request with the invalidation it made.
      if (same.paths.join('\n') !== paths.join('\n')) {
        return sendApiError(res, errors.alreadyExists())
      }
      return send(res, 201, invalidationXml(same, 'Completed'), {
        Location: locationOf(req, same.id),
      })
    }
    const record: InvalidationRecord = {
      id: `I${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`,
      createTime: new Date(),
      callerReference,
      paths,
    }
    records.unshift(record)
    if (records.length > REMEMBERED) records.length = REMEMBERED
    const dropped = invalidate(pathsUnder(edgePath, paths))
    debug(
      'edge: invalidation %s of %s: %d paths, %d cached responses dropped',
      record.id,
      distributionId,
      paths.length,
      dropped
    )
    send(res, 201, invalidationXml(record, 'InProgress'), {
      Location: locationOf(req, record.id),
    })
  }

  function list(res: ServerResponse, distributionId: string, query: URLSearchParams) {
    const records = byDistribution.get(distributionId) ?? []
    const marker = query.get('Marker') ?? ''
    const maxItems = Math.max(0, Math.min(Number(query.get('MaxItems') ?? 100) || 100, 100))
    const start = marker ? records.findIndex((record) => record.id === marker) + 1 : 0
    const page = records.slice(start, start + maxItems)
    const truncated = start + maxItems < records.length
    const items = page
      .map(
        (record) =>
          `<InvalidationSummary><Id>${record.id}</Id><CreateTime>${record.createTime.toISOString()}</CreateTime><Status>Completed</Status></InvalidationSummary>`
      )
      .join('')
    send(
      res,
      200,
      `<InvalidationList xmlns="${XMLNS}"><Marker>${escapeXml(marker)}</Marker>${truncated ? `<NextMarker>${page.at(-1)!.id}</NextMarker>` : ''}<MaxItems>${maxItems}</MaxItems><IsTruncated>${truncated}</IsTruncated><Quantity>${page.length}</Quantity>${page.length ? `<Items>${items}</Items>` : ''}</InvalidationList>`
    )
  }

  return {
    async handle(req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
      try {
        await answer(req, res, target)
      } catch (error) {
        // A body or path no client should send (a character reference
        // beyond Unicode, a broken %-escape): CloudFront's answer to input
        // it cannot read, never a crash.
        debug('edge: invalidation API call refused: %s', (error as Error)?.message)
        if (!res.headersSent) sendApiError(res, errors.malformed())
        else res.destroy()
      }
    },
  }

  async function answer(req: IncomingMessage, res: ServerResponse, target: string) {
    const [, rawDistribution, rawInvalidation, rawQuery] = API_PATH.exec(target)!
    const distributionId = decodeURIComponent(rawDistribution)
    if (!known.has(distributionId)) return sendApiError(res, errors.noSuchDistribution())
    if (req.method === 'POST' && rawInvalidation === undefined) {
      return create(req, res, distributionId)
    }
    if (req.method === 'GET' && rawInvalidation === undefined) {
      return list(res, distributionId, new URLSearchParams(rawQuery ?? ''))
    }
    if (req.method === 'GET') {
      const id = decodeURIComponent(rawInvalidation)
      const record = byDistribution.get(distributionId)?.find((one) => one.id === id)
      if (!record) return sendApiError(res, errors.noSuchInvalidation())
      return send(res, 200, invalidationXml(record, 'Completed'))
    }
    sendApiError(res, edgeErrors.methodNotAllowed())
  }
}

function locationOf(req: IncomingMessage, id: string): string {
  const host = req.headers.host ?? 'localhost'
  const base = (req.url ?? '').replace(/\/invalidation(?:\?.*)?$/, '')
  return `http://${host}${base}/invalidation/${id}`
}

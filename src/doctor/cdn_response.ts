import type { DiskContext } from './types.ts'

/**
 * One CDN answer, read whole (probe objects are a few bytes).
 */
export type CdnResponse = {
  status: number
  headers: Headers
  body: string
  /**
   * `<Code>` and `<Message>` of an XML error body.
   */
  error?: { code: string; message: string }
}

/**
 * GETs a CDN URL over real HTTP, never following redirects, and keeps its
 * `Date` header for the clock check. Network failures come back as a
 * `fetch` error to the caller.
 */
export async function fetchCdn(context: DiskContext, url: string): Promise<CdnResponse> {
  const sentAt = context.now().getTime()
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15_000) })
  const body = await response.text()
  const receivedAt = context.now().getTime()
  const date = response.headers.get('date')
  if (date) context.cdnDates.push({ sentAt, receivedAt, date })
  const match = /<Error>\s*<Code>([^<]*)<\/Code>\s*<Message>([^<]*)<\/Message>/.exec(body)
  return {
    status: response.status,
    headers: response.headers,
    body,
    ...(match ? { error: { code: match[1], message: match[2] } } : {}),
  }
}

/**
 * An HTML page: a website or an app answered, not CloudFront or S3.
 */
export function isHtml(response: CdnResponse): boolean {
  const type = response.headers.get('content-type') ?? ''
  return /html/i.test(type) || /^\s*<(!doctype|html)/i.test(response.body)
}

/**
 * A cause in plain words, with its fix and a stable name.
 */
export type Diagnosis = { diagnosis: string; message: string; fix: string }

/**
 * Why the CDN refused a request, read from its answer. CloudFront's own
 * refusals (`MissingKey`, `InvalidKey`, `Access denied` in lower case)
 * differ from the S3 errors it passes on (`Access Denied` with a capital
 * D, `NoSuchKey`, `NoSuchBucket`).
 */
export function diagnoseCdnAnswer(response: CdnResponse, keyPairId?: string): Diagnosis {
  if (isHtml(response)) {
    return {
      diagnosis: 'cdn-answers-html',
      message: `the CDN URL answers ${response.status} with an HTML page: it is not a CloudFront distribution (or its origin is a website, not the bucket)`,
      fix: 'set cdnUrl to the distribution domain (d111111abcdef8.cloudfront.net or your alias), and the distribution origin to the S3 bucket',
    }
  }
  const { code, message } = response.error ?? { code: '', message: '' }
  if (code === 'MissingKey') {
    return {
      diagnosis: 'signature-missing',
      message: `CloudFront saw no signature (${message})`,
      fix: 'the URL lost its Key-Pair-Id, Signature and Expires/Policy parameters on the way',
    }
  }
  if (code === 'InvalidKey') {
    return {
      diagnosis: 'unknown-key-pair-id',
      message: `CloudFront does not know the key pair id${keyPairId ? ` ${keyPairId}` : ''} ("${message}")`,
      fix: 'add the public key to the key group trusted by this cache behavior (CloudFront > Key groups), and set keyPairId to its ID (CloudFront > Public keys, the ID column)',
    }
  }
  if (code === 'MalformedPolicy') {
    return {
      diagnosis: 'malformed-policy',
      message: 'CloudFront could not read the signed policy',
      fix: 'the URL was changed after signing (a proxy re-encoded it?): run node ace djamazing:explain on it',
    }
  }
  if (code === 'AccessDenied' && message === 'Access denied') {
    return {
      diagnosis: 'signature-refused',
      message: `CloudFront refused the signature of${keyPairId ? ` ${keyPairId}` : ' the key'}: the public key it holds for that id is not the one of this private key, or the URL expired (clock) or was changed`,
      fix: 'compare the public key in CloudFront > Public keys with "node ace djamazing:keys" output or publicKeyFrom(privateKey); check the clock; run node ace djamazing:explain on a failing URL',
    }
  }
  if (code === 'AccessDenied') {
    return {
      diagnosis: 'origin-access-denied',
      message:
        'S3 refused CloudFront: the distribution may not read the bucket, or the object is missing and it may not list the bucket',
      fix: 'give the distribution origin access control (OAC) and a bucket policy allowing s3:GetObject on the objects (docs/aws-setup.md, step 7)',
    }
  }
  if (code === 'NoSuchBucket') {
    return {
      diagnosis: 'origin-bucket-not-found',
      message: 'the distribution origin names a bucket that does not exist',
      fix: 'set the origin of the distribution to the disk bucket',
    }
  }
  if (response.status === 404) {
    return {
      diagnosis: 'not-found-through-cdn',
      message:
        'the object is in the bucket but not found through the CDN: the distribution serves another bucket or origin path',
      fix: 'point the distribution origin at the disk bucket, with no origin path (cdnUrl + the object key must be the object)',
    }
  }
  return {
    diagnosis: 'unexpected-answer',
    message: `the CDN answered ${response.status}${code ? ` ${code}: ${message}` : ''}`,
    fix: 'check the distribution behaviors and origin',
  }
}

import { cloudFrontPages, type CloudFrontPage } from './cloudfront_page.ts'
import { edgeErrors, type EdgeError } from './error_response.ts'
import { OriginFailure } from './origin.ts'

/**
 * What the viewer gets when the origin fails: CloudFront's 504 page when
 * the origin timeout ran out, its 502 page when the origin could not be
 * reached or answered no HTTP, S3's own 5xx passed on as S3 sent it, and
 * the origin's 4xx as translated. `report`: the failure is the server's.
 * `status`: the answer's, which decides whether CloudFront caches it.
 * Without `originListsBucket` a missing key is S3's 403 "Access Denied".
 */
export function failureAnswer(
  error: unknown,
  expired: boolean,
  originListsBucket = true
): { page?: CloudFrontPage; error?: EdgeError; reason?: string; report: boolean; status: number } {
  if (expired) {
    const page = cloudFrontPages.originTimeout()
    return { page, reason: 'origin-timeout', report: true, status: page.status }
  }
  if (!(error instanceof OriginFailure)) {
    return { error: edgeErrors.internalError(), report: true, status: 500 }
  }
  // S3 tells a reader that may not list the bucket "Access Denied" for a
  // missing key, rather than that it is missing.
  if (!originListsBucket && error.edgeError.code === 'NoSuchKey') {
    return { error: edgeErrors.accessDenied('Access Denied'), report: false, status: 403 }
  }
  if (error.edgeError.status < 500) {
    return { error: error.edgeError, report: false, status: error.edgeError.status }
  }
  const status = (error.cause as { $metadata?: { httpStatusCode?: number } })?.$metadata
    ?.httpStatusCode
  if (status !== undefined && status >= 500 && status <= 599) {
    return {
      error: edgeErrors.originAnswered(status, error.cause),
      reason: 'origin-error',
      report: true,
      status,
    }
  }
  const page = cloudFrontPages.originUnreachable()
  return { page, reason: 'origin-unreachable', report: true, status: page.status }
}

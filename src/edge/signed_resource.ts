import { fromAwsBase64 } from '../cloudfront/encoding.ts'

/**
 * The `Resource` of the custom policy that granted a request, read from
 * the `Policy` query parameter or the `CloudFront-Policy` cookie (the ones
 * the verifier just checked: it refuses duplicate signing parameters, and
 * it read the same cookie record). `undefined` when there is none.
 */
export function customPolicyResource(
  query: string,
  cookies: Record<string, string>,
  via: 'url' | 'cookies' | undefined
): string | undefined {
  let encoded: string | undefined
  if (via === 'cookies') {
    encoded = cookies['CloudFront-Policy']
  } else {
    const pair = query.split('&').find((part) => part.startsWith('Policy='))
    encoded = pair?.slice('Policy='.length)
  }
  const bytes = encoded === undefined ? null : fromAwsBase64(encoded)
  if (!bytes) return undefined
  try {
    const resource = JSON.parse(bytes.toString('utf8'))?.Statement?.[0]?.Resource
    return typeof resource === 'string' ? resource : undefined
  } catch {
    return undefined
  }
}

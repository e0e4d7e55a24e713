/*
 * The AWS set-up, once: `node ace configure djamazing` and
 * `node ace djamazing:keys` print these steps, and docs/aws-setup.md
 * opens each of its steps with the same sentence (a test compares them),
 * so the commands and the docs cannot disagree.
 */

/**
 * What the app itself does with the bucket: read, write, delete, list,
 * and for multipart uploads list the parts of one (resuming, completing)
 * and the incomplete ones (pruning), and abort those it gave up on.
 */
export const APP_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
] as const
export const APP_BUCKET_ACTIONS = ['s3:ListBucket', 's3:ListBucketMultipartUploads'] as const

/**
 * Disks with `invalidation`: invalidate changed files, and list
 * invalidations (what `djamazing:doctor` sends, since creating one could
 * cost). Nothing else of CloudFront.
 */
export const APP_CLOUDFRONT_ACTIONS = [
  'cloudfront:CreateInvalidation',
  'cloudfront:ListInvalidations',
] as const

/**
 * The IAM policy of the app's role or user, for one bucket and the
 * distribution its disks invalidate on (placeholders by default, as in
 * docs/aws-setup.md).
 */
export function appIamPolicy(
  bucket: string,
  distribution = { account: '111122223333', id: 'EDFDVBD6EXAMPLE' }
) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DjamazingObjects',
        Effect: 'Allow',
        Action: [...APP_OBJECT_ACTIONS],
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
      {
        Sid: 'DjamazingListing',
        Effect: 'Allow',
        Action: [...APP_BUCKET_ACTIONS],
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Sid: 'DjamazingInvalidation',
        Effect: 'Allow',
        Action: [...APP_CLOUDFRONT_ACTIONS],
        Resource: `arn:aws:cloudfront::${distribution.account}:distribution/${distribution.id}`,
      },
    ],
  }
}

export type AwsSetupStep = { title: string; summary: string }

/**
 * The steps, in order, for an app with one public and one protected disk
 * (the names configure gives them). Summaries are markdown: the commands
 * print them without the backticks.
 */
export function awsSetupSteps(
  disks: { publicDisk: string; protectedDisk: string } = {
    publicDisk: 'static',
    protectedDisk: 'uploads',
  }
): AwsSetupStep[] {
  const actions = (list: readonly string[]) =>
    new Intl.ListFormat('en-GB').format(list.map((action) => `\`${action}\``))
  return [
    {
      title: 'Bucket',
      summary:
        'Create an S3 bucket with ACLs disabled and all public access blocked; set `S3_BUCKET` and `AWS_REGION`.',
    },
    {
      title: 'App credentials',
      summary: `Give the app an IAM role, or an IAM user whose keys go to \`AWS_ACCESS_KEY_ID\` and \`AWS_SECRET_ACCESS_KEY\`, allowed ${actions(APP_OBJECT_ACTIONS)} on the bucket's objects and ${actions(APP_BUCKET_ACTIONS)} on the bucket; disks with \`invalidation\` also need ${actions(APP_CLOUDFRONT_ACTIONS)} on the distribution.`,
    },
    {
      title: 'Key pair',
      summary:
        'Run `node ace djamazing:keys`, add its public key to CloudFront (_Public keys_) and to a key group, and set `CLOUDFRONT_KEY_PAIR_ID` to the ID CloudFront gives it (like `K2JCJMDEHXQW5F`).',
    },
    {
      title: 'Distribution',
      summary:
        'Create a CloudFront distribution with the bucket as origin through origin access control, its default behavior restricted to your key group (_Trusted key groups_); set `CLOUDFRONT_URL` to its URL.',
    },
    {
      title: 'Behaviors per disk',
      summary: `For each public disk, add a restricted behavior for its pending uploads (\`${disks.publicDisk}/pending-uploads/*\`), then an unrestricted behavior for its prefix (\`${disks.publicDisk}/*\`); protected prefixes (\`${disks.protectedDisk}/*\`) stay under the restricted default behavior.`,
    },
    {
      title: 'Download names and content types',
      summary:
        'On the restricted behaviors, use a cache policy that forwards and caches the `response-content-disposition` and `response-content-type` query strings, and the viewer-request function that drops them where no signature covers them.',
    },
    {
      title: 'Bucket policy',
      summary:
        'Paste the bucket policy CloudFront offers for its origin access control into the bucket.',
    },
    {
      title: 'Check',
      summary: `Open a \`${disks.protectedDisk}\` link while logged in: it redirects to a signed CloudFront URL, and the same URL without its signature answers 403.`,
    },
  ]
}

/**
 * The key pair step once the app has its key pair (configure writes one):
 * what to do with the public key, rather than a command that would
 * refuse to replace it.
 */
export function keyPairStepFor(publicKeyFile: string): string {
  return `Add the public key in \`${publicKeyFile}\` to CloudFront (_Public keys_) and to a key group, and set \`CLOUDFRONT_KEY_PAIR_ID\` to the ID CloudFront gives it.`
}

/**
 * A step as a terminal shows it: numbered, without markdown.
 */
export function printableStep(step: AwsSetupStep, index: number): string {
  const text = step.summary.replaceAll('`', '').replace(/(^|[\s(])_([^_]+)_(?=[\s),.;]|$)/g, '$1$2')
  return `${index + 1}. ${step.title}: ${text}`
}

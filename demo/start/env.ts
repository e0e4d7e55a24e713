import { Env } from '@adonisjs/core/env'

/**
 * `npm run demo` (bin/demo.ts in the repository) sets every value before
 * the app boots: it starts the S3 server, creates the CloudFront key pair
 * and the app key. An installed copy reads them from .env (.env.example).
 */
export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  HOST: Env.schema.string({ format: 'host' }),
  PORT: Env.schema.number(),
  APP_KEY: Env.schema.secret(),
  APP_URL: Env.schema.string({ format: 'url', tld: false }),
  LOG_LEVEL: Env.schema.string(),

  DEMO_DATA_DIR: Env.schema.string(),

  // 's3' (s3rver) by default; 'local' keeps the files in the data folder.
  DJAMAZING_STORE: Env.schema.enum(['s3', 'local'] as const),
  S3_ENDPOINT: Env.schema.string.optional({ format: 'url', tld: false }),
  S3_BUCKET: Env.schema.string(),
  AWS_REGION: Env.schema.string(),
  AWS_ACCESS_KEY_ID: Env.schema.string(),
  AWS_SECRET_ACCESS_KEY: Env.schema.string(),
  CLOUDFRONT_URL: Env.schema.string({ format: 'url', tld: false }),
  // The origins the CDN's CORS settings allow, comma-separated.
  CLOUDFRONT_CORS_ORIGINS: Env.schema.string(),
  // The folder cookies' Domain, when the CDN is on another host than the app.
  CLOUDFRONT_COOKIE_DOMAIN: Env.schema.string.optional(),
  CLOUDFRONT_KEY_PAIR_ID: Env.schema.string(),
  CLOUDFRONT_PRIVATE_KEY_FILE: Env.schema.string(),
})

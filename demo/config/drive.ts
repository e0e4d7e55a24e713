import { join } from 'node:path'
import env from '../start/env.ts'
import { defineConfig } from '@adonisjs/drive'
import { djamazing, type LocalEdgeSettings } from 'djamazing'

/**
 * The local edge, with the CORS settings of the distribution's cache
 * behaviors (its response headers policy): the app's pages may read the
 * CDN's answers with `fetch` and players (hls.js), cookies included. They
 * matter when the CDN is another origin (`npm run demo -- --edge-origin`).
 */
const localEdge: LocalEdgeSettings = {
  cors: {
    accessControlAllowOrigins: env.get('CLOUDFRONT_CORS_ORIGINS').split(','),
    accessControlAllowMethods: ['GET', 'HEAD'],
    accessControlAllowCredentials: true,
  },
}

/**
 * What both disks share: the bucket (here s3rver's, started by the demo),
 * the CloudFront URL (the app itself, where the provider mounts the local
 * edge, or its own origin where the edge listens) and the CloudFront key
 * pair the demo generated.
 */
const shared = {
  // 's3', or 'local' (npm run demo -- --local): the files in the data
  // folder, served and taken by the app itself, no S3 server.
  store: env.get('DJAMAZING_STORE'),
  localStore: { root: join(env.get('DEMO_DATA_DIR'), 'storage') },
  bucket: env.get('S3_BUCKET'),
  cdnUrl: env.get('CLOUDFRONT_URL'),
  region: env.get('AWS_REGION'),
  credentials: {
    accessKeyId: env.get('AWS_ACCESS_KEY_ID'),
    secretAccessKey: env.get('AWS_SECRET_ACCESS_KEY'),
  },
  cloudfront: {
    keyPairId: env.get('CLOUDFRONT_KEY_PAIR_ID'),
    privateKeyFile: env.get('CLOUDFRONT_PRIVATE_KEY_FILE'),
  },
  localEdge,
  // s3rver, not AWS: its endpoint, path-style URLs, and checksums only when
  // required (it stores aws-chunked bodies as they come).
  endpoint: env.get('S3_ENDPOINT'),
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const

const driveConfig = defineConfig({
  default: 'uploads',
  services: {
    /**
     * Public files: plain CDN URLs (the logo).
     */
    static: djamazing({ ...shared, mode: 'public', prefix: 'static/' }),

    /**
     * Users' files: links bound to the logged-in user, redirecting to a
     * CloudFront signed URL valid for 1.5 s, the same one for every view
     * within 5 minutes (so the browser keeps the images), and for audio
     * and video a URL that lives 2 hours (so players can seek).
     */
    uploads: djamazing({
      ...shared,
      mode: 'protected',
      prefix: 'uploads/',
      redirects: {
        window: '5m',
        mediaViews: { contentTypes: ['audio/*', 'video/*'], viewFor: '2h' },
      },
      cacheControl: 'private, max-age=86400, immutable',
      // A second check after the link's own: files live under their
      // owner's id, and only the owner may open them.
      authorize: (ctx, { key }) => key.startsWith(`${ctx.auth.user?.id}/`),
      // Direct uploads from the browser: at most 10 GiB (multipart from
      // 64 MiB, above 5 GiB only multipart), a PUT target that works for
      // 10 minutes.
      uploads: { maxSize: 10 * 1024 ** 3, expiresIn: '10m' },
      // Folder links (the sample stream): signed cookies for the whole
      // folder, with a Domain both hosts are under when the CDN is on
      // another host than the app (cdn.example.com and app.example.com).
      folderCookies: { expiresIn: '1h', domain: env.get('CLOUDFRONT_COOKIE_DOMAIN') },
      // The gallery's thumbnails: made from a photo when first shown,
      // stored beside it under the same protection, without its metadata
      // (GPS position, camera). The 2x one is for high-density screens.
      variants: {
        transforms: {
          thumb: { width: 240, height: 240, fit: 'cover' },
          thumb2x: { width: 480, height: 480, fit: 'cover' },
        },
      },
    }),
  },
})

export default driveConfig

declare module '@adonisjs/drive/types' {
  export interface DriveDisks extends InferDriveDisks<typeof driveConfig> {}
}

/*
 * Type-level checks, run by `tsc --noEmit`: the disks of a config/drive.ts
 * made with djamazing() are inferred with their names and driver, so
 * `drive.use('uploads')` is typed and an unknown name does not compile.
 */
import { S3Client } from '@aws-sdk/client-s3'
import { defineConfig } from '@adonisjs/drive'
import type { InferDriveDisks } from '@adonisjs/drive/types'
import type { DriveManager } from 'flydrive'
import { djamazing } from '../../index.ts'
import { DjamazingDriver } from '../../src/driver.ts'

const shared = { bucket: 'b', region: 'us-east-1', cdnUrl: 'https://d111111abcdef8.cloudfront.net' }
const driveConfig = defineConfig({
  default: 'uploads',
  services: {
    static: djamazing({ ...shared, mode: 'public', prefix: 'static/' }),
    uploads: djamazing({ ...shared, mode: 'protected', prefix: 'uploads/' }),
  },
})

type Disks = InferDriveDisks<typeof driveConfig>
export const names: (keyof Disks)[] = ['static', 'uploads']
// @ts-expect-error: not a disk of this config
export const unknown: keyof Disks = 'nope'

export const isDjamazing: ReturnType<Disks['uploads']> extends DjamazingDriver ? true : false = true

declare const drive: DriveManager<Disks>
drive.use('uploads')
// @ts-expect-error: not a disk of this config
drive.use('nope')

djamazing({
  ...shared,
  // @ts-expect-error: a disk is public or protected
  mode: 'private',
})

// The S3 connection settings can be written inline, or a ready client given.
djamazing({
  bucket: 'b',
  mode: 'public',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net',
  region: 'auto',
  endpoint: 'http://127.0.0.1:9000',
  forcePathStyle: true,
  credentials: { accessKeyId: 'a', secretAccessKey: 's' },
})
djamazing({
  bucket: 'b',
  mode: 'protected',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net',
  client: new S3Client({}),
  cloudfront: { keyPairId: 'K2JCJMDEHXQW5F', privateKeyFile: 'keys/cloudfront_private_key.pem' },
  links: { expiresIn: '10m', guestLinks: false },
  // @ts-expect-error: a ready client excludes the connection settings
  region: 'us-east-1',
})

// The settings of the redirect's CloudFront URL live in one group.
djamazing({
  ...shared,
  mode: 'protected',
  redirects: {
    expiresIn: '2s',
    window: '5m',
    mediaViews: { contentTypes: ['video/*'], viewFor: '2h' },
    maxViewFor: '4h',
  },
})
djamazing({
  ...shared,
  mode: 'protected',
  // @ts-expect-error: renamed redirects.expiresIn
  signatureTimeout: '2s',
})
djamazing({
  ...shared,
  mode: 'protected',
  // @ts-expect-error: renamed redirects.window
  signatureWindow: '5m',
})
djamazing({
  ...shared,
  mode: 'protected',
  redirects: {
    // @ts-expect-error: a count of URLs, not a duration
    cacheSize: '10k',
  },
})
djamazing({
  ...shared,
  mode: 'protected',
  cloudfront: {
    keyPairId: 'K2JCJMDEHXQW5F',
    privateKeyFile: 'keys/cloudfront_private_key.pem',
    // @ts-expect-error: errors name the disk's own setting
    setting: 'cloudfront',
  },
})
djamazing({
  ...shared,
  mode: 'protected',
  // @ts-expect-error: the app's production decides
  links: { production: false },
})
new DjamazingDriver({
  bucket: 'b',
  mode: 'protected',
  cdnUrl: 'https://d111111abcdef8.cloudfront.net',
  region: 'us-east-1',
  // @ts-expect-error: the disk's production applies to its links
  links: { secrets: ['x'], currentUserId: () => 1, production: true },
})

// The local edge's settings as configure --edge-origin writes them into a
// plain `shared` object: its lists widen to string[] and still compile.
const sharedWithEdge = {
  ...shared,
  localEdge: {
    cors: {
      accessControlAllowOrigins: ['http://localhost:3333'],
      accessControlAllowMethods: ['GET', 'HEAD'],
      accessControlAllowCredentials: true,
    },
  },
}
export const withEdge = djamazing({ ...sharedWithEdge, mode: 'public', prefix: 'static/' })

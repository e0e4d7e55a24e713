/*
 * Type-level checks, run by `tsc --noEmit`: the disks of a config/drive.ts
 * made with djamazing() are inferred with their names and driver, so
 * `drive.use('uploads')` is typed and an unknown name does not compile.
 */
import { defineConfig } from '@adonisjs/drive'
import type { InferDriveDisks } from '@adonisjs/drive/types'
import type { DriveManager } from 'flydrive'
import { djamazing } from '../../index.ts'
import type { DjamazingDriver } from '../../src/driver.ts'

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

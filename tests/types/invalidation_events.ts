/*
 * Type-level checks, run by `tsc --noEmit`: the app's emitter knows the
 * djamazing:invalidation:* events through the provider's types (as
 * start/events.ts of docs/invalidation.md uses them), and a disk's
 * `invalidation` option refuses what is not a setting.
 */
import type { EmitterService } from '@adonisjs/core/types'
import type {} from '../../providers/djamazing_provider.ts'
import { djamazing } from '../../index.ts'

declare const emitter: EmitterService

emitter.on('djamazing:invalidation:failed', (event) => {
  const error: Error = event.error
  const paths: string[] = event.paths
  void [error, paths]
})
emitter.on('djamazing:invalidation:sent', (event) => {
  const id: string = event.invalidationId
  void id
})
emitter.on('djamazing:invalidation:retrying', (event) => {
  const delay: number = event.delay
  void delay
})

const shared = { bucket: 'b', region: 'us-east-1', cdnUrl: 'https://d111111abcdef8.cloudfront.net' }
djamazing({ ...shared, mode: 'public', invalidation: { batchWindow: '1s', maxPaths: 3000 } })
// @ts-expect-error: not a setting of invalidation
djamazing({ ...shared, mode: 'public', invalidation: { paths: 10 } })

import type { ApplicationService, EventsList } from '@adonisjs/core/types'
import debug from '../debug.ts'
import type { EdgeRequestEvent } from '../edge/types.ts'
import type { InvalidationEvent } from '../invalidation/types.ts'
import type { LinkEvent } from '../links/types.ts'

/**
 * A decision of the redirect route: a link followed to CloudFront.
 */
export type LinkRedirectedEvent = Extract<LinkEvent, { outcome: 'redirected' }>

/**
 * A decision of the redirect route: a link refused, and why.
 */
export type LinkRefusedEvent = Extract<LinkEvent, { outcome: 'refused' }>

/**
 * A request the local edge answered, with the disk whose prefix the key
 * is under (when one is).
 */
export type EdgeEvent = EdgeRequestEvent & { disk?: string }

// The events of the app's emitter (docs/events.md, docs/invalidation.md).
declare module '@adonisjs/core/types' {
  interface EventsList {
    'djamazing:link:redirected': LinkRedirectedEvent
    'djamazing:link:refused': LinkRefusedEvent
    'djamazing:edge:served': EdgeEvent
    'djamazing:edge:refused': EdgeEvent
    'djamazing:invalidation:sent': Extract<InvalidationEvent, { outcome: 'sent' }>
    'djamazing:invalidation:retrying': Extract<InvalidationEvent, { outcome: 'retrying' }>
    'djamazing:invalidation:failed': Extract<InvalidationEvent, { outcome: 'failed' }>
  }
}

type DjamazingEvent = Extract<keyof EventsList, `djamazing:${string}`>

/**
 * Reports decisions through the app's emitter. Listeners run after the
 * response is on its way: an audit log that writes to a database does
 * not delay the redirect, whose target lives 1.5 s. A failing listener is
 * logged, never turned into an answer. Like AdonisJS's own per-request
 * event (`http:request_completed`), an event nobody listens to is not
 * emitted: dispatching it would cost every redirect for nothing.
 */
export async function eventReporters(app: ApplicationService) {
  const [emitter, logger] = await Promise.all([
    app.container.make('emitter'),
    app.container.make('logger'),
  ])
  /**
   * `event` is made only when something listens.
   */
  function emit<Name extends DjamazingEvent>(name: Name, event: () => EventsList[Name]) {
    if (!emitter.hasListeners(name)) return
    emitter.emit(name, event()).catch((error: unknown) => {
      debug('adonis: a %s listener failed: %s', name, (error as Error)?.message)
      logger.error({ err: error }, `djamazing: a listener of ${name} failed`)
    })
  }
  return {
    /**
     * A decision of the redirect route, with the client's address.
     */
    link(event: LinkEvent, clientAddress: string) {
      emit(`djamazing:link:${event.outcome}`, () => ({ ...event, clientAddress }))
    },
    edge(event: EdgeEvent) {
      emit(event.status < 400 ? 'djamazing:edge:served' : 'djamazing:edge:refused', () => event)
    },
    /**
     * A CloudFront invalidation request sent, retried or given up.
     */
    invalidation(event: InvalidationEvent) {
      emit(`djamazing:invalidation:${event.outcome}`, () => event)
    },
  }
}

export type EventReporters = Awaited<ReturnType<typeof eventReporters>>

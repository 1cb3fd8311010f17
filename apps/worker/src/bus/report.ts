import type { StartOutcome } from '@punctual/db'
import type { Logger } from 'pino'
import type { EventBusEventMap, EventBusEvents } from './events.ts'
import type { BatchPlan } from './plan.ts'

export type EmitBusEvent = <K extends keyof EventBusEventMap>(name: K, ...args: EventBusEventMap[K]) => void

/** Emits the bus's typed events; a listener that throws is logged and never stops the consumer. */
export function safeEmitter(events: EventBusEvents, logger: Logger): EmitBusEvent {
  return (name, ...args) => {
    try {
      ;(events.emit as (n: typeof name, ...a: typeof args) => boolean)(name, ...args)
    } catch (err) {
      logger.error({ err, event: name }, 'event bus listener threw')
    }
  }
}

/** After the commit and the ack: the typed events of a handled batch, and a warning per too-costly event. */
export function reportHandled(
  plan: BatchPlan,
  outcomes: readonly StartOutcome[],
  emit: EmitBusEvent,
  logger: Logger,
) {
  for (const p of plan.plans) {
    const outcome = p.request === null ? undefined : outcomes[p.request]
    const duplicate = outcome?.outcome === 'duplicate'
    if (p.outcome === 'too-costly') {
      // Handled once: its outbox row went with the batch's commit, so it is not delivered again.
      logger.warn(
        { eventId: p.eventId, type: p.event.type, tenant: p.event.tenant, subjectId: p.event.subjectId },
        'system event too costly to match against the triggers (work budget spent); it starts nothing',
      )
    }
    if (p.inputTooLarge.length > 0) {
      logger.warn(
        { eventId: p.eventId, type: p.event.type, tenant: p.event.tenant, triggerIds: p.inputTooLarge },
        'system event not started for these triggers: their inputTemplate makes an input over 1 MiB',
      )
    }
    if (!duplicate) for (const stop of p.stopped) emit('chain.stopped', stop)
    emit('event.handled', {
      eventId: p.eventId,
      type: p.event.type,
      tenant: p.event.tenant,
      subjectId: p.event.subjectId,
      outcome: p.outcome !== 'commit' ? p.outcome : duplicate ? 'duplicate' : 'started',
      executionIds: outcome && outcome.outcome !== 'gone' ? outcome.executionIds : [],
      stoppedTriggerIds: p.stopped.map((s) => s.triggerId),
    })
  }
}

import type { EventEmitter } from 'node:events'
import type { SystemEventType } from '@punctual/core'

/**
 * The event bus's typed lifecycle events (tests await them; the worker's metrics count them). Emitted after
 * the Postgres COMMIT that made them true.
 */

/** A system event was handled: its matches started (or its receipt showed it was handled before). */
export interface SystemEventHandled {
  eventId: string
  type: SystemEventType
  tenant: string
  subjectId: string
  /**
   * started: its starts (possibly none) are committed now; duplicate: an earlier delivery handled it;
   * too-costly: matching its data spent the work budget, it starts nothing (acknowledged, not redelivered).
   */
  outcome: 'started' | 'duplicate' | 'unmatched' | 'subject-gone' | 'too-costly'
  /** The executions it started (duplicate: those the first delivery started). */
  executionIds: string[]
  /** Triggers whose start was refused because the chain looped (see chain.stopped). */
  stoppedTriggerIds: string[]
}

/** A start refused because its chain looped back onto itself more than MAX_CHAIN_LOOPS times in a row. */
export interface ChainStopped {
  tenant: string
  eventId: string
  triggerId: string
  workflowId: string
  /** The execution whose event would have started it. */
  causedBy: string
  /** Loop-backs in a row the start would have made. */
  loops: number
}

/** Outbox rows published again by the relay (their first publish was lost or never consumed). */
export interface OutboxRepublished {
  count: number
}

/** A dependency failed; the named phase waits `delayMs` before trying again. */
export interface BusBackoff {
  phase: 'read' | 'handle' | 'relay'
  error: string
  delayMs: number
  failures: number
}

export interface EventBusEventMap {
  'event.handled': [SystemEventHandled]
  'chain.stopped': [ChainStopped]
  'outbox.republished': [OutboxRepublished]
  'bus.backoff': [BusBackoff]
}

export type EventBusEvents = EventEmitter<EventBusEventMap>

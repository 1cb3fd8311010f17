import type { EventEmitter } from 'node:events'
import type { ExecutionError, ExecutionKind } from '@punctual/core'

/**
 * The runner's typed lifecycle events. Tests await them instead of sleeping; metrics and the event bus
 * subscribe to the same ones. An execution event is emitted once its Postgres row says so.
 */

export interface ExecutionEventBase {
  id: string
  /** The attempt this event is about (1 for the first run). */
  attempt: number
  kind: ExecutionKind
  tenant: string
  workflowId: string
  scheduleId: string | null
  workerId: string
}

export interface ExecutionStartedEvent extends ExecutionEventBase {
  scheduledForMs: number
  startedAtMs: number
}

export interface ExecutionSucceededEvent extends ExecutionEventBase {
  finishedAtMs: number
  /** Time the steps of this attempt took. */
  durationMs: number
}

export interface ExecutionRetryingEvent extends ExecutionEventBase {
  error: ExecutionError
  /** The attempt that will run next. */
  nextAttempt: number
  delayMs: number
  availableAtMs: number
}

export interface ExecutionDeadEvent extends ExecutionEventBase {
  error: ExecutionError
  finishedAtMs: number
}

export interface ExecutionCancelledEvent extends ExecutionEventBase {
  finishedAtMs: number
}

/** A fire recorded with the overlap check found an earlier execution unfinished at its start: `skipped`. */
export interface FireSkippedAtStartEvent {
  id: string
  scheduleId: string
  scheduledForMs: number
  workerId: string
}

/** This runner stopped treating an execution as its own without reporting it (it runs, or ran, elsewhere). */
export interface ExecutionLostEvent {
  id: string
  workerId: string
  reason: 'lease-lost' | 'lease-expired' | 'not-owner'
}

/** A fire start reached the schedule's maxExecutions: the row is now `completed` (the contract's system event). */
export interface ScheduleCompletedEvent {
  scheduleId: string
  workflowId: string
  /** The row's version after the change. */
  version: number
  /** The execution whose start completed it. */
  executionId: string | null
  workerId: string
}

/** A dependency failed; the named phase waits `delayMs` before trying again. */
export interface RunnerBackoffEvent {
  phase: 'claim' | 'start' | 'finish' | 'redis' | 'renew'
  error: string
  delayMs: number
  failures: number
}

export interface RunnerEventMap {
  'execution.started': [ExecutionStartedEvent]
  'execution.succeeded': [ExecutionSucceededEvent]
  'execution.retrying': [ExecutionRetryingEvent]
  'execution.dead': [ExecutionDeadEvent]
  'execution.cancelled': [ExecutionCancelledEvent]
  'fire.skipped': [FireSkippedAtStartEvent]
  'execution.lost': [ExecutionLostEvent]
  'schedule.completed': [ScheduleCompletedEvent]
  'runner.backoff': [RunnerBackoffEvent]
}

export type RunnerEvents = EventEmitter<RunnerEventMap>

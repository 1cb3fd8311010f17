import { AppError } from './errors.ts'
import {
  type ExecutionError,
  type ExecutionStatus,
  executionStatuses,
  type SkipReason,
} from './schemas/execution.ts'

/**
 * The execution state machine. An execution is created in one of the CREATED statuses and then only
 * moves along these edges (a status never "transitions" to itself; re-writing the same status, e.g. a
 * batched writer repeating `running`, is the caller's no-op, not an edge):
 *
 *   created as   queued      a fire, manual trigger, redrive, event or webhook waiting for a worker
 *                skipped     a fire refused by overlapPolicy (`skip`, or `buffer_one` with one already waiting)
 *                missed      a misfire outside the catch-up window, or not the one `fire_once` ran / `skip` policy
 *
 *   queued   → running      a worker claimed it (lease taken; attempt n starts)
 *            → cancelled    cancel API, or cancelled by a later fire under `cancel_previous`
 *            → skipped      the overlap check made when a buffered or queued fire is about to start says no;
 *                           or its schedule was paused, disabled or deleted before its first attempt started
 *   running  → succeeded    every step succeeded
 *            → retrying     attempt n failed and n < maxAttempts (waits for its backoff in the delayed set)
 *            → dead         the last attempt failed (the dead-letter queue); redrive makes a NEW execution
 *            → cancelled    cancel API / `cancel_previous`: the in-flight step is aborted
 *            → queued       the lease was lost (worker died) or handed back on shutdown: the same id, the
 *                           same attempt number, runs again (at-least-once)
 *   retrying → queued       its backoff elapsed: moved from the delayed set to the ready queue
 *            → running      a worker claimed it straight from the delayed set
 *            → cancelled    cancel API / `cancel_previous`
 *
 * succeeded, dead, skipped, missed and cancelled are FINISHED: nothing leaves them (the cancel API answers
 * 409 for them). queued, running and retrying are UNFINISHED: what overlapPolicy looks at.
 */

/** Statuses an execution row may be inserted with. */
export const createdExecutionStatuses = [
  'queued',
  'skipped',
  'missed',
] as const satisfies readonly ExecutionStatus[]

export const unfinishedExecutionStatuses = [
  'queued',
  'running',
  'retrying',
] as const satisfies readonly ExecutionStatus[]

export const finishedExecutionStatuses = [
  'succeeded',
  'dead',
  'skipped',
  'missed',
  'cancelled',
] as const satisfies readonly ExecutionStatus[]

const TRANSITIONS: Readonly<Record<ExecutionStatus, readonly ExecutionStatus[]>> = {
  queued: ['running', 'cancelled', 'skipped'],
  running: ['succeeded', 'retrying', 'dead', 'cancelled', 'queued'],
  retrying: ['queued', 'running', 'cancelled'],
  succeeded: [],
  dead: [],
  skipped: [],
  missed: [],
  cancelled: [],
}

export function isExecutionStatus(value: unknown): value is ExecutionStatus {
  return typeof value === 'string' && Object.hasOwn(TRANSITIONS, value)
}

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return isExecutionStatus(from) && TRANSITIONS[from].includes(to)
}

/** Throws SCHED_ERR_INVALID_STATE (409) when `from → to` is not an edge. */
export function assertTransition(from: ExecutionStatus, to: ExecutionStatus): void {
  if (!canTransition(from, to))
    throw new AppError('SCHED_ERR_INVALID_STATE', `An execution cannot go from '${from}' to '${to}'`)
}

/** The statuses `to` may be reached from: the `status in (…)` guard of a conditional update. */
export function transitionSources(to: ExecutionStatus): ExecutionStatus[] {
  return executionStatuses.filter((from) => TRANSITIONS[from].includes(to))
}

/** The statuses reachable from `from` in one step. */
export function transitionTargets(from: ExecutionStatus): readonly ExecutionStatus[] {
  return TRANSITIONS[from]
}

export function isFinished(status: ExecutionStatus): boolean {
  return (finishedExecutionStatuses as readonly string[]).includes(status)
}

/** queued, running or retrying: counts as "an earlier execution is unfinished" for overlapPolicy. */
export function isUnfinished(status: ExecutionStatus): boolean {
  return (unfinishedExecutionStatuses as readonly string[]).includes(status)
}

const SKIP_MESSAGES: Readonly<Record<SkipReason, string>> = {
  overlap: 'an earlier execution of the schedule was unfinished (overlapPolicy)',
  paused: 'the schedule was paused or disabled before this fire started',
  deleted: 'the schedule was deleted before this fire started',
}

/** The `error` of a fire that ends `skipped` without running. */
export function skippedError(reason: SkipReason): ExecutionError {
  return { message: SKIP_MESSAGES[reason], reason }
}

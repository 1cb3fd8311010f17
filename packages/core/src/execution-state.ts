import type { ExecutionError, ExecutionStatus, SkipReason } from './schemas/execution.ts'

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

/**
 * The edges above, one line per status. Nothing at run time walks this table: the writes are guarded in SQL
 * by STATUS_GUARDS, and the tests check every guard against these edges (canTransition in
 * `@punctual/core/testing`).
 */
export const TRANSITIONS: Readonly<Record<ExecutionStatus, readonly ExecutionStatus[]>> = {
  queued: ['running', 'cancelled', 'skipped'],
  running: ['succeeded', 'retrying', 'dead', 'cancelled', 'queued'],
  retrying: ['queued', 'running', 'cancelled'],
  succeeded: [],
  dead: [],
  skipped: [],
  missed: [],
  cancelled: [],
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

export interface StatusGuard {
  /** The statuses the write may move an execution from (its `where status in (…)`). */
  readonly from: readonly ExecutionStatus[]
  /** The statuses it writes; empty when it leaves the status as it is (a flag, a release, a delete). */
  readonly to: readonly ExecutionStatus[]
}

/**
 * The status guard of every write to executions that depends on their status, by name. packages/db builds
 * each `where` from this table (statusIn / statusGuard in packages/db/src/status-guard.ts), and a test checks
 * every `from → to` against the transitions above, so the SQL cannot drift from the state machine.
 */
export const STATUS_GUARDS = {
  /**
   * The runner's start. `running` too: a lease reclaimed from a dead worker starts again (running → queued →
   * running in one statement: the lease loss and the new start).
   */
  start: { from: ['queued', 'retrying', 'running'], to: ['running'] },
  /** The runner's end of an attempt (under its worker id and attempt). */
  finish: { from: ['running'], to: ['succeeded', 'retrying', 'dead', 'cancelled'] },
  /** Graceful shutdown: an attempt aborted by the stop goes back, to run again elsewhere. */
  handBack: { from: ['running'], to: ['queued'] },
  /** A cancel of an execution that is not running: at once. */
  cancelWaiting: { from: ['queued', 'retrying'], to: ['cancelled'] },
  /** A cancel request to a running one (flag only; its owner ends it `cancelled`). */
  requestCancel: { from: ['running'], to: [] },
  /** Either cancel, in one statement (POST /api/executions/:id/cancel). */
  cancel: { from: ['queued', 'retrying', 'running'], to: ['cancelled'] },
  /** A fire that has not started ends without running: overlap at its start, or its schedule stopped. */
  skipUnstarted: { from: ['queued'], to: ['skipped'] },
  /** buffer_one: the held fire is released into Redis (still `queued`). */
  releaseHeld: { from: ['queued'], to: [] },
  /** A fire recorded ahead of its time is deleted by a change of its schedule (it has not happened). */
  dropAhead: { from: ['queued'], to: [] },
  /** maxExecutions: a fire past the budget is deleted before it starts (it never happens). */
  discardOverBudget: { from: ['queued'], to: [] },
  /** PATCH /api/executions/:id: a waiting execution takes a new priority (flag-like: status unchanged). */
  setPriority: { from: ['queued', 'retrying'], to: [] },
  /** A later attempt records a step's success before the next step starts (its runner's, under its attempt). */
  recordStep: { from: ['running'], to: [] },
  /** Reads of what waits for a worker (GET /api/queue, and its partial index executions_waiting_idx). */
  waiting: { from: ['queued', 'retrying'], to: [] },
  /** Reads of what may still run: overlap checks and the reconciler's rebuild of Redis. */
  unfinished: { from: unfinishedExecutionStatuses, to: [] },
} as const satisfies Record<string, StatusGuard>

export type StatusGuardName = keyof typeof STATUS_GUARDS

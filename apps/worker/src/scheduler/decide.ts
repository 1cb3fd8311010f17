import { type FirePlan, nextFireAfter, planFires, type ScheduleTiming, stableJitterMs } from '@punctual/core'
import type { FireScheduleRow, NewFireExecution, UnfinishedExecutionRow } from '@punctual/db'
import type { DueClaim } from '@punctual/queue'
import { decideOverlaps } from './decide-overlap.ts'

/**
 * What one claim of the due-index turns into. Pure: the row (read under its lock), the schedule's
 * unfinished executions and the time are inputs; the caller writes the rows and moves the index entry.
 */
export type ClaimDecision =
  /** The row is at a newer version: the API's write ended (or will end) this claim; give it back. */
  | { kind: 'release' }
  /**
   * The row is not visible at the claim's version (a create or an update not committed yet), or planning
   * failed: try again soon, and leave it to the reconciler if that lasts.
   */
  | { kind: 'retry'; reason: 'row-missing' | 'row-behind' | 'plan-failed'; error?: unknown }
  /** The row is at the claim's version but not active (this scheduler completed or expired it): no next fire. */
  | { kind: 'finish' }
  | FireDecision

export interface FireDecision {
  kind: 'fire'
  /** Rows to insert, in fire order: queued (held for buffer_one), skipped, missed. */
  rows: NewFireExecution[]
  /** cancel_previous: earlier unfinished executions to cancel. */
  cancelIds: string[]
  /** Missed fires beyond the rows (only missed_count grows for them). */
  missedBeyondRows: number
  nextRunAtMs: number | null
  state: 'active' | 'completed' | 'expired'
  /**
   * The first fire whose overlap decision cannot be made yet (buffer_one, cancel_previous, or skip with a
   * maxExecutions budget; skip otherwise records it with overlapCheck): it is ahead of its time and an earlier
   * execution is unfinished, so what the policy says depends on whether that one ends before. The claim is
   * kept until then (or handed back with nextRunAt = this fire).
   */
  waitUntilMs: number | null
  /** Whether the schedule row changes (next_run_at, state, missed_count). */
  changed: boolean
}

export interface DecideInput {
  claim: DueClaim
  row: FireScheduleRow | undefined
  /** The schedule's queued / running / retrying executions. */
  unfinished: readonly UnfinishedExecutionRow[]
  now: number
  lookaheadMs: number
  newId: () => string
}

/**
 * The decisions of one claim, in order: the row against the claim (release / retry / finish), the fires the
 * plan covers (core planFires), the missed ones as rows, the overlap decision of each fire it runs
 * (decide-overlap.ts, which applies core's overlapDecision), then where the schedule goes on.
 */
export function decideClaim(input: DecideInput): ClaimDecision {
  const { claim, row, now } = input
  if (!row) return { kind: 'retry', reason: 'row-missing' }
  if (row.version > claim.version) return { kind: 'release' }
  if (row.version < claim.version) return { kind: 'retry', reason: 'row-behind' }
  if (row.state !== 'active') return { kind: 'finish' }

  const live = input.unfinished
  // maxExecutions counts fires that started running; fires recorded but not started yet count too, so
  // look-ahead never records more than the budget.
  const unstartedFires = new Set(
    live.filter((e) => e.kind === 'fire' && e.status === 'queued' && !e.started).map((e) => e.id),
  )
  const executionCount = row.executionCount + unstartedFires.size
  const timing: ScheduleTiming = {
    cronExpression: row.cronExpression,
    timezone: row.timezone,
    startDate: row.startDateMs === null ? null : new Date(row.startDateMs),
    endDate: row.endDateMs === null ? null : new Date(row.endDateMs),
  }
  const plan = planClaim(input, row, timing, executionCount)
  const rows = missedRows(plan, row, input.newId)
  const runs = plan.run.map((d) => d.getTime())
  const { cancelIds, waitUntilMs, lastDecided } = decideOverlaps({
    row,
    live,
    runs,
    now,
    newId: input.newId,
    rows,
  })

  let nextRunAtMs = plan.nextRunAt?.getTime() ?? null
  let state = plan.state
  if (waitUntilMs !== null) {
    nextRunAtMs = waitUntilMs
    state = 'active'
  } else if (state === 'completed' && lastDecided !== null && row.maxExecutions !== null) {
    // The plan spent the budget on runs; skipped fires and cancelled unstarted ones do not count.
    if (countedStarts(executionCount, rows, cancelIds, unstartedFires) < row.maxExecutions) {
      const next = nextFireAfter(timing, new Date(lastDecided))
      nextRunAtMs = next?.getTime() ?? null
      state = next ? 'active' : 'expired'
    }
  }
  const missedBeyondRows = plan.missedBeyondRows
  return {
    kind: 'fire',
    rows,
    cancelIds: [...cancelIds],
    missedBeyondRows,
    nextRunAtMs,
    state,
    waitUntilMs,
    changed:
      rows.length > 0 || missedBeyondRows > 0 || state !== row.state || nextRunAtMs !== row.nextRunAtMs,
  }
}

/** The fires this claim covers, from the due time on. */
function planClaim(
  input: DecideInput,
  row: FireScheduleRow,
  timing: ScheduleTiming,
  executionCount: number,
): FirePlan {
  // At the claim's version the row's next_run_at is the first fire not planned yet: later than the entry's
  // score only when an earlier claim recorded fires and died before moving the entry on.
  const dueAt = Math.max(input.claim.fireAtMs, row.nextRunAtMs ?? input.claim.fireAtMs)
  return planFires({
    schedule: {
      ...timing,
      misfirePolicy: row.misfirePolicy,
      catchupWindowMs: row.catchupWindowMs,
      maxExecutions: row.maxExecutions,
      executionCount,
    },
    dueAt: new Date(dueAt),
    now: new Date(input.now),
    lookaheadMs: input.lookaheadMs,
  })
}

/** The plan's missed fires that get rows (the rest only grow missed_count). */
function missedRows(
  plan: FirePlan,
  row: Pick<FireScheduleRow, 'id' | 'jitterMs'>,
  newId: () => string,
): NewFireExecution[] {
  return plan.missed.map((d) => ({
    id: newId(),
    scheduleId: row.id,
    scheduledForMs: d.getTime(),
    status: 'missed',
    held: false,
    availableAtMs: null,
    dueAtMs: d.getTime() + stableJitterMs(row.id, d, row.jitterMs),
  }))
}

/**
 * maxExecutions spent once this claim's rows exist: the count so far, plus the fires recorded to run, minus
 * the unstarted fires cancel_previous cancels (skipped fires spend nothing).
 */
export function countedStarts(
  executionCount: number,
  rows: readonly NewFireExecution[],
  cancelIds: ReadonlySet<string>,
  unstartedFires: ReadonlySet<string>,
): number {
  let count = executionCount + rows.filter((r) => r.status === 'queued').length
  for (const id of cancelIds) if (unstartedFires.has(id)) count--
  return count
}

import {
  DEFAULT_MISFIRE_TOLERANCE_MS,
  nextFireAfter,
  type OverlapDecision,
  overlapDecision,
  planFires,
  stableJitterMs,
  type UnfinishedExecution,
} from '@punctual/core'
import type { FireScheduleRow, NewFireExecution, UnfinishedExecutionRow } from '@punctual/db'
import type { DueClaim } from '@punctual/queue'

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

const RUN: OverlapDecision = { action: 'run', cancelIds: [] }

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
  const timing = {
    cronExpression: row.cronExpression,
    timezone: row.timezone,
    startDate: row.startDateMs === null ? null : new Date(row.startDateMs),
    endDate: row.endDateMs === null ? null : new Date(row.endDateMs),
  }
  // At the claim's version the row's next_run_at is the first fire not planned yet: later than the entry's
  // score only when an earlier claim recorded fires and died before moving the entry on.
  const dueAt = Math.max(claim.fireAtMs, row.nextRunAtMs ?? claim.fireAtMs)
  const plan = planFires({
    schedule: {
      ...timing,
      misfirePolicy: row.misfirePolicy,
      catchupWindowMs: row.catchupWindowMs,
      maxExecutions: row.maxExecutions,
      executionCount,
    },
    dueAt: new Date(dueAt),
    now: new Date(now),
    lookaheadMs: input.lookaheadMs,
  })

  const rows: NewFireExecution[] = plan.missed.map((d) => ({
    id: input.newId(),
    scheduleId: row.id,
    scheduledForMs: d.getTime(),
    status: 'missed',
    held: false,
    availableAtMs: null,
  }))
  const cancelIds = new Set<string>()
  let unfinished: UnfinishedExecution[] = live
    .filter((e) => !e.held)
    .map((e) => ({ id: e.id, status: e.status }))
  let waiting = live.filter((e) => e.held && e.status === 'queued').map((e) => e.id)
  let buffered = waiting.length
  const policy = row.overlapPolicy

  const record = (t: number, action: 'run' | 'skip' | 'buffer', overlapCheck = false) => {
    const id = input.newId()
    if (action === 'skip') {
      rows.push({
        id,
        scheduleId: row.id,
        scheduledForMs: t,
        status: 'skipped',
        held: false,
        availableAtMs: null,
      })
      return
    }
    const availableAtMs = t + stableJitterMs(row.id, new Date(t), row.jitterMs)
    rows.push({
      id,
      scheduleId: row.id,
      scheduledForMs: t,
      status: 'queued',
      held: action === 'buffer',
      availableAtMs,
      ...(overlapCheck ? { overlapCheck } : {}),
    })
    if (action === 'run') unfinished.push({ id, status: 'queued' })
    else buffered++
  }
  const cancelPrevious = (ids: readonly string[]) => {
    for (const id of ids) {
      const own = rows.find((r) => r.id === id)
      // A run of this same claim superseded before it could start: it never happens.
      if (own) Object.assign(own, { status: 'skipped', held: false, availableAtMs: null })
      else cancelIds.add(id)
    }
    // Fires held back by an earlier buffer_one are earlier executions too.
    for (const r of rows) {
      if (r.held) Object.assign(r, { status: 'skipped', held: false, availableAtMs: null })
    }
    for (const id of waiting) cancelIds.add(id)
    waiting = []
    buffered = 0
    unfinished = []
  }
  const apply = (fires: readonly number[], d: OverlapDecision) => {
    if (d.action === 'cancel_previous_then_run') cancelPrevious(d.cancelIds)
    fires.forEach((t, i) => {
      if (d.action === 'skip') record(t, 'skip')
      // buffer_one keeps at most one waiting fire.
      else if (d.action === 'buffer') record(t, i === 0 ? 'buffer' : 'skip')
      else record(t, 'run')
    })
  }
  const decide = (): OverlapDecision =>
    policy === 'allow' ? RUN : overlapDecision(policy, unfinished, buffered)

  // Misfires the policy runs are one catch-up, decided together against what was unfinished before it
  // (fire_all runs each of them); on-time fires are decided one by one, each at its own time.
  const runs = plan.run.map((d) => d.getTime())
  const catchUp = runs.filter((t) => t <= now - DEFAULT_MISFIRE_TOLERANCE_MS)
  if (catchUp.length > 0) apply(catchUp, decide())
  let waitUntilMs: number | null = null
  let lastDecided: number | null = catchUp.at(-1) ?? null
  // skip (without a maxExecutions budget, whose count the start would have to undo) can be decided by the
  // runner when the fire starts: record it ahead with the check, rather than holding the claim until then.
  const skipAtStart = policy === 'skip' && row.maxExecutions === null
  for (const t of runs.slice(catchUp.length)) {
    if (t > now && policy !== 'allow' && (unfinished.length > 0 || buffered > 0)) {
      if (skipAtStart) {
        record(t, 'run', true)
        lastDecided = t
        continue
      }
      waitUntilMs = t
      break
    }
    apply([t], decide())
    lastDecided = t
  }

  let nextRunAtMs = plan.nextRunAt?.getTime() ?? null
  let state = plan.state
  if (waitUntilMs !== null) {
    nextRunAtMs = waitUntilMs
    state = 'active'
  } else if (state === 'completed' && lastDecided !== null && row.maxExecutions !== null) {
    // The plan spent the budget on runs; skipped fires and cancelled unstarted ones do not count.
    let count = executionCount + rows.filter((r) => r.status === 'queued').length
    for (const id of cancelIds) if (unstartedFires.has(id)) count--
    if (count < row.maxExecutions) {
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

import {
  DEFAULT_MISFIRE_TOLERANCE_MS,
  type OverlapDecision,
  overlapDecision,
  stableJitterMs,
  type UnfinishedExecution,
} from '@punctual/core'
import type { FireScheduleRow, NewFireExecution, UnfinishedExecutionRow } from '@punctual/db'

/**
 * overlapPolicy at record time: the "record" column of the table in packages/core/src/overlap/ (where the
 * policy itself is decided, `overlapDecision`). Each fire a claim runs gets the policy's decision against what
 * is unfinished at its time (earlier executions, and the fires this claim recorded before it), and becomes a
 * row: queued, queued and held (buffer_one), or skipped; cancel_previous names the executions to cancel.
 */

export interface OverlapInput {
  row: FireScheduleRow
  /** The schedule's queued / running / retrying executions. */
  live: readonly UnfinishedExecutionRow[]
  /** The fires the plan runs (ms), in order. */
  runs: readonly number[]
  now: number
  newId: () => string
  /** The rows recorded so far (the plan's missed fires); the decided fires are appended. */
  rows: NewFireExecution[]
}

/** What the fires decided so far leave behind: rows, cancels, and what a later fire sees as unfinished. */
export interface OverlapOutcome {
  readonly row: FireScheduleRow
  readonly newId: () => string
  readonly rows: NewFireExecution[]
  /** cancel_previous: earlier unfinished executions to cancel. */
  readonly cancelIds: Set<string>
  unfinished: UnfinishedExecution[]
  /** Fires held back by an earlier buffer_one, waiting. */
  waiting: string[]
  buffered: number
  /** The first fire left undecided (FireDecision.waitUntilMs), else null. */
  waitUntilMs: number | null
  /** The last fire decided, else null. */
  lastDecided: number | null
}

const RUN: OverlapDecision = { action: 'run', cancelIds: [] }

/** The overlap decision of each fire the plan runs, in order, written into rows (see the header). */
export function decideOverlaps(input: OverlapInput): OverlapOutcome {
  const { row, live, runs, now } = input
  const s: OverlapOutcome = {
    row,
    newId: input.newId,
    rows: input.rows,
    cancelIds: new Set<string>(),
    unfinished: live.filter((e) => !e.held).map((e) => ({ id: e.id, status: e.status })),
    waiting: live.filter((e) => e.held && e.status === 'queued').map((e) => e.id),
    buffered: 0,
    waitUntilMs: null,
    lastDecided: null,
  }
  s.buffered = s.waiting.length
  const policy = row.overlapPolicy
  // Misfires the policy runs are one catch-up, decided together against what was unfinished before it
  // (fire_all runs each of them); on-time fires are decided one by one, each at its own time.
  const catchUp = runs.filter((t) => t <= now - DEFAULT_MISFIRE_TOLERANCE_MS)
  if (catchUp.length > 0) apply(s, catchUp, decide(s))
  s.lastDecided = catchUp.at(-1) ?? null
  // skip (without a maxExecutions budget, whose count the start would have to undo) can be decided by the
  // runner when the fire starts: record it ahead with the check, rather than holding the claim until then.
  const skipAtStart = policy === 'skip' && row.maxExecutions === null
  for (const t of runs.slice(catchUp.length)) {
    if (t > now && policy !== 'allow' && (s.unfinished.length > 0 || s.buffered > 0)) {
      if (skipAtStart) {
        record(s, t, 'run', true)
        s.lastDecided = t
        continue
      }
      s.waitUntilMs = t
      break
    }
    apply(s, [t], decide(s))
    s.lastDecided = t
  }
  return s
}

function decide(s: OverlapOutcome): OverlapDecision {
  const policy = s.row.overlapPolicy
  return policy === 'allow' ? RUN : overlapDecision(policy, s.unfinished, s.buffered)
}

function apply(s: OverlapOutcome, fires: readonly number[], d: OverlapDecision): void {
  if (d.action === 'cancel_previous_then_run') cancelPrevious(s, d.cancelIds)
  fires.forEach((t, i) => {
    if (d.action === 'skip') record(s, t, 'skip')
    // buffer_one keeps at most one waiting fire.
    else if (d.action === 'buffer') record(s, t, i === 0 ? 'buffer' : 'skip')
    else record(s, t, 'run')
  })
}

function record(s: OverlapOutcome, t: number, action: 'run' | 'skip' | 'buffer', overlapCheck = false): void {
  const { row } = s
  const id = s.newId()
  const dueAtMs = t + stableJitterMs(row.id, new Date(t), row.jitterMs)
  if (action === 'skip') {
    s.rows.push({
      id,
      scheduleId: row.id,
      scheduledForMs: t,
      status: 'skipped',
      held: false,
      availableAtMs: null,
      dueAtMs,
    })
    return
  }
  s.rows.push({
    id,
    scheduleId: row.id,
    scheduledForMs: t,
    status: 'queued',
    held: action === 'buffer',
    availableAtMs: dueAtMs,
    dueAtMs,
    ...(overlapCheck ? { overlapCheck } : {}),
  })
  if (action === 'run') s.unfinished.push({ id, status: 'queued' })
  else s.buffered++
}

function cancelPrevious(s: OverlapOutcome, ids: readonly string[]): void {
  for (const id of ids) {
    const own = s.rows.find((r) => r.id === id)
    // A run of this same claim superseded before it could start: it never happens.
    if (own) Object.assign(own, { status: 'skipped', held: false, availableAtMs: null })
    else s.cancelIds.add(id)
  }
  // Fires held back by an earlier buffer_one are earlier executions too.
  for (const r of s.rows) {
    if (r.held) Object.assign(r, { status: 'skipped', held: false, availableAtMs: null })
  }
  for (const id of s.waiting) s.cancelIds.add(id)
  s.waiting = []
  s.buffered = 0
  s.unfinished = []
}

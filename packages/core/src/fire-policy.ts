import type { Static } from 'typebox'
import { nextRuns } from './cron/index.ts'
import type { MisfirePolicy, ScheduleState } from './schemas/schedule.ts'

/**
 * The decisions the scheduler makes when it claims a due schedule. Pure: the time, the due-index entry and
 * the schedule's counters are inputs; the caller writes the rows and moves the index entry.
 *
 * Fire classes, by how late a fire f is at `now`:
 * - ON TIME: f > now - misfireToleranceMs (default 1 s). Fires claimed ahead (f in (now, now + lookaheadMs])
 *   and fires at most the tolerance late are normal fires: they always run. The tolerance absorbs claim
 *   loop and GC lag; it is at most one fire wide for the 1-second cron granularity, so a resumption never
 *   runs more than one "on time" fire it would otherwise have called a misfire.
 * - MISFIRE: f <= now - misfireToleranceMs, i.e. it came due while no scheduler ran (or the fleet fell
 *   that far behind, which is the same thing to a user, as in Quartz's misfire threshold):
 *   - OUTSIDE the window (f < now - catchupWindowMs): never run, recorded as missed;
 *   - INSIDE the window: `fire_all` runs each, oldest first; `skip` records each as missed; `fire_once`
 *     runs one: the latest due fire. When an on-time fire is already due (f in (now - tolerance, now])
 *     that fire IS the latest and the in-window misfires are all missed; otherwise the latest in-window
 *     misfire runs and the others are missed.
 * - Missed rows: at most MAX_MISSED_ROWS (the earliest ones) per plan; the rest only count
 *   (`missedBeyondRows`). Counting stops at `missedCountCap` (then `missedCountCapped`; the count is a lower
 *   bound), so a year of per-second misfires costs a bounded number of cron steps, not 31 million.
 * - Bounds: start and end dates are inclusive; fires after endDate do not exist. `maxExecutions`: at most
 *   `maxExecutions - executionCount` runs are planned (the caller counts queued-but-not-started fires in
 *   executionCount); fires after the last allowed run are neither run nor recorded, and the schedule is
 *   `completed`. With no fire left the schedule is `expired`.
 * - A plan holds at most `maxRuns` runs (fire_all catching up a long window). When cut short, `truncated`
 *   is set and `nextRunAt` is the first fire not planned (possibly in the past): claim again to go on.
 */

type Misfire = Static<typeof MisfirePolicy>

export const DEFAULT_MISFIRE_TOLERANCE_MS = 1000
export const MAX_MISSED_ROWS = 100
export const DEFAULT_MAX_RUNS_PER_PLAN = 1000
export const DEFAULT_MISSED_COUNT_CAP = 10_000

export interface FireSchedule {
  cronExpression: string
  timezone: string
  startDate: Date | null
  endDate: Date | null
  misfirePolicy: Misfire
  catchupWindowMs: number
  maxExecutions: number | null
  /** Fires that have started running or are queued to (manual runs excluded). */
  executionCount: number
}

export interface PlanFiresInput {
  schedule: FireSchedule
  /** The due-index entry's fire time (the schedule's nextRunAt): planning starts at the first fire >= it. */
  dueAt: Date
  now: Date
  /** Fires up to now + lookaheadMs are planned now (recorded ahead of their time). */
  lookaheadMs: number
  misfireToleranceMs?: number
  maxRuns?: number
  missedCountCap?: number
}

export interface FirePlan {
  /** Fires to record as `fire` executions (queued), ascending. */
  run: Date[]
  /** Fires to record as `missed` rows, ascending, at most MAX_MISSED_ROWS. */
  missed: Date[]
  /** Further missed fires that only add to the schedule's missedCount. */
  missedBeyondRows: number
  /** The missed count stopped at missedCountCap: missed.length + missedBeyondRows is a lower bound. */
  missedCountCapped: boolean
  /** The plan stopped at maxRuns; nextRunAt is the first fire not planned yet. */
  truncated: boolean
  nextRunAt: Date | null
  state: Extract<ScheduleState, 'active' | 'completed' | 'expired'>
}

function firstAfter(s: FireSchedule, t: number): number | null {
  const [next] = nextRuns(s.cronExpression, { timezone: s.timezone, from: new Date(t), count: 1 })
  return next ? next.getTime() : null
}

/** Walks a schedule's fires forward, strictly after a starting instant and not after `end`. */
class FireCursor {
  private buf: number[] = []
  private i = 0
  private chunk = 2
  private done = false

  constructor(
    private readonly s: FireSchedule,
    private after: number,
    private readonly end: number,
  ) {}

  peek(): number | null {
    if (this.i < this.buf.length) return this.buf[this.i]!
    if (this.done) return null
    // Small first batch: the common claim plans one or two fires. Larger ones when catching up.
    const count = this.chunk
    this.chunk = Math.min(this.chunk * 2, 256)
    const got = nextRuns(this.s.cronExpression, {
      timezone: this.s.timezone,
      from: new Date(this.after),
      count,
    })
    this.buf = []
    this.i = 0
    if (got.length < count) this.done = true
    for (const d of got) {
      const t = d.getTime()
      if (t > this.end) {
        this.done = true
        break
      }
      this.buf.push(t)
    }
    if (this.buf.length === 0) return null
    this.after = this.buf[this.buf.length - 1]!
    return this.buf[0]!
  }

  take(): number {
    const t = this.peek()
    if (t === null) throw new Error('FireCursor.take past the last fire')
    this.i++
    return t
  }

  /** Skips every fire before `t`. */
  seek(t: number): void {
    const p = this.peek()
    if (p === null || p >= t) return
    this.buf = []
    this.i = 0
    this.chunk = 2
    this.after = t - 1
  }
}

/** The latest fire in [known, b], given that `known` is one. O(log(b - known)) cron steps. */
function latestFireIn(s: FireSchedule, known: number, b: number): number {
  let lo = known
  let hi = b
  for (;;) {
    const f = firstAfter(s, lo)
    if (f === null || f > hi) return lo
    lo = f
    const mid = lo + Math.floor((hi - lo) / 2)
    const g = firstAfter(s, mid)
    if (g !== null && g <= hi) lo = g
    else hi = mid
  }
}

function checkTime(name: string, d: Date | null): number | null {
  if (d === null) return null
  const t = d.getTime()
  if (!Number.isFinite(t)) throw new RangeError(`${name} is not a valid date`)
  return t
}

function checkNonNegative(name: string, v: number): number {
  if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a finite number >= 0, got ${v}`)
  return v
}

/** planFires's times (ms) and limits, checked once, defaults filled. */
function planInputs(input: PlanFiresInput) {
  const s = input.schedule
  return {
    now: checkTime('now', input.now)!,
    dueAt: checkTime('dueAt', input.dueAt)!,
    start: checkTime('startDate', s.startDate),
    end: checkTime('endDate', s.endDate) ?? Number.POSITIVE_INFINITY,
    lookahead: checkNonNegative('lookaheadMs', input.lookaheadMs),
    tolerance: checkNonNegative(
      'misfireToleranceMs',
      input.misfireToleranceMs ?? DEFAULT_MISFIRE_TOLERANCE_MS,
    ),
    window: checkNonNegative('catchupWindowMs', s.catchupWindowMs),
    maxRuns: Math.max(1, input.maxRuns ?? DEFAULT_MAX_RUNS_PER_PLAN),
    countCap: Math.max(0, input.missedCountCap ?? DEFAULT_MISSED_COUNT_CAP),
  }
}

export function planFires(input: PlanFiresInput): FirePlan {
  const s = input.schedule
  const { now, dueAt, start, end, lookahead, tolerance, window, maxRuns, countCap } = planInputs(input)

  const budget = s.maxExecutions === null ? Number.POSITIVE_INFINITY : s.maxExecutions - s.executionCount
  const plan: FirePlan = {
    run: [],
    missed: [],
    missedBeyondRows: 0,
    missedCountCapped: false,
    truncated: false,
    nextRunAt: null,
    state: 'completed',
  }
  if (budget <= 0) return plan

  const runs: number[] = []
  const missedRows: number[] = []
  let missedCount = 0
  const cursor = new FireCursor(s, Math.max(dueAt, start ?? dueAt) - 1, end)
  const canRun = () => runs.length < budget && runs.length < maxRuns

  /** Records every fire up to `last` (inclusive) as missed, counting at most countCap of them. */
  const missThrough = (last: number) => {
    for (let t = cursor.peek(); t !== null && t <= last; t = cursor.peek()) {
      if (missedCount >= countCap) {
        plan.missedCountCapped = true
        cursor.seek(last + 1)
        return
      }
      cursor.take()
      if (missedRows.length < MAX_MISSED_ROWS) missedRows.push(t)
      missedCount++
    }
  }
  const runThrough = (last: number) => {
    for (let t = cursor.peek(); t !== null && t <= last && canRun(); t = cursor.peek())
      runs.push(cursor.take())
  }

  const lastMisfire = now - tolerance
  const windowStart = now - window
  const first = cursor.peek()
  if (first !== null && first <= lastMisfire) {
    missThrough(Math.min(windowStart - 1, lastMisfire))
    if (s.misfirePolicy === 'fire_all') runThrough(lastMisfire)
    else if (s.misfirePolicy === 'skip') missThrough(lastMisfire)
    else {
      const onTimeDue = firstAfter(s, lastMisfire)
      const p = cursor.peek()
      if (onTimeDue !== null && onTimeDue <= Math.min(now, end)) missThrough(lastMisfire)
      else if (p !== null && p <= lastMisfire) {
        const latest = latestFireIn(s, p, Math.min(lastMisfire, end))
        missThrough(latest - 1)
        cursor.seek(latest)
        runs.push(cursor.take())
      }
    }
  }
  runThrough(now + lookahead)

  plan.run = runs.map((t) => new Date(t))
  plan.missed = missedRows.map((t) => new Date(t))
  plan.missedBeyondRows = missedCount - missedRows.length
  if (runs.length >= budget) return plan
  const next = cursor.peek()
  if (next === null) {
    plan.state = 'expired'
    return plan
  }
  plan.state = 'active'
  plan.nextRunAt = new Date(next)
  plan.truncated = runs.length >= maxRuns && next <= now + lookahead
  return plan
}

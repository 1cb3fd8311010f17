import { eachFire } from '../cron/fire-seconds.ts'
import { stableJitterMs } from '../jitter.ts'
import type { SecondHistogram } from './histogram.ts'

/** A schedule as the optimizer reads it. */
export interface OptimizerSchedule {
  id: string
  version: number
  cronExpression: string
  timezone: string
  jitterMs: number
  /** metadata.pinned === true: counted, never moved. */
  pinned: boolean
  startDate: Date | null
  endDate: Date | null
}

/**
 * Where a schedule's fires start within a window, as second indexes: `points` one fire each (its stable
 * jitter applied, exactly as the scheduler delays it), `ranges` pairs [a, b) of seconds with one fire each
 * (minutes of an every-second schedule, counted at their nominal seconds: jitter shifts such a fire by less
 * than its window but the minute still has one start per second on average).
 */
export interface FireProfile {
  points: Int32Array
  ranges: Int32Array
}

/** The schedule's fires in the histogram's window (start/end dates honoured; maxExecutions is not). */
export function fireProfile(
  s: Pick<OptimizerSchedule, 'id' | 'cronExpression' | 'timezone' | 'jitterMs' | 'startDate' | 'endDate'>,
  window: Pick<SecondHistogram, 'from' | 'length' | 'index'>,
): FireProfile {
  const jitter = Math.max(0, Math.floor(s.jitterMs))
  const to = window.from + window.length * 1000
  // A fire up to jitterMs before the window may start inside it.
  let lo = window.from - jitter
  let hi = to
  if (s.startDate) lo = Math.max(lo, s.startDate.getTime())
  if (s.endDate) hi = Math.min(hi, s.endDate.getTime() + 1)
  const points: number[] = []
  const ranges: number[] = []
  eachFire(
    s.cronExpression,
    { timezone: s.timezone, from: lo, to: hi },
    {
      point(t) {
        const i = window.index(jitter > 0 ? t + stableJitterMs(s.id, new Date(t), jitter) : t)
        if (i >= 0) points.push(i)
      },
      range(a, b) {
        const ia = Math.max(0, Math.floor((a - window.from) / 1000))
        const ib = Math.min(window.length, Math.floor((b - window.from) / 1000))
        if (ib <= ia) return
        // Consecutive minutes merge into one run.
        if (ranges.length > 0 && ranges[ranges.length - 1] === ia) ranges[ranges.length - 1] = ib
        else ranges.push(ia, ib)
      },
    },
  )
  return { points: Int32Array.from(points), ranges: Int32Array.from(ranges) }
}

/** Adds (by = 1) or removes (by = -1) a profile's fires. */
export function addProfile(h: SecondHistogram, p: FireProfile, by: number): void {
  for (let i = 0; i < p.points.length; i++) h.addAt(p.points[i]!, by)
  for (let i = 0; i < p.ranges.length; i += 2) h.addRange(p.ranges[i]!, p.ranges[i + 1]!, by)
}

/** Does the profile fire at second index `i`? */
export function firesAt(p: FireProfile, i: number): boolean {
  for (let k = 0; k < p.ranges.length; k += 2) if (p.ranges[k]! <= i && i < p.ranges[k + 1]!) return true
  return p.points.includes(i)
}

import { eachFire } from '../cron/fire-seconds.ts'
import { parse } from '../cron/parse.ts'
import { zoneRules } from '../cron/zone.ts'
import { stableJitterMs } from '../jitter.ts'
import type { SecondHistogram } from './histogram.ts'
import { latestSecond, singleSecond } from './seconds.ts'

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
 * Where a schedule's fires start within [base, end), as seconds from `base` (a whole second): `points` one
 * fire each (its stable jitter applied, exactly as the scheduler delays it), `ranges` pairs [a, b) of seconds
 * with one fire each (minutes of an every-second schedule, counted at their nominal seconds: jitter shifts such
 * a fire by less than its window but the minute still has one start per second on average).
 */
export interface FireProfile {
  base: number
  end: number
  points: Int32Array
  /**
   * Evenly spaced fires as triples [first, step, count] (seconds from `base`): an every-5-minutes schedule over
   * a week is one triple instead of 2,016 points, a daily one a triple per offset of its zone.
   */
  runs: Int32Array
  ranges: Int32Array
  /** Up to SAMPLE of its fires (seconds from `base`), spread over the window: what a move is judged by. */
  sample: Int32Array
  /** No offset change of its zone in [base, end): moving every fire by some seconds moves the profile. */
  steady: boolean
  /** Its single second of the minute when it may be moved (not pinned, one second, no every-second minutes). */
  movableSecond: number | null
}

type Timing = Pick<
  OptimizerSchedule,
  'id' | 'cronExpression' | 'timezone' | 'jitterMs' | 'startDate' | 'endDate'
>

let scratch = new Int32Array(1 << 16)
function push(n: number, v: number): number {
  if (n === scratch.length) {
    const bigger = new Int32Array(scratch.length * 2)
    bigger.set(scratch)
    scratch = bigger
  }
  scratch[n] = v
  return n + 1
}

/** The schedule's fires in [base, end) (start/end dates honoured; maxExecutions is not). */
export function fireProfile(s: Timing & { pinned?: boolean }, base: number, end: number): FireProfile {
  const jitter = Math.max(0, Math.floor(s.jitterMs))
  // A fire up to jitterMs before the window may start inside it.
  let lo = base - jitter
  let hi = end
  if (s.startDate) lo = Math.max(lo, s.startDate.getTime())
  if (s.endDate) hi = Math.min(hi, s.endDate.getTime() + 1)
  let n = 0
  const ranges: number[] = []
  const length = (end - base) / 1000
  eachFire(
    s.cronExpression,
    { timezone: s.timezone, from: lo, to: hi },
    {
      point(t) {
        const i = Math.floor(((jitter > 0 ? t + stableJitterMs(s.id, new Date(t), jitter) : t) - base) / 1000)
        if (i >= 0 && i < length) n = push(n, i)
      },
      range(a, b) {
        const ia = Math.max(0, Math.floor((a - base) / 1000))
        const ib = Math.min(length, Math.floor((b - base) / 1000))
        if (ib <= ia) return
        // Consecutive minutes merge into one run.
        if (ranges.length > 0 && ranges[ranges.length - 1] === ia) ranges[ranges.length - 1] = ib
        else ranges.push(ia, ib)
      },
    },
  )
  const single = singleSecond(parse(s.cronExpression))
  const movable = !s.pinned && single !== null && ranges.length === 0 && latestSecond(s.jitterMs) >= 0
  const { points, runs } = compress(scratch, n)
  return {
    base,
    end,
    points,
    runs,
    ranges: Int32Array.from(ranges),
    sample: sampleOf(scratch, n),
    steady: zoneRules(s.timezone).nextTransition(base - 1, end) === undefined,
    movableSecond: movable ? single : null,
  }
}

/** Fires of a profile a move is judged by. */
export const SAMPLE = 8
/** Evenly spaced fires kept as a run from this many on. */
const RUN_MIN = 4

/** Sorted fire seconds `xs[0..n)` as lone points and runs of evenly spaced ones. */
function compress(xs: Int32Array, n: number): { points: Int32Array; runs: Int32Array } {
  const points: number[] = []
  const runs: number[] = []
  let i = 0
  while (i < n) {
    const step = i + 1 < n ? xs[i + 1]! - xs[i]! : 0
    let j = i + 1
    if (step > 0) while (j + 1 < n && xs[j + 1]! - xs[j]! === step) j++
    if (step > 0 && j - i + 1 >= RUN_MIN) {
      runs.push(xs[i]!, step, j - i + 1)
      i = j + 1
    } else points.push(xs[i++]!)
  }
  return { points: Int32Array.from(points), runs: Int32Array.from(runs) }
}

function sampleOf(xs: Int32Array, n: number): Int32Array {
  const step = Math.max(1, Math.floor(n / SAMPLE))
  const out: number[] = []
  for (let i = 0; i < n && out.length < SAMPLE; i += step) out.push(xs[i]!)
  return Int32Array.from(out)
}

/** Fires counted one by one (points and runs; ranges are minutes of every-second schedules). */
export function pointCount(p: FireProfile): number {
  let n = p.points.length
  for (let k = 2; k < p.runs.length; k += 3) n += p.runs[k]!
  return n
}

/** Entries a profile keeps (its memory, and the work of reading it). */
export const profileSize = (p: FireProfile) => p.points.length + p.runs.length + p.ranges.length + 16

/** The same fires `seconds` later (a steady profile without jitter whose second moved): no engine call. */
export function shifted(p: FireProfile, seconds: number): FireProfile {
  return { ...p, base: p.base + seconds * 1000, end: p.end + seconds * 1000 }
}

/** Adds (by = 1) or removes (by = -1) a profile's fires that fall in the histogram's window. */
export function addProfile(h: SecondHistogram, p: FireProfile, by: number): void {
  const off = (p.base - h.from) / 1000
  const len = h.length
  for (let k = 0; k < p.points.length; k++) {
    const i = p.points[k]! + off
    if (i >= 0 && i < len) h.addAt(i, by)
  }
  for (let k = 0; k < p.runs.length; k += 3) {
    const step = p.runs[k + 1]!
    let i = p.runs[k]! + off
    for (let c = p.runs[k + 2]!; c > 0; c--, i += step) if (i >= 0 && i < len) h.addAt(i, by)
  }
  for (let k = 0; k < p.ranges.length; k += 2) h.addRange(p.ranges[k]! + off, p.ranges[k + 1]! + off, by)
}

/** Does one of the profile's runs or ranges (not its lone points) fire at second `sec` of a histogram from `from`? */
export function inRunsOrRanges(p: FireProfile, from: number, sec: number): boolean {
  const x = sec - (p.base - from) / 1000
  for (let k = 0; k < p.runs.length; k += 3) {
    const d = x - p.runs[k]!
    if (d >= 0 && d % p.runs[k + 1]! === 0 && d / p.runs[k + 1]! < p.runs[k + 2]!) return true
  }
  for (let k = 0; k < p.ranges.length; k += 2) if (p.ranges[k]! <= x && x < p.ranges[k + 1]!) return true
  return false
}

const HOUR = 3_600_000
const MINUTE = 60_000

interface Cached {
  version: number
  cronExpression: string
  timezone: string
  jitterMs: number
  pinned: boolean
  startMs: number
  endMs: number
  profile: FireProfile
}

/**
 * Fire profiles kept between plans, by schedule id, valid while the schedule's version and timing are the same
 * and the cached stretch covers the asked window. A profile covers from a minute before the window's hour to an
 * hour past its end, so a window sliding with the clock reuses it for up to an hour. Pure (no clock, no I/O):
 * the caller owns it. Past `maxPoints` cached, it starts over.
 */
export class ProfileCache {
  private readonly map = new Map<string, Cached>()
  private points = 0

  constructor(private readonly maxPoints = 16_000_000) {}

  /** Is a profile of `s` covering [from, to) cached? */
  has(s: OptimizerSchedule, from: number, to: number): boolean {
    return this.valid(this.map.get(s.id), s, from, to)
  }

  private valid(hit: Cached | undefined, s: OptimizerSchedule, from: number, to: number): boolean {
    return (
      hit !== undefined &&
      hit.version === s.version &&
      hit.cronExpression === s.cronExpression &&
      hit.timezone === s.timezone &&
      hit.jitterMs === s.jitterMs &&
      hit.pinned === s.pinned &&
      hit.startMs === (s.startDate?.getTime() ?? -1) &&
      hit.endMs === (s.endDate?.getTime() ?? -1) &&
      hit.profile.base <= from &&
      hit.profile.end >= to
    )
  }

  get(s: OptimizerSchedule, from: number, to: number): FireProfile {
    const hit = this.map.get(s.id)
    if (hit && this.valid(hit, s, from, to)) return hit.profile
    const startMs = s.startDate?.getTime() ?? -1
    const endMs = s.endDate?.getTime() ?? -1
    const base = Math.floor(from / HOUR) * HOUR - MINUTE
    const profile = fireProfile(s, base, Math.ceil(to / HOUR) * HOUR + HOUR)
    const size = profileSize(profile)
    if (hit) this.points -= profileSize(hit.profile)
    if (this.points + size > this.maxPoints) {
      this.map.clear()
      this.points = 0
    }
    this.points += size
    const { version, cronExpression, timezone, jitterMs, pinned } = s
    this.map.set(s.id, { version, cronExpression, timezone, jitterMs, pinned, startMs, endMs, profile })
    return profile
  }

  get size(): number {
    return this.map.size
  }
}

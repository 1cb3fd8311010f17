import { type ParsedCron, parse } from '../cron/parse.ts'
import { busiestSeconds, SecondHistogram } from './histogram.ts'
import { addProfile, type FireProfile, fireProfile, type OptimizerSchedule } from './profile.ts'
import { latestSecond, singleSecond, withSecond } from './seconds.ts'

export interface FleetPeak {
  /** The earliest busiest second (ISO-8601 UTC), null when nothing fires in the window. */
  at: string | null
  fires: number
}

export interface Hotspot {
  at: string
  fires: number
  /** At most `idsPerHotspot` of the schedules starting a fire in that second. */
  scheduleIds: string[]
}

export interface Suggestion {
  scheduleId: string
  version: number
  reason: string
  current: { cronExpression: string; jitterMs: number }
  suggested: { cronExpression: string }
  /** Fires in its busiest second before any move: the suggestions come in this order, busiest first. */
  heat: number
}

export interface FleetPlan {
  from: string
  to: string
  peak: FleetPeak
  hotspots: Hotspot[]
  /** Every suggestion, those relieving the busiest seconds first. */
  suggestions: Suggestion[]
  peakAfterSuggestions: FleetPeak
}

export interface PlanOptions {
  /** Window start, ms (rounded down to a whole second). */
  from: number
  hours: number
  /** Busiest seconds reported (20). */
  hotspots?: number
  idsPerHotspot?: number
  /** false: count and find the hotspots only. */
  suggest?: boolean
}

/** Fire profiles kept in memory for the whole plan up to this many points; beyond, they are recomputed. */
const PROFILE_BUDGET = 8_000_000
/** Fires of a schedule looked at when choosing its second. */
const SAMPLE = 48
/** Schedules handled between two yields. */
const STEP = 16

interface Entry {
  s: OptimizerSchedule
  parsed: ParsedCron
  profile: FireProfile | null
  /** Its single second now, when it may be moved (not pinned, one second, no every-second minutes). */
  second: number | null
}

const iso = (h: SecondHistogram, i: number) => new Date(h.from + i * 1000).toISOString()

function peakOf(h: SecondHistogram): FleetPeak {
  const [top] = busiestSeconds(h.counts(), 1)
  return top === undefined ? { at: null, fires: 0 } : { at: iso(h, top), fires: h.counts()[top]! }
}

/**
 * The optimizer (GET /api/schedules/optimizer): every fire of every schedule in the window counted per second
 * (exact for daylight saving and jitter, see profile.ts), the busiest seconds, and moves that spread each
 * crowded second over its minute. A generator: it yields between batches of work so the caller can give the
 * event loop a turn (pure: no I/O, no clock).
 */
export function* planFleet(
  schedules: readonly OptimizerSchedule[],
  opts: PlanOptions,
): Generator<void, FleetPlan> {
  const from = Math.floor(opts.from / 1000) * 1000
  const hist = new SecondHistogram(from, opts.hours * 3600)
  const entries: Entry[] = []
  let kept = 0
  for (let i = 0; i < schedules.length; i++) {
    const s = schedules[i]!
    const profile = fireProfile(s, hist)
    addProfile(hist, profile, 1)
    const parsed = parse(s.cronExpression)
    const single = singleSecond(parsed)
    const movable =
      !s.pinned && single !== null && profile.ranges.length === 0 && latestSecond(s.jitterMs) >= 0
    const keep = kept + profile.points.length <= PROFILE_BUDGET
    if (keep) kept += profile.points.length
    entries.push({ s, parsed, profile: keep ? profile : null, second: movable ? single : null })
    if (i % STEP === STEP - 1) yield
  }
  const peak = peakOf(hist)
  const hotspots = yield* findHotspots(hist, entries, opts.hotspots ?? 20, opts.idsPerHotspot ?? 10)
  const suggestions = opts.suggest === false ? [] : yield* spread(hist, entries)
  return {
    from: new Date(from).toISOString(),
    to: new Date(from + hist.length * 1000).toISOString(),
    peak,
    hotspots,
    suggestions,
    peakAfterSuggestions: peakOf(hist),
  }
}

const profileOf = (e: Entry, h: SecondHistogram) => e.profile ?? fireProfile(e.s, h)

function* findHotspots(
  h: SecondHistogram,
  entries: Entry[],
  k: number,
  idsPer: number,
): Generator<void, Hotspot[]> {
  const counts = h.counts()
  const top = busiestSeconds(counts, k)
  const slot = new Map(top.map((sec, n) => [sec, n]))
  const ids: string[][] = top.map(() => [])
  for (let n = 0; n < entries.length && top.length > 0; n++) {
    const e = entries[n]!
    const p = profileOf(e, h)
    const hit = new Set<number>()
    for (let i = 0; i < p.points.length; i++) {
      const at = slot.get(p.points[i]!)
      if (at !== undefined) hit.add(at)
    }
    for (let r = 0; r < p.ranges.length; r += 2)
      for (const [sec, at] of slot) if (p.ranges[r]! <= sec && sec < p.ranges[r + 1]!) hit.add(at)
    for (const at of hit) if (ids[at]!.length < idsPer) ids[at]!.push(e.s.id)
    if (n % STEP === STEP - 1) yield
  }
  return top.map((sec, n) => ({ at: iso(h, sec), fires: counts[sec]!, scheduleIds: ids[n]! }))
}

/** The busiest count among `points` shifted by `delta` seconds (a sample of them when there are many). */
function crowding(counts: Int32Array, points: Int32Array, delta: number): number {
  const step = Math.max(1, Math.floor(points.length / SAMPLE))
  let worst = 0
  for (let i = 0; i < points.length; i += step) {
    const c = counts[points[i]! + delta]
    if (c !== undefined && c > worst) worst = c
  }
  return worst
}

/**
 * Greedy spread: movable schedules sharing a second with others, the most crowded first, each moved to the
 * second of its minute(s) where its fires meet the fewest others, when that is strictly fewer than now. Each
 * move is counted exactly (the new expression's fires from the engine), so the result's peak is what
 * applying every suggestion gives.
 */
function* spread(h: SecondHistogram, entries: Entry[]): Generator<void, Suggestion[]> {
  const counts = h.counts()
  const candidates: { e: Entry; heat: number }[] = []
  for (const e of entries) {
    if (e.second === null) continue
    const p = profileOf(e, h)
    if (p.points.length === 0) continue
    const heat = crowding(counts, p.points, 0)
    if (heat >= 2) candidates.push({ e, heat })
  }
  candidates.sort((a, b) => b.heat - a.heat || (a.e.s.id < b.e.s.id ? -1 : 1))
  const out: Suggestion[] = []
  for (let n = 0; n < candidates.length; n++) {
    const { e, heat } = candidates[n]!
    const old = profileOf(e, h)
    addProfile(h, old, -1)
    const now = e.second!
    const stay = crowding(counts, old.points, 0)
    let best = now
    let bestCost = stay
    const last = latestSecond(e.s.jitterMs)
    for (let s = 0; s <= last && bestCost > 0; s++) {
      if (s === now) continue
      const cost = crowding(counts, old.points, s - now)
      if (cost < bestCost) {
        best = s
        bestCost = cost
      }
    }
    const cronExpression = best === now ? '' : withSecond(e.parsed, best)
    // The exact fires of the move (a fire a spring-forward gap moved stays at the gap's end): kept only if
    // they meet fewer others than now.
    const moved = best === now ? null : fireProfile({ ...e.s, cronExpression }, h)
    if (!moved || crowding(counts, moved.points, 0) >= stay) {
      addProfile(h, old, 1)
    } else {
      addProfile(h, moved, 1)
      out.push({
        scheduleId: e.s.id,
        version: e.s.version,
        reason: `${stay + 1} fires start in the same second as one of its fires; second ${best} of the same minute has ${bestCost} other${bestCost === 1 ? '' : 's'}`,
        current: { cronExpression: e.s.cronExpression, jitterMs: e.s.jitterMs },
        suggested: { cronExpression },
        heat,
      })
    }
    if (n % STEP === STEP - 1) yield
  }
  return out
}

/** Runs a plan to its end without yielding (tests, small fleets). */
export function planFleetNow(schedules: readonly OptimizerSchedule[], opts: PlanOptions): FleetPlan {
  const it = planFleet(schedules, opts)
  for (;;) {
    const r = it.next()
    if (r.done) return r.value
  }
}

import { parse } from '../cron/parse.ts'
import { busiestSeconds, SecondHistogram } from './histogram.ts'
import {
  addProfile,
  type FireProfile,
  fireProfile,
  type OptimizerSchedule,
  ProfileCache,
  shifted,
} from './profile.ts'
import { latestSecond, withSecond } from './seconds.ts'

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
  /** Profiles kept from earlier plans (a fresh one when left out). */
  cache?: ProfileCache
}

/** Fires of a schedule looked at when choosing its second. */
const SAMPLE = 8
/** Work (fires added, looked at or moved) between two yields: a few milliseconds. */
const WORK_PER_YIELD = 100_000

/** Counts work and says when to yield. */
class Pace {
  private work = 0
  due(units: number): boolean {
    this.work += units
    if (this.work < WORK_PER_YIELD) return false
    this.work = 0
    return true
  }
}

const sizeOf = (p: FireProfile) => p.points.length + p.ranges.length + 16

interface Entry {
  s: OptimizerSchedule
  profile: FireProfile
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
  const to = from + hist.length * 1000
  const cache = opts.cache ?? new ProfileCache()
  const pace = new Pace()
  const entries: Entry[] = []
  for (const s of schedules) {
    const hit = cache.has(s, from, to)
    const profile = cache.get(s, from, to)
    addProfile(hist, profile, 1)
    entries.push({ s, profile })
    // A profile computed costs about ten times one read from the cache.
    if (pace.due(sizeOf(profile) * (hit ? 1 : 10))) yield
  }
  const peak = peakOf(hist)
  yield
  const hotspots = yield* findHotspots(hist, entries, opts.hotspots ?? 20, opts.idsPerHotspot ?? 10, pace)
  const suggestions = opts.suggest === false ? [] : yield* spread(hist, entries, pace)
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    peak,
    hotspots,
    suggestions,
    peakAfterSuggestions: peakOf(hist),
  }
}

function* findHotspots(
  h: SecondHistogram,
  entries: Entry[],
  k: number,
  idsPer: number,
  pace: Pace,
): Generator<void, Hotspot[]> {
  const counts = h.counts()
  const top = busiestSeconds(counts, k)
  const slot = new Map(top.map((sec, n) => [sec, n]))
  const ids: string[][] = top.map(() => [])
  for (let n = 0; n < entries.length && top.length > 0; n++) {
    const { s, profile: p } = entries[n]!
    const off = (p.base - h.from) / 1000
    const hit = new Set<number>()
    for (let i = 0; i < p.points.length; i++) {
      const at = slot.get(p.points[i]! + off)
      if (at !== undefined) hit.add(at)
    }
    for (let r = 0; r < p.ranges.length; r += 2)
      for (const [sec, at] of slot) if (p.ranges[r]! + off <= sec && sec < p.ranges[r + 1]! + off) hit.add(at)
    for (const at of hit) if (ids[at]!.length < idsPer) ids[at]!.push(s.id)
    if (pace.due(sizeOf(p))) yield
  }
  return top.map((sec, n) => ({ at: iso(h, sec), fires: counts[sec]!, scheduleIds: ids[n]! }))
}

/** The busiest count among a profile's fires moved by `delta` seconds (a sample of them when there are many). */
function crowding(h: SecondHistogram, p: FireProfile, delta: number): number {
  const counts = h.counts()
  const off = (p.base - h.from) / 1000 + delta
  const step = Math.max(1, Math.floor(p.points.length / SAMPLE))
  let worst = 0
  for (let i = 0; i < p.points.length; i += step) {
    const c = counts[p.points[i]! + off]
    if (c !== undefined && c > worst) worst = c
  }
  return worst
}

/** The second of its minute where a profile's fires meet the fewest others, and that count. */
function bestSecond(h: SecondHistogram, p: FireProfile, now: number, last: number): [number, number] {
  let best = now
  let bestCost = crowding(h, p, 0)
  for (let s = 0; s <= last && bestCost > 0; s++) {
    if (s === now) continue
    const cost = crowding(h, p, s - now)
    if (cost < bestCost) {
      best = s
      bestCost = cost
    }
  }
  return [best, bestCost]
}

/**
 * Greedy spread: movable schedules sharing a second with others, the most crowded first, each moved to the
 * second of its minute(s) where its fires meet the fewest others, when that is strictly fewer than now. Each
 * move is counted exactly (its fires shifted when its zone keeps one offset through the window and it has no
 * jitter, else the new expression's fires from the engine), so the result's peak is what applying every
 * suggestion gives.
 */
function* spread(h: SecondHistogram, entries: Entry[], pace: Pace): Generator<void, Suggestion[]> {
  // By heat, busiest first, in the fleet's order within one heat (a bucket per heat: no sort of 100,000).
  const byHeat = new Map<number, Entry[]>()
  for (const e of entries) {
    if (e.profile.movableSecond === null || e.profile.points.length === 0) continue
    const heat = crowding(h, e.profile, 0)
    if (heat >= 2) {
      const bucket = byHeat.get(heat)
      if (bucket) bucket.push(e)
      else byHeat.set(heat, [e])
    }
    if (pace.due(8 * SAMPLE)) yield
  }
  const candidates: { e: Entry; heat: number }[] = []
  for (const heat of [...byHeat.keys()].sort((a, b) => b - a))
    for (const e of byHeat.get(heat)!) candidates.push({ e, heat })
  const out: Suggestion[] = []
  for (let n = 0; n < candidates.length; n++) {
    const { e, heat } = candidates[n]!
    const old = e.profile
    const now = old.movableSecond!
    addProfile(h, old, -1)
    const stay = crowding(h, old, 0)
    const [best, bestCost] = bestSecond(h, old, now, latestSecond(e.s.jitterMs))
    const cronExpression = best === now ? '' : withSecond(parse(e.s.cronExpression), best)
    // A fire a spring-forward gap moved stays at the gap's end: such moves are counted by the engine.
    const moved =
      best === now
        ? null
        : old.steady && e.s.jitterMs === 0
          ? shifted(old, best - now)
          : fireProfile({ ...e.s, cronExpression }, old.base, old.end)
    if (!moved || crowding(h, moved, 0) >= stay) {
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
    if (pace.due(2 * sizeOf(old) + 60 * SAMPLE + (moved && moved !== old ? 10 * sizeOf(moved) : 0))) yield
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

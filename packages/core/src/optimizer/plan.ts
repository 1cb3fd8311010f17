import { parse } from '../cron/parse.ts'
import { busiestSeconds, SecondHistogram } from './histogram.ts'
import {
  addProfile,
  type FireProfile,
  fireProfile,
  inRunsOrRanges,
  type OptimizerSchedule,
  ProfileCache,
  pointCount,
  profileSize,
  SAMPLE,
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

export interface PlanOptions extends PlannerOptions {
  /** Busiest seconds reported (20). */
  hotspots?: number
  idsPerHotspot?: number
}

/**
 * Work (fires added, looked at or moved) between two yields: well under a millisecond, so the caller's check of
 * the clock at each yield decides when the event loop gets a turn.
 */
const WORK_PER_YIELD = 20_000
const HOUR = 3_600_000

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

interface Entry {
  s: OptimizerSchedule
  profile: FireProfile
  /** Where its suggestion moves its fires (what `after` counts), or null. */
  moved: FireProfile | null
  suggestion: Suggestion | null
  /** Fires in its busiest sampled second when it was placed: suggestions come busiest first. */
  heat: number
}

const iso = (from: number, i: number) => new Date(from + i * 1000).toISOString()

function peakIn(counts: Int32Array, from: number): FleetPeak {
  const [top] = busiestSeconds(counts, 1)
  return top === undefined ? { at: null, fires: 0 } : { at: iso(from, top), fires: counts[top]! }
}

/** The busiest count among a profile's sampled fires moved by `delta` seconds. */
function crowding(h: SecondHistogram, p: FireProfile, delta: number): number {
  const counts = h.counts()
  const off = (p.base - h.from) / 1000 + delta
  let worst = 0
  for (let i = 0; i < p.sample.length; i++) {
    const c = counts[p.sample[i]! + off]
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

export interface PlannerOptions {
  /** Window start, ms (rounded down to a whole second). */
  from: number
  hours: number
  /** false: count only, suggest nothing. */
  suggest?: boolean
  /** Profiles kept from earlier plans (a fresh one when left out). */
  cache?: ProfileCache
}

/**
 * The optimizer's state for one fleet over one window: every fire of every schedule counted per second
 * (exact for daylight saving and jitter, see profile.ts) as the fleet is (`before`) and as it would be with
 * every suggestion applied (`after`), and the suggestions themselves. Built once (`load`), then kept current
 * by the schedules that changed (`update`): a change takes its fires out of both counts and puts the new ones
 * in, and the changed schedule alone is placed again, so an answer after one PATCH costs one schedule's work
 * plus the reading of the counts (`report`). Generators: they yield between batches of work so the caller can
 * give the event loop a turn. Pure: no I/O, no clock.
 */
export class FleetPlanner {
  readonly from: number
  readonly to: number
  private readonly before: SecondHistogram
  private readonly after: SecondHistogram
  private readonly entries = new Map<string, Entry>()
  private readonly cache: ProfileCache
  private readonly suggest: boolean
  private readonly pace = new Pace()
  /** Bumped whenever a schedule comes into the count or leaves it (not when one counted changes). */
  membership = 0

  constructor(opts: PlannerOptions) {
    this.from = Math.floor(opts.from / 1000) * 1000
    this.before = new SecondHistogram(this.from, opts.hours * 3600)
    this.after = new SecondHistogram(this.from, opts.hours * 3600)
    this.to = this.from + this.before.length * 1000
    this.cache = opts.cache ?? new ProfileCache()
    this.suggest = opts.suggest !== false
  }

  /** Can `report` answer for [from, from + hours)? */
  covers(from: number, hours: number): boolean {
    const f = Math.floor(from / 1000) * 1000
    return f >= this.from && f + hours * HOUR <= this.to
  }

  /** The version counted for a schedule, undefined when it is not counted. */
  versionOf(id: string): number | undefined {
    return this.entries.get(id)?.s.version
  }

  /** A schedule as counted. */
  schedule(id: string): OptimizerSchedule | undefined {
    return this.entries.get(id)?.s
  }

  ids(): IterableIterator<string> {
    return this.entries.keys()
  }

  /** Counts a fleet (a new planner), then spreads its crowded seconds. */
  *load(schedules: Iterable<OptimizerSchedule>): Generator<void, void> {
    for (const s of schedules) if (this.add(s)) yield
    if (this.suggest) yield* this.spread([...this.entries.values()])
  }

  /** Schedules changed or added since (`upserts`), and those gone (paused, deleted, completed). */
  *update(upserts: readonly OptimizerSchedule[], removed: Iterable<string>): Generator<void, void> {
    for (const id of removed) if (this.drop(id)) this.membership++
    for (const s of upserts) {
      if (!this.drop(s.id)) this.membership++
      if (this.add(s)) yield
    }
    if (!this.suggest) return
    for (const s of upserts) {
      const e = this.entries.get(s.id)!
      const heat = this.heatOf(e)
      if (heat >= 2 && this.move(e, heat)) yield
    }
  }

  /** The answer for [from, from + hours), within this planner's window. */
  *report(
    from: number,
    hours: number,
    opts: { hotspots?: number; idsPerHotspot?: number } = {},
  ): Generator<void, FleetPlan> {
    const f = Math.floor(from / 1000) * 1000
    const at = (f - this.from) / 1000
    const length = Math.min(hours * 3600, this.before.length - at)
    const counts = this.before.counts().subarray(at, at + length)
    const top = busiestSeconds(counts, Math.max(1, opts.hotspots ?? 20))
    yield
    const ids = yield* this.hotspotIds(
      top.map((sec) => sec + at),
      opts.idsPerHotspot ?? 10,
    )
    const suggestions = yield* this.suggestionsByHeat()
    return {
      from: new Date(f).toISOString(),
      to: new Date(f + length * 1000).toISOString(),
      // The busiest second is the first hotspot.
      peak: top[0] === undefined ? { at: null, fires: 0 } : { at: iso(f, top[0]), fires: counts[top[0]]! },
      hotspots: top
        .slice(0, opts.hotspots ?? 20)
        .map((sec, n) => ({ at: iso(f, sec), fires: counts[sec]!, scheduleIds: ids[n]! })),
      suggestions,
      peakAfterSuggestions: peakIn(this.after.counts().subarray(at, at + length), f),
    }
  }

  /** Every suggestion, busiest first, in the order they were placed within one heat (buckets: no sort). */
  private *suggestionsByHeat(): Generator<void, Suggestion[]> {
    const byHeat = new Map<number, Suggestion[]>()
    for (const e of this.entries.values()) {
      const s = e.suggestion
      if (!s) continue
      const bucket = byHeat.get(e.heat)
      if (bucket) bucket.push(s)
      else byHeat.set(e.heat, [s])
      if (this.pace.due(8)) yield
    }
    const out: Suggestion[] = []
    for (const heat of [...byHeat.keys()].sort((a, b) => b - a))
      for (const s of byHeat.get(heat)!) out.push(s)
    return out
  }

  /** Counts a schedule's fires in both; true when it is time to yield. */
  private add(s: OptimizerSchedule): boolean {
    const hit = this.cache.has(s, this.from, this.to)
    const profile = this.cache.get(s, this.from, this.to)
    addProfile(this.before, profile, 1)
    addProfile(this.after, profile, 1)
    this.entries.set(s.id, { s, profile, moved: null, suggestion: null, heat: 0 })
    // Computing a profile walks each fire through the engine: about ten times adding it.
    const fires = pointCount(profile) + profileSize(profile)
    return this.pace.due(hit ? fires : 10 * fires)
  }

  /** Takes a schedule's fires out of both counts; false when it was not counted. */
  private drop(id: string): boolean {
    const e = this.entries.get(id)
    if (!e) return false
    addProfile(this.before, e.profile, -1)
    addProfile(this.after, e.moved ?? e.profile, -1)
    this.entries.delete(id)
    return true
  }

  /** Fires sharing its busiest sampled second (itself included), when it could be moved; else 0. */
  private heatOf(e: Entry): number {
    if (e.profile.movableSecond === null || e.profile.sample.length === 0) return 0
    return crowding(this.after, e.profile, 0)
  }

  /** Up to `idsPer` schedules firing in each of the seconds `secs` (indexes of the whole window). */
  private *hotspotIds(secs: number[], idsPer: number): Generator<void, string[][]> {
    const ids: string[][] = secs.map(() => [])
    if (secs.length === 0) return ids
    const slot = new Map(secs.map((sec, n) => [sec, n]))
    let open = secs.length
    for (const { s, profile: p } of this.entries.values()) {
      const off = (p.base - this.from) / 1000
      const hit = new Set<number>()
      for (let i = 0; i < p.points.length; i++) {
        const n = slot.get(p.points[i]! + off)
        if (n !== undefined) hit.add(n)
      }
      if (p.runs.length > 0 || p.ranges.length > 0)
        for (let n = 0; n < secs.length; n++) if (inRunsOrRanges(p, this.from, secs[n]!)) hit.add(n)
      for (const n of hit) {
        if (ids[n]!.length >= idsPer) continue
        ids[n]!.push(s.id)
        if (ids[n]!.length === idsPer) open--
      }
      if (open === 0) break
      if (this.pace.due(profileSize(p) + secs.length)) yield
    }
    return ids
  }

  /**
   * Greedy spread: movable schedules sharing a second with others, the most crowded first, each moved to the
   * second of its minute(s) where its fires meet the fewest others, when that is strictly fewer than now.
   */
  private *spread(entries: Entry[]): Generator<void, void> {
    // By heat, busiest first, in the fleet's order within one heat (a bucket per heat: no sort of 100,000).
    const byHeat = new Map<number, Entry[]>()
    for (const e of entries) {
      const heat = this.heatOf(e)
      if (heat >= 2) {
        const bucket = byHeat.get(heat)
        if (bucket) bucket.push(e)
        else byHeat.set(heat, [e])
      }
      if (this.pace.due(8 * SAMPLE)) yield
    }
    for (const heat of [...byHeat.keys()].sort((a, b) => b - a))
      for (const e of byHeat.get(heat)!) if (this.move(e, heat)) yield
  }

  /**
   * Moves a schedule now counted where it is (no suggestion) to its best second, when there it meets strictly
   * fewer fires. Each move is counted exactly (its fires shifted when its zone keeps one offset through the
   * window and it has no jitter, else the new expression's fires from the engine), so `after` is what applying
   * every suggestion gives. True when it is time to yield.
   */
  private move(e: Entry, heat: number): boolean {
    const h = this.after
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
      e.moved = moved
      e.suggestion = {
        scheduleId: e.s.id,
        version: e.s.version,
        reason: `${stay + 1} fires start in the same second as one of its fires; second ${best} of the same minute has ${bestCost} other${bestCost === 1 ? '' : 's'}`,
        current: { cronExpression: e.s.cronExpression, jitterMs: e.s.jitterMs },
        suggested: { cronExpression },
      }
      e.heat = heat
    }
    const work = 2 * pointCount(old) + 60 * SAMPLE + (moved && moved !== old ? 10 * profileSize(moved) : 0)
    return this.pace.due(work)
  }
}

/**
 * The optimizer (GET /api/schedules/optimizer) for a fleet in one go: the busiest seconds of the window and
 * moves that spread each crowded second over its minute (a FleetPlanner loaded and read once).
 */
export function* planFleet(
  schedules: readonly OptimizerSchedule[],
  opts: PlanOptions,
): Generator<void, FleetPlan> {
  const planner = new FleetPlanner(opts)
  yield* planner.load(schedules)
  return yield* planner.report(opts.from, opts.hours, opts)
}

/** Runs a plan to its end without yielding (tests, small fleets). */
export function planFleetNow(schedules: readonly OptimizerSchedule[], opts: PlanOptions): FleetPlan {
  const it = planFleet(schedules, opts)
  for (;;) {
    const r = it.next()
    if (r.done) return r.value
  }
}

import {
  AppError,
  checkSuggestion,
  type FieldError,
  type FleetPeak,
  type FleetPlan,
  FleetPlanner,
  MAX_FIELD_ERRORS,
  nextRuns,
  OPTIMIZER_MAX_ENTRIES,
  type OptimizerApplyBody,
  type OptimizerApplyResult,
  type OptimizerReport,
  type OptimizerSchedule,
  ProfileCache,
  planFleet,
} from '@punctual/core'
import {
  type FleetTiming,
  readFleetTimings,
  readFleetVersions,
  readPatternsStamp,
  readSchedulePatterns,
  type Sql,
} from '@punctual/db'
import type { Principal } from '../plugins/auth.ts'
import type { ScheduleService } from './schedules.ts'

export interface OptimizerServiceDeps {
  sql: Sql
  schedules: ScheduleService
  now: () => Date
}

/** The window apply measures peakBefore / peakAfter over. */
const APPLY_HOURS = 24
/** Slice of the event loop a plan may hold before it yields a turn. */
const SLICE_MS = 10
/** Suggestions applied at once (each its own transaction). */
const APPLY_CONCURRENCY = 4

/** Runs a core plan, giving the event loop a turn every SLICE_MS: no request holds it for long. */
async function drive<T>(gen: Generator<void, T>): Promise<T> {
  let slice = performance.now()
  for (;;) {
    const r = gen.next()
    if (r.done) return r.value
    if (performance.now() - slice > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve))
      slice = performance.now()
    }
  }
}

/** Shortest gap between two fires, by expression and zone (their next 32 fires). */
const intervals = new Map<string, number>()
const INTERVALS_KEPT = 20_000

function shortestIntervalMs(s: OptimizerSchedule, from: Date): number {
  const key = `${s.timezone}|${s.cronExpression}`
  let gap = intervals.get(key)
  if (gap === undefined) {
    const runs = nextRuns(s.cronExpression, { timezone: s.timezone, from, count: 32 })
    gap = Number.POSITIVE_INFINITY
    for (let i = 1; i < runs.length; i++) gap = Math.min(gap, runs[i]!.getTime() - runs[i - 1]!.getTime())
    if (intervals.size >= INTERVALS_KEPT) intervals.clear()
    intervals.set(key, gap)
  }
  return gap
}

type Plan = (fleet: readonly OptimizerSchedule[], hours: number, suggest: boolean) => Promise<FleetPlan>
type Patterns = Awaited<ReturnType<typeof readSchedulePatterns>>
type PatternOut = OptimizerReport['patterns'][number]
interface Answer {
  plan: FleetPlan
  patterns: Omit<Patterns, 'rows'> & { rows: PatternOut[] }
}
type Current = (tenant: string, hours: number) => Promise<Answer>

interface Held {
  planner: FleetPlanner
  /** The patterns as last read, valid while no refresh pass committed and no schedule came or went. */
  patterns?: {
    stamp: number | null
    membership: number
    value: Patterns
    /** Each row as answered, for the schedule version its overlap risk was judged at. */
    out: Map<string, { version: number; row: PatternOut }>
  }
}

const HOUR = 3_600_000
/** Plans kept (a tenant and a window length each): a 168-hour one holds about 5 MB of counts. */
const PLANNERS_KEPT = 16

/**
 * Each tenant's plan kept between calls, per window length: counted from the hour the window starts in to an
 * hour past its end, so it answers for an hour; a call reads the versions of the active schedules, and only
 * the rows whose version changed, and updates the plan by those (a schedule added, changed or gone costs
 * its own fires, not the fleet's). Calls for one plan take turns.
 */
class KeptPlans {
  private readonly planners = new Map<string, Held>()
  /** The last call queued per plan: calls for one plan take turns (a plan is updated and read in steps). */
  private readonly turns = new Map<string, Promise<Answer>>()

  constructor(
    private readonly deps: OptimizerServiceDeps,
    private readonly cache: ProfileCache,
  ) {}

  current: Current = (tenant, hours) => {
    const key = `${hours}|${tenant}`
    const run = () => this.answer(key, tenant, hours)
    const turn = (this.turns.get(key) ?? Promise.resolve()).then(run, run)
    this.turns.set(key, turn)
    const done = () => {
      if (this.turns.get(key) === turn) this.turns.delete(key)
    }
    turn.then(done, done)
    return turn
  }

  private async answer(key: string, tenant: string, hours: number): Promise<Answer> {
    const now = this.deps.now().getTime()
    let planner = this.planners.get(key)?.planner
    const stamp = readPatternsStamp(this.deps.sql)
    stamp.catch(() => {}) // awaited below; a failure before that must not go unhandled
    try {
      if (planner?.covers(now, hours)) await this.catchUp(planner, tenant)
      else planner = await this.build(key, tenant, hours, now)
    } catch (err) {
      // A plan left half updated is not kept: the next call counts the fleet again.
      this.planners.delete(key)
      throw err
    }
    // Most recently used last: the first is the one let go when too many are kept.
    const held = this.planners.get(key) ?? { planner }
    this.planners.delete(key)
    this.planners.set(key, held)
    let kept = held.patterns
    const at = await stamp
    if (!kept || kept.stamp !== at || kept.membership !== planner.membership) {
      const value = await readSchedulePatterns(this.deps.sql, tenant, OPTIMIZER_MAX_ENTRIES)
      kept = { stamp: at, membership: planner.membership, value, out: new Map() }
      held.patterns = kept
    }
    const plan = await drive(planner.report(now, hours))
    const rows = kept.value.rows.map((r) => {
      const s = planner.schedule(r.scheduleId)
      const version = s?.version ?? -1
      const hit = kept.out.get(r.scheduleId)
      if (hit?.version === version) return hit.row
      // No schedule fires twice within a second: a p95 under 1 s cannot reach an interval.
      const overlapRisk =
        s !== undefined && r.p95DurationMs !== null && r.p95DurationMs >= 1000
          ? r.p95DurationMs >= shortestIntervalMs(s, new Date(now))
          : false
      const row = { ...r, overlapRisk }
      kept.out.set(r.scheduleId, { version, row })
      return row
    })
    return { plan, patterns: { ...kept.value, rows } }
  }

  private async build(key: string, tenant: string, hours: number, now: number): Promise<FleetPlanner> {
    const planner = new FleetPlanner({
      from: Math.floor(now / HOUR) * HOUR,
      hours: hours + 1,
      cache: this.cache,
    })
    await drive(planner.load(await readFleetTimings(this.deps.sql, tenant)))
    this.planners.set(key, { planner })
    if (this.planners.size > PLANNERS_KEPT) this.planners.delete(this.planners.keys().next().value!)
    return planner
  }

  private async catchUp(planner: FleetPlanner, tenant: string): Promise<void> {
    const versions = await readFleetVersions(this.deps.sql, tenant)
    const { changed, removed } = await drive(diff(planner, versions))
    if (changed.length === 0 && removed.length === 0) return
    const rows =
      changed.length === 0
        ? []
        : (await readFleetTimings(this.deps.sql, tenant, changed)).filter((r) => r.state === 'active')
    // Paused or deleted between the two reads: gone.
    const active = new Set(rows.map((r) => r.id))
    for (const id of changed) if (!active.has(id)) removed.push(id)
    await drive(planner.update(rows, removed))
  }
}

/** Schedules whose version differs from the plan's (or new to it), and those the plan counts that are gone. */
function* diff(planner: FleetPlanner, versions: Map<string, number>) {
  const changed: string[] = []
  const removed: string[] = []
  let n = 0
  for (const [id, version] of versions) {
    if (planner.versionOf(id) !== version) changed.push(id)
    if (++n % 4096 === 0) yield
  }
  for (const id of planner.ids()) {
    if (!versions.has(id)) removed.push(id)
    if (++n % 4096 === 0) yield
  }
  return { changed, removed }
}

export function createOptimizerService(deps: OptimizerServiceDeps) {
  // Fire profiles by schedule id, kept while its version and timing stay the same (about 64 MB at most).
  const cache = new ProfileCache()
  const plan: Plan = (fleet, hours, suggest) =>
    drive(planFleet(fleet, { from: deps.now().getTime(), hours, suggest, cache }))
  const kept = new KeptPlans(deps, cache)
  return {
    report: (tenant: string, hours: number) => report(deps, kept.current, tenant, hours),
    apply: (p: Principal, body: OptimizerApplyBody) => apply(deps, plan, p, body),
  }
}

async function report(
  deps: OptimizerServiceDeps,
  current: Current,
  tenant: string,
  hours: number,
): Promise<OptimizerReport> {
  const now = deps.now()
  const { plan: result, patterns } = await current(tenant, hours)
  return {
    generatedAt: (patterns.refreshedAt ?? now).toISOString(),
    from: result.from,
    to: result.to,
    peak: result.peak,
    hotspots: result.hotspots,
    suggestions: result.suggestions.slice(0, OPTIMIZER_MAX_ENTRIES),
    suggestionsTotal: result.suggestions.length,
    peakAfterSuggestions: result.peakAfterSuggestions,
    patterns: patterns.rows,
    patternsTotal: patterns.total,
  }
}

async function apply(
  deps: OptimizerServiceDeps,
  plan: Plan,
  p: Principal,
  body: OptimizerApplyBody,
): Promise<OptimizerApplyResult> {
  const peakOf = async (fleet: readonly OptimizerSchedule[]): Promise<FleetPeak> =>
    (await plan(fleet, APPLY_HOURS, false)).peak
  const ids = body.suggestions.map((s) => s.scheduleId)
  const rows = new Map((await readFleetTimings(deps.sql, p.tenant, ids)).map((r) => [r.id, r]))
  const { accepted, conflicts } = checkApply(body, rows)
  const active = await readFleetTimings(deps.sql, p.tenant)
  const peakBefore = await peakOf(active)
  const applied: OptimizerApplyResult['applied'] = []
  if (body.dryRun) {
    for (const { row, suggested } of accepted) applied.push(change(row, suggested, row.version + 1))
    const changed = new Map(applied.map((a) => [a.scheduleId, a.after]))
    const after = active.map((s) => ({ ...s, ...changed.get(s.id) }))
    return { applied, conflicts, peakBefore, peakAfter: await peakOf(after) }
  }
  let next = 0
  const worker = async () => {
    while (next < accepted.length) {
      const { row, suggested } = accepted[next++]!
      try {
        const { schedule } = await deps.schedules.update(p, row.id, suggested, {
          expectedVersion: row.version,
        })
        applied.push(change(row, schedule, schedule.version))
      } catch (err) {
        // Changed (or deleted) since the suggestion: left alone.
        if (
          err instanceof AppError &&
          (err.code === 'SCHED_ERR_CONFLICT' || err.code === 'SCHED_ERR_NOT_FOUND')
        )
          conflicts.push(row.id)
        else throw err
      }
    }
  }
  await Promise.all(Array.from({ length: APPLY_CONCURRENCY }, worker))
  const order = new Map(ids.map((id, i) => [id, i]))
  applied.sort((a, b) => order.get(a.scheduleId)! - order.get(b.scheduleId)!)
  return {
    applied,
    conflicts,
    peakBefore,
    peakAfter: await peakOf(await readFleetTimings(deps.sql, p.tenant)),
  }
}

export type OptimizerService = ReturnType<typeof createOptimizerService>

/**
 * The JSON of each suggestion and pattern row, made once per object: the kept plan hands back the same
 * objects call after call until their schedule changes, so an answer of 2,000 entries is mostly joined, not
 * serialized again.
 */
const fragments = new WeakMap<object, string>()

function jsonOf(entry: object): string {
  let json = fragments.get(entry)
  if (json === undefined) {
    json = JSON.stringify(entry)
    fragments.set(entry, json)
  }
  return json
}

/** A report as the JSON GET /api/schedules/optimizer answers (the OptimizerReport schema's shape). */
export function optimizerReportJson(report: OptimizerReport): string {
  const { suggestions, patterns, ...rest } = report
  const head = JSON.stringify(rest)
  return `${head.slice(0, -1)},"suggestions":[${suggestions.map(jsonOf).join(',')}],"patterns":[${patterns.map(jsonOf).join(',')}]}`
}

function change(
  row: FleetTiming,
  to: { cronExpression?: string | undefined; jitterMs?: number | undefined },
  version: number,
) {
  return {
    scheduleId: row.id,
    before: { cronExpression: row.cronExpression, jitterMs: row.jitterMs, version: row.version },
    after: {
      cronExpression: to.cronExpression ?? row.cronExpression,
      jitterMs: to.jitterMs ?? row.jitterMs,
      version,
    },
  }
}

type Suggested = OptimizerApplyBody['suggestions'][number]['suggested']

/**
 * Every suggestion names a schedule of the tenant, once, not pinned, and keeps each fire in its minute (checked
 * against the schedule as it is now when it is still at the suggestion's version; one at another version is a
 * conflict). Any problem: 422 naming each field, nothing written.
 */
function checkApply(body: OptimizerApplyBody, rows: Map<string, FleetTiming>) {
  const errors: FieldError[] = []
  const accepted: { row: FleetTiming; suggested: Suggested }[] = []
  const conflicts: string[] = []
  const seen = new Set<string>()
  for (const [i, s] of body.suggestions.entries()) {
    const at = `body.suggestions.${i}`
    const row = rows.get(s.scheduleId)
    const refused = !row
      ? 'names no schedule of this tenant'
      : seen.has(s.scheduleId)
        ? 'is listed twice'
        : row.pinned
          ? 'is pinned (metadata.pinned)'
          : null
    if (refused || !row) {
      errors.push({ path: `${at}.scheduleId`, message: refused ?? '' })
      continue
    }
    seen.add(s.scheduleId)
    if (row.version !== s.version) {
      conflicts.push(row.id)
      continue
    }
    const problem = checkSuggestion(row, s.suggested)
    if (problem) errors.push({ path: `${at}.suggested.${problem.field}`, message: problem.message })
    else accepted.push({ row, suggested: s.suggested })
  }
  if (errors.length > 0) {
    throw new AppError(
      'SCHED_ERR_SUGGESTION_INVALID',
      `${errors.length} suggestion${errors.length === 1 ? '' : 's'} cannot be applied`,
      errors.slice(0, MAX_FIELD_ERRORS),
    )
  }
  return { accepted, conflicts }
}

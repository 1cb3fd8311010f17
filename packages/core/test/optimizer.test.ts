import { describe, expect, it } from 'vitest'
import {
  addProfile,
  checkSuggestion,
  eachFire,
  FleetPlanner,
  fireProfile,
  nextRuns,
  type OptimizerSchedule,
  planFleetNow,
  pointCount,
  SecondHistogram,
  stableJitterMs,
} from '../src/index.ts'

const HOUR = 3_600_000

/** eachFire expanded to one instant per fire. */
function fires(expression: string, timezone: string, from: number, to: number): number[] {
  const out: number[] = []
  eachFire(
    expression,
    { timezone, from, to },
    {
      point: (t) => out.push(t),
      range: (a, b) => {
        for (let t = a; t < b; t += 1000) out.push(t)
      },
    },
  )
  return out
}

/** The same from nextRuns, one run at a time. */
function runs(expression: string, timezone: string, from: number, to: number): number[] {
  const out: number[] = []
  let cursor = new Date(from - 1)
  for (;;) {
    const [next] = nextRuns(expression, { timezone, from: cursor })
    if (!next || next.getTime() >= to) return out
    out.push(next.getTime())
    cursor = next
  }
}

describe('eachFire', () => {
  const cases: [string, string, string][] = [
    ['30 2 * * *', 'America/New_York', '2027-03-13T12:00:00Z'],
    ['30 1 * * *', 'America/New_York', '2027-11-06T12:00:00Z'],
    ['*/20 * 1-2 * * *', 'America/New_York', '2027-11-07T04:00:00Z'],
    ['0 2-3 * * *', 'America/New_York', '2027-03-13T12:00:00Z'],
    ['15 */7 * * * *', 'Australia/Lord_Howe', '2027-04-03T10:00:00Z'],
    ['0 9 * * 1-5', 'Europe/London', '2027-03-27T00:00:00Z'],
    ['* 59 1 * * *', 'America/New_York', '2027-03-14T00:00:00Z'],
    ['*/7 * * * *', 'America/Santiago', '2027-04-03T20:00:00Z'],
  ]
  it.each(cases)('%s in %s from %s gives the fires of nextRuns', (expression, tz, at) => {
    const from = Date.parse(at)
    const to = from + 48 * HOUR
    expect(fires(expression, tz, from, to)).toEqual(runs(expression, tz, from, to))
  })

  it('moves a fixed-time 02:30 fire of a spring-forward day to 03:00 EDT', () => {
    const from = Date.parse('2027-03-14T00:00:00Z')
    expect(
      fires('30 2 * * *', 'America/New_York', from, from + 24 * HOUR).map((t) => new Date(t).toISOString()),
    ).toEqual(['2027-03-14T07:00:00.000Z'])
  })
})

function schedule(
  id: string,
  cronExpression: string,
  extra: Partial<OptimizerSchedule> = {},
): OptimizerSchedule {
  return {
    id,
    version: 1,
    cronExpression,
    timezone: 'America/New_York',
    jitterMs: 0,
    pinned: false,
    startDate: null,
    endDate: null,
    ...extra,
  }
}

describe('planFleet', () => {
  const from = Date.parse('2027-01-10T12:00:00Z')
  const fleet = [
    ...Array.from({ length: 1000 }, (_, i) => schedule(`a${String(i).padStart(4, '0')}`, '0 9 * * *')),
    schedule('pinned', '0 9 * * *', { pinned: true }),
    schedule('every-second', '* * * * * *'),
    schedule('jittered', '0 9 * * *', { jitterMs: 30_000 }),
  ]

  it('finds the 09:00:00 New York hotspot and spreads it over its minute', () => {
    const plan = planFleetNow(fleet, { from, hours: 24 })
    // 09:00 EST is 14:00Z: 1,000 + the pinned one + the every-second one (+ the jittered one if its draw is 0)
    expect(plan.peak.at).toBe('2027-01-10T14:00:00.000Z')
    expect(plan.peak.fires).toBeGreaterThanOrEqual(1002)
    expect(plan.hotspots[0]!.scheduleIds).toHaveLength(10)
    expect(plan.hotspots).toHaveLength(20)
    expect(plan.peakAfterSuggestions.fires).toBeLessThanOrEqual(20)
    const ids = new Set(plan.suggestions.map((s) => s.scheduleId))
    expect(ids.has('pinned')).toBe(false)
    expect(ids.has('every-second')).toBe(false)
    for (const s of plan.suggestions) {
      expect(s.suggested.cronExpression).toMatch(/^\d{1,2} 0 9 \* \* \*$/)
      const current = fleet.find((f) => f.id === s.scheduleId)!
      expect(checkSuggestion(current, s.suggested)).toBeNull()
    }
    // Every fire after the moves is still in 09:00 local, and the busiest second has at most 20.
    const moved = new Map(plan.suggestions.map((s) => [s.scheduleId, s.suggested.cronExpression]))
    const perSecond = new Map<number, number>()
    for (const f of fleet) {
      if (f.id === 'every-second' || f.id === 'jittered') continue
      for (const t of runs(moved.get(f.id) ?? f.cronExpression, f.timezone, from, from + 24 * HOUR)) {
        expect(t - (t % 60_000)).toBe(Date.parse('2027-01-10T14:00:00Z'))
        perSecond.set(t, (perSecond.get(t) ?? 0) + 1)
      }
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(19)
  })

  it('counts a jittered fire in the second its stable jitter starts it', () => {
    const jittered = schedule('jit', '0 9 * * *', { jitterMs: 45_000 })
    const plan = planFleetNow([jittered, schedule('other', '0 9 * * *')], { from, hours: 24 })
    const nominal = Date.parse('2027-01-10T14:00:00Z')
    const startsAt = nominal + stableJitterMs('jit', new Date(nominal), 45_000)
    const at = new Date(startsAt - (startsAt % 1000)).toISOString() // 14:00:31 (a 31,140 ms draw)
    expect(plan.hotspots.find((h) => h.scheduleIds.includes('jit'))?.at).toBe(at)
    expect(plan.hotspots.find((h) => h.scheduleIds.includes('other'))?.at).toBe('2027-01-10T14:00:00.000Z')
  })

  it('answers empty lists for no schedules', () => {
    const plan = planFleetNow([], { from, hours: 1 })
    expect(plan).toMatchObject({ peak: { at: null, fires: 0 }, hotspots: [], suggestions: [] })
  })
})

describe('checkSuggestion', () => {
  const current = { cronExpression: '0 9 * * *', jitterMs: 0 }
  it.each([
    [{ cronExpression: '17 0 9 * * *' }, null],
    [{ cronExpression: '17 1 9 * * *' }, 'cronExpression'],
    [{ cronExpression: '*/2 0 9 * * *' }, 'cronExpression'],
    [{ cronExpression: '59 0 9 * * *', jitterMs: 1000 }, 'jitterMs'],
    [{ jitterMs: 59_999 }, null],
    [{ jitterMs: 60_000 }, 'jitterMs'],
    [{ cronExpression: 'nope' }, 'cronExpression'],
  ])('%j → %s', (suggested, field) => {
    expect(checkSuggestion(current, suggested)?.field ?? null).toBe(field)
  })
})

/** Runs a planner step (a generator) to its end. */
function run<T>(gen: Generator<void, T>): T {
  for (;;) {
    const r = gen.next()
    if (r.done) return r.value
  }
}

/** Fires per second of `fleet` over [from, from + hours) from the engine (nextRuns), jitter left out. */
function engineCounts(fleet: readonly OptimizerSchedule[], from: number, hours: number): Map<number, number> {
  const counts = new Map<number, number>()
  for (const s of fleet)
    for (const t of runs(s.cronExpression, s.timezone, from, from + hours * HOUR))
      counts.set(t, (counts.get(t) ?? 0) + 1)
  return counts
}

describe('fire profiles', () => {
  const from = Date.parse('2027-03-10T00:00:00Z')
  it('keep evenly spaced fires as runs and count them as the engine does', () => {
    const hist = new SecondHistogram(from, 168 * 3600)
    const every5 = fireProfile(schedule('e5', '*/5 * * * *', { timezone: 'UTC' }), from, from + 168 * HOUR)
    // A week of every 5 minutes: one run, not 2,016 points.
    expect(every5.points).toHaveLength(0)
    expect(every5.runs).toEqual(Int32Array.from([0, 300, 2016]))
    expect(pointCount(every5)).toBe(2016)
    // Through New York's spring-forward (2027-03-14): one run per offset.
    const daily = fireProfile(schedule('d', '0 9 * * *'), from, from + 168 * HOUR)
    expect(pointCount(daily)).toBe(7)
    addProfile(hist, every5, 1)
    addProfile(hist, daily, 1)
    const expected = engineCounts(
      [schedule('e5', '*/5 * * * *', { timezone: 'UTC' }), schedule('d', '0 9 * * *')],
      from,
      168,
    )
    const counts = hist.counts()
    let total = 0
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] === 0) continue
      total += counts[i]!
      expect(counts[i], new Date(from + i * 1000).toISOString()).toBe(expected.get(from + i * 1000))
    }
    expect(total).toBe([...expected.values()].reduce((a, b) => a + b, 0))
  })
})

describe('FleetPlanner', () => {
  const from = Date.parse('2027-03-13T12:00:00Z') // New York springs forward the next night
  const fleet: OptimizerSchedule[] = [
    ...Array.from({ length: 300 }, (_, i) => schedule(`n${i}`, '0 9 * * *')),
    ...Array.from({ length: 20 }, (_, i) =>
      schedule(`f${i}`, `*/${1 + (i % 15)} * * * *`, { timezone: 'UTC' }),
    ),
    ...Array.from({ length: 10 }, (_, i) => schedule(`h${i}`, `${i} * * * *`)),
    ...Array.from({ length: 5 }, (_, i) => schedule(`g${i}`, '30 2 * * *')),
    schedule('pinned', '0 9 * * *', { pinned: true }),
    schedule('every-second', '*/1 * * * * *'),
  ]

  it('kept current by changes answers as a fresh count of the changed fleet does', () => {
    const planner = new FleetPlanner({ from, hours: 24 })
    run(planner.load(fleet))
    // 40 moved to 10:00, 30 gone, 25 new at 09:00, 10 with only a new version.
    const changed = fleet
      .slice(0, 40)
      .map((s) => ({ ...s, version: 2, cronExpression: '0 10 * * *' }))
      .concat(fleet.slice(100, 110).map((s) => ({ ...s, version: 2 })))
    const removed = fleet.slice(40, 70).map((s) => s.id)
    const added = Array.from({ length: 25 }, (_, i) => schedule(`new${i}`, '0 9 * * *'))
    run(planner.update([...changed, ...added], removed))
    const now = new Map(fleet.map((s) => [s.id, s]))
    for (const id of removed) now.delete(id)
    for (const s of [...changed, ...added]) now.set(s.id, s)
    const current = [...now.values()]

    const kept = run(planner.report(from, 24))
    const fresh = planFleetNow(current, { from, hours: 24 })
    expect(kept.peak).toEqual(fresh.peak)
    expect(kept.hotspots.map((h) => [h.at, h.fires])).toEqual(fresh.hotspots.map((h) => [h.at, h.fires]))
    // 09:00 EST: 300 - 40 moved - 30 gone + 25 new + the pinned one + the every-second one + the
    // every-minute schedules of the mix that fire at 14:00:00Z.
    const nine = Date.parse('2027-03-13T14:00:00Z')
    expect(kept.peak.fires).toBe(engineCounts(current, from, 24).get(nine))
    for (const h of kept.hotspots)
      for (const id of h.scheduleIds) expect(now.has(id), `${id} in a hotspot`).toBe(true)
    // Every suggestion is for a schedule there now, at its version, and keeps its fires in their minute.
    for (const s of kept.suggestions) {
      const sched = now.get(s.scheduleId)
      expect(sched, s.scheduleId).toBeDefined()
      expect(s.version).toBe(sched!.version)
      expect(checkSuggestion(sched!, s.suggested)).toBeNull()
    }
    expect(kept.suggestions.some((s) => s.scheduleId === 'pinned')).toBe(false)
    // peakAfterSuggestions is exactly what applying every suggestion gives, counted by the engine
    // (the every-second schedule counted per second).
    const moves = new Map(kept.suggestions.map((s) => [s.scheduleId, s.suggested.cronExpression]))
    const applied = current.map((s) => ({ ...s, cronExpression: moves.get(s.id) ?? s.cronExpression }))
    const after = engineCounts(applied, from, 24)
    expect(kept.peakAfterSuggestions.fires).toBe(Math.max(...after.values()))
    expect(kept.peakAfterSuggestions.fires).toBeLessThanOrEqual(20)
  })

  it('answers for any window inside its own, and says when it does not cover one', () => {
    const planner = new FleetPlanner({ from, hours: 25 })
    run(planner.load(fleet))
    expect(planner.covers(from + 30 * 60_000, 24)).toBe(true)
    expect(planner.covers(from + HOUR, 24)).toBe(true)
    expect(planner.covers(from + HOUR + 1000, 24)).toBe(false)
    expect(planner.covers(from - 1000, 24)).toBe(false)
    const later = from + 30 * 60_000
    const kept = run(planner.report(later, 24))
    const fresh = planFleetNow(fleet, { from: later, hours: 24 })
    expect(kept.from).toBe(fresh.from)
    expect(kept.to).toBe(fresh.to)
    expect(kept.hotspots.map((h) => [h.at, h.fires])).toEqual(fresh.hotspots.map((h) => [h.at, h.fires]))
  })
})

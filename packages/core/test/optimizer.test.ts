import { describe, expect, it } from 'vitest'
import {
  checkSuggestion,
  eachFire,
  nextRuns,
  type OptimizerSchedule,
  planFleetNow,
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

import { describe, expect, it } from 'vitest'
import {
  DEFAULT_MISFIRE_TOLERANCE_MS,
  type FireSchedule,
  MAX_MISSED_ROWS,
  nextRuns,
  type PlanFiresInput,
  planFires,
} from '../src/index.ts'

const base: FireSchedule = {
  cronExpression: '* * * * * *',
  timezone: 'UTC',
  startDate: null,
  endDate: null,
  misfirePolicy: 'fire_once',
  catchupWindowMs: 60_000,
  maxExecutions: null,
  executionCount: 0,
}
const T = (hms: string, day = '2026-03-08') => new Date(`${day}T${hms}Z`)
const iso = (ds: Date[]) => ds.map((d) => d.toISOString().slice(11, 23))

function plan(schedule: Partial<FireSchedule>, rest: Omit<PlanFiresInput, 'schedule'>) {
  return planFires({ schedule: { ...base, ...schedule }, ...rest })
}

describe('planFires: normal fires', () => {
  it('records the fires in the look-ahead window ahead of time', () => {
    const p = plan({}, { dueAt: T('07:00:01'), now: T('07:00:00.500'), lookaheadMs: 2000 })
    expect(iso(p.run)).toEqual(['07:00:01.000', '07:00:02.000'])
    expect(p).toMatchObject({ missed: [], missedBeyondRows: 0, state: 'active', truncated: false })
    expect(p.nextRunAt).toEqual(T('07:00:03'))
  })
  it('a fire at most the tolerance late is a normal fire', () => {
    const p = plan(
      { misfirePolicy: 'skip' },
      { dueAt: T('07:00:00'), now: T('07:00:00.999'), lookaheadMs: 0 },
    )
    expect(iso(p.run)).toEqual(['07:00:00.000'])
    expect(p.missed).toEqual([])
    expect(p.nextRunAt).toEqual(T('07:00:01'))
    expect(DEFAULT_MISFIRE_TOLERANCE_MS).toBe(1000)
  })
  it('an entry claimed before its look-ahead window plans nothing and keeps its time', () => {
    const p = plan({}, { dueAt: T('07:00:10'), now: T('07:00:00'), lookaheadMs: 2000 })
    expect(p.run).toEqual([])
    expect(p.nextRunAt).toEqual(T('07:00:10'))
    expect(p.state).toBe('active')
  })
  it('a stale due time that is not a fire starts at the first fire after it', () => {
    const p = plan(
      { cronExpression: '*/10 * * * * *' },
      { dueAt: T('07:00:03'), now: T('07:00:09.500'), lookaheadMs: 1000 },
    )
    expect(iso(p.run)).toEqual(['07:00:10.000'])
    expect(p.nextRunAt).toEqual(T('07:00:20'))
  })
  it('uses the schedule time zone', () => {
    const p = plan(
      { cronExpression: '0 9 * * *', timezone: 'Europe/Berlin' },
      { dueAt: T('08:00:00'), now: T('07:59:59'), lookaheadMs: 5000 },
    )
    expect(iso(p.run)).toEqual(['08:00:00.000'])
    expect(p.nextRunAt).toEqual(T('08:00:00', '2026-03-09'))
  })
  it('a wider tolerance turns late fires into normal ones', () => {
    const p = plan(
      { misfirePolicy: 'skip' },
      { dueAt: T('07:00:00'), now: T('07:00:04.500'), lookaheadMs: 0, misfireToleranceMs: 5000 },
    )
    expect(p.run).toHaveLength(5)
    expect(p.missed).toEqual([])
  })
})

describe('planFires: misfires', () => {
  // Every 10 s; the scheduler was away from 06:58:00 to 07:00:05. Window 60 s: fires before 06:59:05 are
  // outside it (06:58:00 … 06:59:00: 7), 06:59:10 … 07:00:00 inside (6), no fire due on time.
  const every10 = { cronExpression: '*/10 * * * * *' }
  const resume = { dueAt: T('06:58:00'), now: T('07:00:05'), lookaheadMs: 0 }

  it('fire_once runs the latest in the window and records the others as missed', () => {
    const p = plan({ ...every10, misfirePolicy: 'fire_once' }, resume)
    expect(iso(p.run)).toEqual(['07:00:00.000'])
    expect(p.missed).toHaveLength(12)
    expect(iso(p.missed).slice(0, 8)).toEqual([
      '06:58:00.000',
      '06:58:10.000',
      '06:58:20.000',
      '06:58:30.000',
      '06:58:40.000',
      '06:58:50.000',
      '06:59:00.000',
      '06:59:10.000',
    ])
    expect(p.nextRunAt).toEqual(T('07:00:10'))
    expect(p.state).toBe('active')
  })
  it('fire_all runs each fire in the window, oldest first', () => {
    const p = plan({ ...every10, misfirePolicy: 'fire_all' }, resume)
    expect(iso(p.run)).toEqual([
      '06:59:10.000',
      '06:59:20.000',
      '06:59:30.000',
      '06:59:40.000',
      '06:59:50.000',
      '07:00:00.000',
    ])
    expect(p.missed).toHaveLength(7)
  })
  it('skip runs none of them', () => {
    const p = plan({ ...every10, misfirePolicy: 'skip' }, resume)
    expect(p.run).toEqual([])
    expect(p.missed).toHaveLength(13)
    expect(p.nextRunAt).toEqual(T('07:00:10'))
  })
  it('fires claimed ahead still run after a resumption', () => {
    const p = plan({ ...every10, misfirePolicy: 'skip' }, { ...resume, lookaheadMs: 6000 })
    expect(iso(p.run)).toEqual(['07:00:10.000'])
  })
  it('fire_once: a fire due on time is the latest one; the in-window misfires are missed', () => {
    // Every second, away from 06:59:30 to 07:00:00.400: 07:00:00 is due on time.
    const p = plan({}, { dueAt: T('06:59:30'), now: T('07:00:00.400'), lookaheadMs: 0 })
    expect(iso(p.run)).toEqual(['07:00:00.000'])
    expect(p.missed).toHaveLength(30)
    expect(iso(p.missed).at(-1)).toBe('06:59:59.000')
  })
  it('skip and fire_all also run the fire that is due on time', () => {
    const input = { dueAt: T('06:59:30'), now: T('07:00:00.400'), lookaheadMs: 0 }
    expect(iso(plan({ misfirePolicy: 'skip' }, input).run)).toEqual(['07:00:00.000'])
    expect(plan({ misfirePolicy: 'fire_all' }, input).run).toHaveLength(31)
  })
  it('catchupWindowMs 0 never catches up', () => {
    const p = plan(
      { misfirePolicy: 'fire_all', catchupWindowMs: 0 },
      { dueAt: T('06:59:50'), now: T('07:00:00.400'), lookaheadMs: 0 },
    )
    expect(iso(p.run)).toEqual(['07:00:00.000'])
    expect(p.missed).toHaveLength(10)
  })
  it('fire_once with nothing inside the window runs nothing', () => {
    const p = plan(
      { cronExpression: '0 * * * * *', catchupWindowMs: 10_000 },
      { dueAt: T('06:50:00'), now: T('07:00:30'), lookaheadMs: 0 },
    )
    expect(p.run).toEqual([])
    expect(p.missed).toHaveLength(11)
    expect(p.nextRunAt).toEqual(T('07:01:00'))
  })
  it('fire_once finds the latest fire of a sparse schedule in a long window', () => {
    // Daily at 09:00, away for three days, window 30 days.
    const p = plan(
      { cronExpression: '0 9 * * *', catchupWindowMs: 30 * 86_400_000 },
      { dueAt: T('09:00:00', '2026-03-05'), now: T('20:00:00'), lookaheadMs: 0 },
    )
    expect(p.run).toEqual([T('09:00:00')])
    expect(p.missed.map((d) => d.toISOString())).toEqual([
      '2026-03-05T09:00:00.000Z',
      '2026-03-06T09:00:00.000Z',
      '2026-03-07T09:00:00.000Z',
    ])
    expect(p.nextRunAt).toEqual(T('09:00:00', '2026-03-09'))
  })
  it('fire_once finds the latest fire of a clustered schedule', () => {
    // Every second from 09:00 to 09:59:59 only; resumed at 20:00 with a one-day window.
    const p = plan(
      { cronExpression: '* * 9 * * *', catchupWindowMs: 86_400_000 },
      { dueAt: T('09:00:00'), now: T('20:00:00'), lookaheadMs: 0 },
    )
    expect(p.run).toEqual([T('09:59:59')])
    expect(p.missed).toHaveLength(MAX_MISSED_ROWS)
    expect(p.missedBeyondRows).toBe(3599 - MAX_MISSED_ROWS)
    expect(p.missedCountCapped).toBe(false)
  })
})

describe('planFires: missed rows and counting are bounded', () => {
  it('at most 100 missed rows, the earliest; the rest only counted', () => {
    // Every second, away for ten minutes: 540 outside the window, 59 inside, 07:00:00 due on time.
    const p = plan({}, { dueAt: T('06:50:00'), now: T('07:00:00.200'), lookaheadMs: 0 })
    expect(p.missed).toHaveLength(100)
    expect(p.missed[0]).toEqual(T('06:50:00'))
    expect(p.missed[99]).toEqual(T('06:51:39'))
    expect(p.missedBeyondRows).toBe(600 - 100)
    expect(p.missedCountCapped).toBe(false)
    expect(iso(p.run)).toEqual(['07:00:00.000'])
  })
  it('a year of per-second misfires costs a bounded amount of work', () => {
    const started = performance.now()
    const p = plan(
      { misfirePolicy: 'fire_all', catchupWindowMs: 5000 },
      { dueAt: T('07:00:00', '2025-03-08'), now: T('07:00:00.500'), lookaheadMs: 1000 },
    )
    expect(performance.now() - started).toBeLessThan(3000)
    expect(p.missedCountCapped).toBe(true)
    expect(p.missed).toHaveLength(100)
    expect(p.missed.length + p.missedBeyondRows).toBe(10_000)
    // The window is still caught up after the capped count: 06:59:56 … 07:00:01.
    expect(iso(p.run)).toEqual([
      '06:59:56.000',
      '06:59:57.000',
      '06:59:58.000',
      '06:59:59.000',
      '07:00:00.000',
      '07:00:01.000',
    ])
    expect(p.nextRunAt).toEqual(T('07:00:02'))
  })
  it('the count cap is an input', () => {
    const p = plan(
      { misfirePolicy: 'skip' },
      { dueAt: T('06:00:00'), now: T('07:00:00.500'), lookaheadMs: 0, missedCountCap: 150 },
    )
    expect(p.missed).toHaveLength(100)
    expect(p.missedBeyondRows).toBe(50)
    expect(p.missedCountCapped).toBe(true)
    expect(iso(p.run)).toEqual(['07:00:00.000'])
  })
  it('a long fire_all catch-up is cut at maxRuns and goes on from nextRunAt', () => {
    const schedule = { misfirePolicy: 'fire_all' as const }
    const now = T('07:00:00.500')
    const first = plan(schedule, { dueAt: T('06:59:55'), now, lookaheadMs: 2000, maxRuns: 4 })
    expect(iso(first.run)).toEqual(['06:59:55.000', '06:59:56.000', '06:59:57.000', '06:59:58.000'])
    expect(first).toMatchObject({ truncated: true, state: 'active', missed: [] })
    expect(first.nextRunAt).toEqual(T('06:59:59'))
    const second = plan(schedule, { dueAt: first.nextRunAt!, now, lookaheadMs: 2000, maxRuns: 4 })
    expect(iso(second.run)).toEqual(['06:59:59.000', '07:00:00.000', '07:00:01.000', '07:00:02.000'])
    expect(second.truncated).toBe(false)
    expect(second.nextRunAt).toEqual(T('07:00:03'))
  })
})

describe('planFires: start, end and maxExecutions', () => {
  it('no fire before startDate; a fire exactly at it happens', () => {
    const later = plan(
      { startDate: T('08:00:00') },
      { dueAt: T('07:00:00'), now: T('06:59:59'), lookaheadMs: 2000 },
    )
    expect(later.run).toEqual([])
    expect(later.nextRunAt).toEqual(T('08:00:00'))
    const at = plan(
      { startDate: T('07:00:01') },
      { dueAt: T('07:00:00'), now: T('06:59:59.500'), lookaheadMs: 2000 },
    )
    expect(iso(at.run)).toEqual(['07:00:01.000'])
  })
  it('a start between fires begins at the next fire', () => {
    const p = plan(
      { cronExpression: '*/10 * * * * *', startDate: T('07:00:01') },
      { dueAt: T('07:00:00'), now: T('07:00:00'), lookaheadMs: 0 },
    )
    expect(p.run).toEqual([])
    expect(p.nextRunAt).toEqual(T('07:00:10'))
  })
  it('a fire exactly at endDate happens, then the schedule is expired', () => {
    const p = plan(
      { endDate: T('07:00:02') },
      { dueAt: T('07:00:01'), now: T('07:00:00.500'), lookaheadMs: 5000 },
    )
    expect(iso(p.run)).toEqual(['07:00:01.000', '07:00:02.000'])
    expect(p).toMatchObject({ state: 'expired', nextRunAt: null })
  })
  it('past endDate nothing is planned, not even missed rows', () => {
    const p = plan({ endDate: T('06:00:00') }, { dueAt: T('07:00:00'), now: T('07:00:00'), lookaheadMs: 0 })
    expect(p).toMatchObject({ run: [], missed: [], state: 'expired', nextRunAt: null })
  })
  it('misfires after endDate are not recorded', () => {
    const p = plan(
      { misfirePolicy: 'skip', endDate: T('06:59:10') },
      { dueAt: T('06:59:00'), now: T('07:00:00.500'), lookaheadMs: 0 },
    )
    expect(p.run).toEqual([])
    expect(p.missed).toHaveLength(11)
    expect(p.state).toBe('expired')
  })
  it('fire_once: an on-time fire after endDate does not take the place of the latest', () => {
    const p = plan(
      { endDate: T('06:59:58') },
      { dueAt: T('06:59:30'), now: T('07:00:00.400'), lookaheadMs: 0 },
    )
    expect(iso(p.run)).toEqual(['06:59:58.000'])
    expect(p.missed).toHaveLength(28)
    expect(p.state).toBe('expired')
  })
  it('a schedule that never fires again is expired', () => {
    const p = plan(
      { cronExpression: '0 0 30 2 *' },
      { dueAt: T('07:00:00'), now: T('07:00:00'), lookaheadMs: 0 },
    )
    expect(p).toMatchObject({ run: [], state: 'expired', nextRunAt: null })
  })
  it('plans no more runs than maxExecutions allows, then the schedule is completed', () => {
    const p = plan(
      { maxExecutions: 5, executionCount: 3 },
      { dueAt: T('07:00:00'), now: T('07:00:00'), lookaheadMs: 10_000 },
    )
    expect(iso(p.run)).toEqual(['07:00:00.000', '07:00:01.000'])
    expect(p).toMatchObject({ state: 'completed', nextRunAt: null })
  })
  it('a schedule at maxExecutions plans nothing', () => {
    const p = plan(
      { maxExecutions: 2, executionCount: 2 },
      { dueAt: T('06:00:00'), now: T('07:00:00'), lookaheadMs: 0 },
    )
    expect(p).toMatchObject({ run: [], missed: [], missedBeyondRows: 0, state: 'completed', nextRunAt: null })
  })
  it('fire_all stops at maxExecutions; later fires are not recorded', () => {
    const p = plan(
      { misfirePolicy: 'fire_all', maxExecutions: 3 },
      { dueAt: T('06:59:50'), now: T('07:00:00.500'), lookaheadMs: 0 },
    )
    expect(iso(p.run)).toEqual(['06:59:50.000', '06:59:51.000', '06:59:52.000'])
    expect(p.missed).toEqual([])
    expect(p.state).toBe('completed')
  })
  it('the run that uses the last execution also completes the schedule when it is the last fire', () => {
    const p = plan(
      { maxExecutions: 1, endDate: T('07:00:00') },
      { dueAt: T('07:00:00'), now: T('07:00:00'), lookaheadMs: 0 },
    )
    expect(p.state).toBe('completed')
  })
})

describe('planFires: input checks', () => {
  const ok = { dueAt: T('07:00:00'), now: T('07:00:00'), lookaheadMs: 0 }
  it('rejects invalid times and negative durations', () => {
    expect(() => plan({}, { ...ok, now: new Date(Number.NaN) })).toThrow(RangeError)
    expect(() => plan({}, { ...ok, dueAt: new Date(Number.NaN) })).toThrow(RangeError)
    expect(() => plan({ startDate: new Date('nope') }, ok)).toThrow(/startDate/)
    expect(() => plan({}, { ...ok, lookaheadMs: -1 })).toThrow(/lookaheadMs/)
    expect(() => plan({ catchupWindowMs: Number.NaN }, ok)).toThrow(/catchupWindowMs/)
    expect(() => plan({}, { ...ok, misfireToleranceMs: Number.POSITIVE_INFINITY })).toThrow(
      /misfireToleranceMs/,
    )
  })
  it('lets cron errors through', () => {
    expect(() => plan({ cronExpression: 'not a cron' }, ok)).toThrow()
  })
  it('agrees with nextRuns on which fires exist (DST)', () => {
    // Europe/Berlin springs forward on 2026-03-29: 02:30 does not exist and fires once at 03:00 local.
    const schedule = {
      cronExpression: '30 2 * * *',
      timezone: 'Europe/Berlin',
      misfirePolicy: 'fire_all' as const,
    }
    const from = new Date('2026-03-27T12:00:00Z')
    const expected = nextRuns(schedule.cronExpression, { timezone: schedule.timezone, from, count: 3 })
    const p = planFires({
      schedule: { ...base, ...schedule, catchupWindowMs: 7 * 86_400_000 },
      dueAt: expected[0]!,
      now: new Date(expected[2]!.getTime() + 1),
      lookaheadMs: 0,
    })
    expect(p.run).toEqual(expected)
  })
})

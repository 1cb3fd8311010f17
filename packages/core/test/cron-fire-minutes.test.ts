import { describe, expect, it } from 'vitest'
import { fireMinutesOfDay, nextRuns, TimezoneError } from '../src/cron/index.ts'

const DAY = 86_400_000
const HOUR = 3_600_000

/** What fireMinutesOfDay must equal: the UTC minutes of every nextRuns fire in [from, from + 24 h). */
function fromNextRuns(expression: string, timezone: string, from: Date): number[] {
  const end = from.getTime() + DAY
  const minutes = new Set<number>()
  let cursor = new Date(from.getTime() - 1)
  for (let count = 8; ; count = Math.min(count * 4, 2048)) {
    const batch = nextRuns(expression, { timezone, from: cursor, count })
    for (const d of batch) {
      if (d.getTime() >= end) return [...minutes].sort((a, b) => a - b)
      minutes.add(Math.floor((((d.getTime() % DAY) + DAY) % DAY) / 60_000))
    }
    if (batch.length < count) return [...minutes].sort((a, b) => a - b)
    cursor = batch[batch.length - 1]!
  }
}

// 2024 transitions (UTC instants) of the zones under test
const TRANSITIONS: Record<string, string[]> = {
  UTC: ['2024-03-10T07:00:00Z'],
  'Asia/Kolkata': ['2024-03-10T07:00:00Z'],
  'Asia/Kathmandu': ['2024-06-01T00:00:00Z'],
  'America/New_York': ['2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z'],
  'Europe/London': ['2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z'],
  'Australia/Sydney': ['2024-04-06T16:00:00Z', '2024-10-05T16:00:00Z'],
  'Australia/Lord_Howe': ['2024-04-06T15:00:00Z', '2024-10-05T15:30:00Z'],
  'America/Santiago': ['2024-04-07T03:00:00Z', '2024-09-08T04:00:00Z'],
}
const AROUND = [
  -26 * HOUR,
  -3 * HOUR - 7 * 60_000,
  -HOUR,
  -30 * 60_000,
  -1,
  0,
  1000,
  45 * 60_000,
  5 * HOUR + 1234,
]
/** Every-minute schedules cost 1,440 nextRuns per case: fewer cases. */
const AROUND_DENSE = [-HOUR - 7 * 60_000, -1, 0, 45 * 60_000]

const MINUTE_LEVEL = [
  '* * * * *',
  '*/5 * * * *',
  '0 9 * * 1-5',
  '30 2 * * *',
  '0,30 2 * * *',
  '0 1-3 * * *',
  '*/30 1 * * *',
  '30 * * * *',
  '0 0 * * *',
  '30 0 * * *',
  '30 23 * * *',
  '*/15 23 * * *',
  '0 0 L * *',
  '15 10 1W,15,L-2 * SUN',
  '45 1 * * *',
  '*/15 2 * * *',
  '0 0 30 2 *',
]
const SECOND_LEVEL = [
  '10,50 30 2 * * *',
  '*/20 30 2 * * *',
  '0 */30 * * * *',
  '*/7 * 1-2 * * *',
  '59 59 23 * * *',
]

describe('fireMinutesOfDay agrees with nextRuns', () => {
  for (const [timezone, transitions] of Object.entries(TRANSITIONS)) {
    it(`minute-level schedules around the transitions of ${timezone}`, () => {
      for (const expression of MINUTE_LEVEL) {
        for (const tr of transitions) {
          for (const delta of expression.startsWith('*') ? AROUND_DENSE : AROUND) {
            const from = new Date(Date.parse(tr) + delta)
            expect(
              fireMinutesOfDay(expression, { timezone, from }),
              `${expression} from ${from.toISOString()}`,
            ).toEqual(fromNextRuns(expression, timezone, from))
          }
        }
      }
    })

    it(`second-level schedules around the transitions of ${timezone}`, () => {
      for (const expression of SECOND_LEVEL) {
        for (const tr of transitions) {
          for (const delta of [-HOUR - 17_000, 0, 2 * HOUR + 59_500]) {
            const from = new Date(Date.parse(tr) + delta)
            expect(
              fireMinutesOfDay(expression, { timezone, from }),
              `${expression} from ${from.toISOString()}`,
            ).toEqual(fromNextRuns(expression, timezone, from))
          }
        }
      }
    })
  }

  it('on pseudo-random days and times', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const zones = Object.keys(TRANSITIONS)
    for (let i = 0; i < 200; i++) {
      const timezone = zones[Math.floor(random() * zones.length)]!
      const expression = MINUTE_LEVEL[Math.floor(random() * MINUTE_LEVEL.length)]!
      const from = new Date(Date.UTC(2023, 0, 1) + Math.floor(random() * 3 * 365 * DAY))
      expect(
        fireMinutesOfDay(expression, { timezone, from }),
        `${expression} ${timezone} ${from.toISOString()}`,
      ).toEqual(fromNextRuns(expression, timezone, from))
    }
  })
})

describe('fireMinutesOfDay', () => {
  it('lists UTC minutes of day, ascending and unique', () => {
    expect(
      fireMinutesOfDay('0 9 * * *', { timezone: 'America/New_York', from: new Date('2024-07-01T00:00:00Z') }),
    ).toEqual([13 * 60])
    expect(fireMinutesOfDay('*/5 * * * *', { from: new Date('2024-07-01T00:00:00Z') })).toHaveLength(288)
    expect(fireMinutesOfDay('* * * * * *', { from: new Date('2024-07-01T00:00:30Z') })).toHaveLength(1440)
    // Kolkata is +05:30: 09:00 local is 03:30 UTC
    expect(
      fireMinutesOfDay('0 9 * * *', { timezone: 'Asia/Kolkata', from: new Date('2024-07-01T00:00:00Z') }),
    ).toEqual([210])
  })

  it('the window includes from and excludes from + 24 h', () => {
    const from = new Date('2024-07-01T10:00:00Z')
    expect(fireMinutesOfDay('0 10 * * *', { from })).toEqual([600])
    expect(fireMinutesOfDay('0 10 1 7 *', { from })).toEqual([600])
    expect(fireMinutesOfDay('0 10 2 7 *', { from })).toEqual([])
  })

  it('a spring-forward fire exactly at from is inside the window', () => {
    // New York 2024-03-10: 02:30 does not exist and fires at 03:00 EDT = 07:00Z; the next day 02:30 EDT = 06:30Z
    expect(
      fireMinutesOfDay('30 2 * * *', {
        timezone: 'America/New_York',
        from: new Date('2024-03-10T07:00:00Z'),
      }),
    ).toEqual([6 * 60 + 30, 7 * 60])
  })

  it('an offset that is not whole minutes (New York local mean time, -04:56:02)', () => {
    for (const expression of ['0 12 * * *', '*/20 * * * *', '30 12 * * * *']) {
      const from = new Date('1800-01-01T00:00:00Z')
      expect(fireMinutesOfDay(expression, { timezone: 'America/New_York', from })).toEqual(
        fromNextRuns(expression, 'America/New_York', from),
      )
    }
    expect(
      fireMinutesOfDay('0 12 * * *', {
        timezone: 'America/New_York',
        from: new Date('1800-01-01T00:00:00Z'),
      }),
    ).toEqual([16 * 60 + 56])
  })

  it('an unknown zone is a TimezoneError', () => {
    expect(() => fireMinutesOfDay('* * * * *', { timezone: '', from: new Date() })).toThrow(TimezoneError)
  })

  it('a schedule that never fires has no minutes', () => {
    expect(fireMinutesOfDay('0 0 L-29 2 *', { from: new Date('2024-02-01T00:00:00Z') })).toEqual([])
  })

  it('rejects a bad from', () => {
    expect(() => fireMinutesOfDay('* * * * *', { from: new Date(Number.NaN) })).toThrow(RangeError)
  })

  it('is fast: every minute in New York well under a millisecond per call', () => {
    const from = new Date('2024-11-03T00:00:00Z')
    for (const expression of ['* * * * *', '*/5 * * * *', '* * * * * *']) {
      fireMinutesOfDay(expression, { timezone: 'America/New_York', from })
      const started = performance.now()
      for (let i = 0; i < 200; i++) fireMinutesOfDay(expression, { timezone: 'America/New_York', from })
      expect((performance.now() - started) / 200).toBeLessThan(1)
    }
  })
})

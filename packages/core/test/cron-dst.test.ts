import { describe, expect, it } from 'vitest'
import { isWildcard, nextRuns } from '../src/cron/index.ts'

function runs(expression: string, timezone: string, from: string, count = 5): string[] {
  return nextRuns(expression, { timezone, from: new Date(from), count }).map((d) => d.toISOString())
}
/** '2024-03-10T07:00' → '2024-03-10T07:00:00.000Z' (UTC; seconds may be given). */
function at(...instants: string[]): string[] {
  return instants.map((s) => new Date(`${s.length === 16 ? `${s}:00` : s}Z`).toISOString())
}

describe('which schedules are WILDCARD', () => {
  it.each([
    ['*/5 * * * *', true],
    ['30 * * * *', true],
    ['* 2 * * *', true],
    ['*/20 30 2 * * *', true],
    ['0 */30 2 * * *', true],
    ['0 1-3 * * *', false],
    ['0,30 2 * * *', false],
    ['0 0-23/2 * * *', false],
    ['5/10 2 * * *', false],
    ['15 30 2 * * *', false],
    ['0 0 * * *', false],
    ['@hourly', true],
    ['@daily', false],
  ])('%s → %s', (expression, wildcard) => {
    expect(isWildcard(expression)).toBe(wildcard)
  })
})

describe('America/New_York (2024-03-10 02:00 EST → 03:00 EDT at 07:00Z; 2024-11-03 02:00 EDT → 01:00 EST at 06:00Z)', () => {
  const NY = 'America/New_York'

  it('spring forward: fixed time in the gap fires once at the first instant after it', () => {
    expect(runs('30 2 * * *', NY, '2024-03-09T12:00:00Z', 2)).toEqual(
      at('2024-03-10T07:00', '2024-03-11T06:30'),
    )
    expect(runs('15 30 2 * * *', NY, '2024-03-09T12:00:00Z', 2)).toEqual(
      at('2024-03-10T07:00:00', '2024-03-11T06:30:15'),
    )
  })

  it('spring forward: several fixed times in one gap give one fire', () => {
    expect(runs('0,30 2 * * *', NY, '2024-03-10T05:00:00Z', 3)).toEqual(
      at('2024-03-10T07:00', '2024-03-11T06:00', '2024-03-11T06:30'),
    )
    expect(runs('0 2-3/2 * * *', NY, '2024-03-10T05:00:00Z', 2)).toEqual(
      at('2024-03-10T07:00', '2024-03-11T06:00'),
    )
  })

  it('spring forward: a gap fire and a regular fire at the same instant are one fire', () => {
    // 01:00 EST, 02:00 (gap) and 03:00 EDT both at 07:00Z, then the next day
    expect(runs('0 1-3 * * *', NY, '2024-03-10T05:00:00Z', 4)).toEqual(
      at('2024-03-10T06:00', '2024-03-10T07:00', '2024-03-11T05:00', '2024-03-11T06:00'),
    )
  })

  it('spring forward: a wildcard schedule has no fires for the missing times', () => {
    expect(runs('*/30 * * * *', NY, '2024-03-10T06:10:00Z', 3)).toEqual(
      at('2024-03-10T06:30', '2024-03-10T07:00', '2024-03-10T07:30'),
    )
    expect(runs('30 * * * *', NY, '2024-03-10T06:00:00Z', 2)).toEqual(
      at('2024-03-10T06:30', '2024-03-10T07:30'),
    )
    expect(runs('* 2 * * *', NY, '2024-03-10T05:00:00Z', 1)).toEqual(at('2024-03-11T06:00'))
    expect(runs('*/20 30 2 * * *', NY, '2024-03-09T07:00:00Z', 2)).toEqual(
      at('2024-03-09T07:30:00', '2024-03-09T07:30:20'),
    )
    expect(runs('*/20 30 2 * * *', NY, '2024-03-09T07:31:00Z', 1)).toEqual(at('2024-03-11T06:30:00'))
  })

  it('fall back: a fixed time fires only at the first occurrence', () => {
    expect(runs('30 1 * * *', NY, '2024-11-03T04:00:00Z', 2)).toEqual(
      at('2024-11-03T05:30', '2024-11-04T06:30'),
    )
    expect(runs('0,30 1 * * *', NY, '2024-11-03T04:00:00Z', 3)).toEqual(
      at('2024-11-03T05:00', '2024-11-03T05:30', '2024-11-04T06:00'),
    )
    expect(runs('0 1-3 * * *', NY, '2024-11-03T04:00:00Z', 4)).toEqual(
      at('2024-11-03T05:00', '2024-11-03T07:00', '2024-11-03T08:00', '2024-11-04T06:00'),
    )
    expect(runs('0 30 1 * * *', NY, '2024-11-03T04:00:00Z', 2)).toEqual(
      at('2024-11-03T05:30', '2024-11-04T06:30'),
    )
  })

  it('fall back: from inside the second pass, the repeated fixed time does not fire again', () => {
    expect(runs('30 1 * * *', NY, '2024-11-03T06:10:00Z', 1)).toEqual(at('2024-11-04T06:30'))
    expect(runs('0 1-3 * * *', NY, '2024-11-03T06:00:00Z', 2)).toEqual(
      at('2024-11-03T07:00', '2024-11-03T08:00'),
    )
  })

  it('fall back: a wildcard schedule fires in both passes', () => {
    expect(runs('*/30 * * * *', NY, '2024-11-03T04:50:00Z', 6)).toEqual(
      at(
        '2024-11-03T05:00',
        '2024-11-03T05:30',
        '2024-11-03T06:00',
        '2024-11-03T06:30',
        '2024-11-03T07:00',
        '2024-11-03T07:30',
      ),
    )
    expect(runs('*/30 1 * * *', NY, '2024-11-03T04:00:00Z', 5)).toEqual(
      at('2024-11-03T05:00', '2024-11-03T05:30', '2024-11-03T06:00', '2024-11-03T06:30', '2024-11-04T06:00'),
    )
    expect(runs('30 * * * *', NY, '2024-11-03T04:00:00Z', 4)).toEqual(
      at('2024-11-03T04:30', '2024-11-03T05:30', '2024-11-03T06:30', '2024-11-03T07:30'),
    )
    // from the first pass, the second pass still comes
    expect(runs('*/31 1 * * *', NY, '2024-11-03T05:40:00Z', 3)).toEqual(
      at('2024-11-03T06:00', '2024-11-03T06:31', '2024-11-04T06:00'),
    )
    expect(runs('*/30 30 1 * * *', NY, '2024-11-03T05:30:00Z', 3)).toEqual(
      at('2024-11-03T05:30:30', '2024-11-03T06:30:00', '2024-11-03T06:30:30'),
    )
  })

  it('other days are plain wall-clock times', () => {
    expect(runs('0 9 * * 1-5', NY, '2024-07-05T00:00:00Z', 2)).toEqual(
      at('2024-07-05T13:00', '2024-07-08T13:00'),
    )
    expect(runs('0 9 * * 1-5', NY, '2024-01-05T00:00:00Z', 2)).toEqual(
      at('2024-01-05T14:00', '2024-01-08T14:00'),
    )
  })

  it('zone aliases are the same zone', () => {
    expect(runs('30 2 * * *', 'US/Eastern', '2024-03-09T12:00:00Z', 2)).toEqual(
      runs('30 2 * * *', NY, '2024-03-09T12:00:00Z', 2),
    )
  })
})

describe('Europe/London (2024-03-31 01:00 GMT → 02:00 BST; 2024-10-27 02:00 BST → 01:00 GMT, both at 01:00Z)', () => {
  const LDN = 'Europe/London'

  it('spring forward', () => {
    expect(runs('30 1 * * *', LDN, '2024-03-30T12:00:00Z', 2)).toEqual(
      at('2024-03-31T01:00', '2024-04-01T00:30'),
    )
    // 01:00-01:59 do not exist on the 31st
    expect(runs('*/30 1 * * *', LDN, '2024-03-30T12:00:00Z', 3)).toEqual(
      at('2024-04-01T00:00', '2024-04-01T00:30', '2024-04-02T00:00'),
    )
  })

  it('fall back', () => {
    expect(runs('30 1 * * *', LDN, '2024-10-26T12:00:00Z', 2)).toEqual(
      at('2024-10-27T00:30', '2024-10-28T01:30'),
    )
    expect(runs('*/30 1 * * *', LDN, '2024-10-26T12:00:00Z', 5)).toEqual(
      at('2024-10-27T00:00', '2024-10-27T00:30', '2024-10-27T01:00', '2024-10-27T01:30', '2024-10-28T01:00'),
    )
  })
})

describe('Australia/Sydney (2024-04-07 03:00 AEDT → 02:00 AEST at 16:00Z; 2024-10-06 02:00 AEST → 03:00 AEDT at 16:00Z)', () => {
  const SYD = 'Australia/Sydney'

  it('fall back', () => {
    expect(runs('30 2 * * *', SYD, '2024-04-06T00:00:00Z', 2)).toEqual(
      at('2024-04-06T15:30', '2024-04-07T16:30'),
    )
    expect(runs('*/30 2 * * *', SYD, '2024-04-06T00:00:00Z', 5)).toEqual(
      at('2024-04-06T15:00', '2024-04-06T15:30', '2024-04-06T16:00', '2024-04-06T16:30', '2024-04-07T16:00'),
    )
  })

  it('spring forward', () => {
    expect(runs('30 2 * * *', SYD, '2024-10-05T00:00:00Z', 2)).toEqual(
      at('2024-10-05T16:00', '2024-10-06T15:30'),
    )
    expect(runs('*/30 2 * * *', SYD, '2024-10-05T00:00:00Z', 2)).toEqual(
      at('2024-10-06T15:00', '2024-10-06T15:30'),
    )
  })
})

describe('Australia/Lord_Howe: 30-minute shifts (2024-04-07 02:00 +11 → 01:30 +10:30 at 15:00Z; 2024-10-06 02:00 +10:30 → 02:30 +11 at 15:30Z)', () => {
  const LHI = 'Australia/Lord_Howe'

  it('spring forward: 02:00-02:29 do not exist', () => {
    expect(runs('15 2 * * *', LHI, '2024-10-05T00:00:00Z', 2)).toEqual(
      at('2024-10-05T15:30', '2024-10-06T15:15'),
    )
    // 02:00 (gap) and 02:30 (first time after it) are one fire
    expect(runs('0,30 2 * * *', LHI, '2024-10-05T00:00:00Z', 2)).toEqual(
      at('2024-10-05T15:30', '2024-10-06T15:00'),
    )
    expect(runs('*/15 2 * * *', LHI, '2024-10-05T00:00:00Z', 3)).toEqual(
      at('2024-10-05T15:30', '2024-10-05T15:45', '2024-10-06T15:00'),
    )
  })

  it('fall back: 01:30-01:59 happen twice', () => {
    expect(runs('45 1 * * *', LHI, '2024-04-06T00:00:00Z', 2)).toEqual(
      at('2024-04-06T14:45', '2024-04-07T15:15'),
    )
    expect(runs('*/15 1 * * *', LHI, '2024-04-06T13:59:00Z', 7)).toEqual(
      at(
        '2024-04-06T14:00',
        '2024-04-06T14:15',
        '2024-04-06T14:30',
        '2024-04-06T14:45',
        '2024-04-06T15:00',
        '2024-04-06T15:15',
        '2024-04-07T14:30',
      ),
    )
  })
})

describe('America/Santiago: transitions at midnight (2024-04-07 00:00 -03 → 2024-04-06 23:00 -04 at 03:00Z; 2024-09-08 00:00 -04 → 01:00 -03 at 04:00Z)', () => {
  const SCL = 'America/Santiago'

  it('spring forward: midnight does not exist, a fixed midnight fires at 01:00 the same day', () => {
    expect(runs('0 0 * * *', SCL, '2024-09-06T12:00:00Z', 3)).toEqual(
      at('2024-09-07T04:00', '2024-09-08T04:00', '2024-09-09T03:00'),
    )
    expect(runs('0 0 8 9 *', SCL, '2024-01-01T00:00:00Z', 1)).toEqual(at('2024-09-08T04:00'))
    expect(runs('0,30 0 * * *', SCL, '2024-09-07T12:00:00Z', 2)).toEqual(
      at('2024-09-08T04:00', '2024-09-09T03:00'),
    )
    expect(runs('0 0-1 * * *', SCL, '2024-09-07T12:00:00Z', 2)).toEqual(
      at('2024-09-08T04:00', '2024-09-09T03:00'),
    )
    expect(runs('*/30 0 * * *', SCL, '2024-09-07T00:00:00Z', 4)).toEqual(
      at('2024-09-07T04:00', '2024-09-07T04:30', '2024-09-09T03:00', '2024-09-09T03:30'),
    )
  })

  it('fall back: 23:00-23:59 of Saturday happen twice', () => {
    expect(runs('30 23 * * *', SCL, '2024-04-06T12:00:00Z', 2)).toEqual(
      at('2024-04-07T02:30', '2024-04-08T03:30'),
    )
    expect(runs('*/30 23 * * *', SCL, '2024-04-06T12:00:00Z', 5)).toEqual(
      at('2024-04-07T02:00', '2024-04-07T02:30', '2024-04-07T03:00', '2024-04-07T03:30', '2024-04-08T03:00'),
    )
    expect(runs('0 0 * * *', SCL, '2024-04-06T12:00:00Z', 2)).toEqual(
      at('2024-04-07T04:00', '2024-04-08T04:00'),
    )
  })
})

describe('Asia/Kolkata (+05:30, no daylight saving) as a control', () => {
  it('every day is the same', () => {
    expect(runs('30 2 * * *', 'Asia/Kolkata', '2024-03-09T00:00:00Z', 3)).toEqual(
      at('2024-03-09T21:00', '2024-03-10T21:00', '2024-03-11T21:00'),
    )
    expect(runs('*/30 1 * * *', 'Asia/Kolkata', '2024-11-02T00:00:00Z', 3)).toEqual(
      at('2024-11-02T19:30', '2024-11-02T20:00', '2024-11-03T19:30'),
    )
    expect(runs('0 0 L * *', 'Asia/Kolkata', '2024-01-01T00:00:00Z', 2)).toEqual(
      at('2024-01-30T18:30', '2024-02-28T18:30'),
    )
  })
})

describe('fixed offsets', () => {
  it('UTC, Etc/GMT-2 and an offset-free zone far from now', () => {
    expect(runs('0 12 * * *', 'Etc/GMT-2', '2024-01-01T00:00:00Z', 1)).toEqual(at('2024-01-01T10:00'))
    expect(runs('0 12 * * *', 'UTC', '2030-01-01T00:00:00Z', 1)).toEqual(at('2030-01-01T12:00'))
  })

  it('local mean time before standard time (New York 1800 was -04:56:02)', () => {
    expect(runs('0 12 1 1 *', 'America/New_York', '1800-01-01T00:00:00Z', 1)).toEqual(
      at('1800-01-01T16:56:02'),
    )
  })
})

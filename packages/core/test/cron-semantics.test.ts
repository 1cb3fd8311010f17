import { describe, expect, it } from 'vitest'
import { nextRuns, parse } from '../src/cron/index.ts'

/** Next `count` runs as ISO strings. */
function runs(expression: string, from: string, count = 5, timezone = 'UTC'): string[] {
  return nextRuns(expression, { timezone, from: new Date(from), count }).map((d) => d.toISOString())
}
/** '2024-01-03T00:00' → '2024-01-03T00:00:00.000Z' (seconds may be given). */
function at(...instants: string[]): string[] {
  return instants.map((s) => new Date(`${s.length === 16 ? `${s}:00` : s}Z`).toISOString())
}

// 2024-01-01 is a Monday; 2024 is a leap year.
const JAN1 = '2024-01-01T00:00:00Z'

describe('fields and operators', () => {
  it('* fires every minute; 5 fields start at second 0', () => {
    expect(runs('* * * * *', '2024-01-01T00:00:30Z', 3)).toEqual(
      at('2024-01-01T00:01', '2024-01-01T00:02', '2024-01-01T00:03'),
    )
  })

  it('6 fields: the first is the second', () => {
    expect(runs('*/20 * * * * *', JAN1, 3)).toEqual(
      at('2024-01-01T00:00:20', '2024-01-01T00:00:40', '2024-01-01T00:01:00'),
    )
    expect(runs('30 0 12 * * *', JAN1, 2)).toEqual(at('2024-01-01T12:00:30', '2024-01-02T12:00:30'))
  })

  it('lists, ranges and a list element that is a stepped range', () => {
    expect(runs('1,10-20/5,58 * * * *', JAN1, 6)).toEqual(
      at(
        '2024-01-01T00:01',
        '2024-01-01T00:10',
        '2024-01-01T00:15',
        '2024-01-01T00:20',
        '2024-01-01T00:58',
        '2024-01-01T01:01',
      ),
    )
    expect(runs('0 9-11 * * *', JAN1, 4)).toEqual(
      at('2024-01-01T09:00', '2024-01-01T10:00', '2024-01-01T11:00', '2024-01-02T09:00'),
    )
    expect(runs('0 0 3-3 * *', JAN1, 2)).toEqual(at('2024-01-03T00:00', '2024-02-03T00:00'))
  })

  it('*/n, a-b/n and a/n (= a..max step n)', () => {
    expect(runs('*/15 * * * *', JAN1, 4)).toEqual(
      at('2024-01-01T00:15', '2024-01-01T00:30', '2024-01-01T00:45', '2024-01-01T01:00'),
    )
    expect(runs('5-10/2 * * * *', JAN1, 4)).toEqual(
      at('2024-01-01T00:05', '2024-01-01T00:07', '2024-01-01T00:09', '2024-01-01T01:05'),
    )
    expect(runs('50/5 * * * *', JAN1, 3)).toEqual(
      at('2024-01-01T00:50', '2024-01-01T00:55', '2024-01-01T01:50'),
    )
    expect(runs('0 8-17/3 * * *', JAN1, 5)).toEqual(
      at('2024-01-01T08:00', '2024-01-01T11:00', '2024-01-01T14:00', '2024-01-01T17:00', '2024-01-02T08:00'),
    )
    expect(runs('0 20/2 * * *', JAN1, 3)).toEqual(
      at('2024-01-01T20:00', '2024-01-01T22:00', '2024-01-02T20:00'),
    )
    expect(runs('0 0 1 */4 *', JAN1, 3)).toEqual(
      at('2024-05-01T00:00', '2024-09-01T00:00', '2025-01-01T00:00'),
    )
    expect(runs('0 0 25/3 * *', JAN1, 4)).toEqual(
      at('2024-01-25T00:00', '2024-01-28T00:00', '2024-01-31T00:00', '2024-02-25T00:00'),
    )
  })

  it('* may be a list element; the field is then restricted (it is not exactly *)', () => {
    expect(runs('5,* * * * *', JAN1, 2)).toEqual(at('2024-01-01T00:01', '2024-01-01T00:02'))
    // day of month '1,*' restricts, so OR with Mondays: still every day
    expect(runs('0 0 1,* * MON', JAN1, 2)).toEqual(at('2024-01-02T00:00', '2024-01-03T00:00'))
  })

  it('a step larger than the span keeps the first value', () => {
    expect(runs('*/90 * * * *', JAN1, 3)).toEqual(
      at('2024-01-01T01:00', '2024-01-01T02:00', '2024-01-01T03:00'),
    )
    expect(runs('0 */24 * * *', JAN1, 2)).toEqual(at('2024-01-02T00:00', '2024-01-03T00:00'))
    expect(runs('40/30 * * * *', JAN1, 2)).toEqual(at('2024-01-01T00:40', '2024-01-01T01:40'))
    expect(runs('0 0 */40 * *', JAN1, 2)).toEqual(at('2024-02-01T00:00', '2024-03-01T00:00'))
    expect(runs('0 0 * * */9', JAN1, 2)).toEqual(at('2024-01-07T00:00', '2024-01-14T00:00'))
  })

  it('month names and day names, in any letter case', () => {
    expect(runs('0 0 1 jan,Jul *', JAN1, 2)).toEqual(at('2024-07-01T00:00', '2025-01-01T00:00'))
    expect(runs('0 0 1 FEB-apr *', JAN1, 4)).toEqual(
      at('2024-02-01T00:00', '2024-03-01T00:00', '2024-04-01T00:00', '2025-02-01T00:00'),
    )
    expect(runs('0 0 * * mon-WED', JAN1, 4)).toEqual(
      at('2024-01-02T00:00', '2024-01-03T00:00', '2024-01-08T00:00', '2024-01-09T00:00'),
    )
    expect(runs('0 0 * * SAT-SUN', JAN1, 3)).toEqual(
      at('2024-01-06T00:00', '2024-01-07T00:00', '2024-01-13T00:00'),
    )
  })

  it('day of week 0 and 7 are both Sunday', () => {
    const sundays = at('2024-01-07T00:00', '2024-01-14T00:00')
    expect(runs('0 0 * * 0', JAN1, 2)).toEqual(sundays)
    expect(runs('0 0 * * 7', JAN1, 2)).toEqual(sundays)
    expect(runs('0 0 * * SUN', JAN1, 2)).toEqual(sundays)
    expect(runs('0 0 * * 5-7', JAN1, 4)).toEqual(
      at('2024-01-05T00:00', '2024-01-06T00:00', '2024-01-07T00:00', '2024-01-12T00:00'),
    )
  })

  it('a/n in day of week runs up to 7 (Sunday)', () => {
    // 1/2 = 1,3,5,7: Mon, Wed, Fri, Sun
    expect(runs('0 0 * * 1/2', '2024-01-01T00:00:01Z', 5)).toEqual(
      at('2024-01-03T00:00', '2024-01-05T00:00', '2024-01-07T00:00', '2024-01-08T00:00', '2024-01-10T00:00'),
    )
    expect(runs('0 0 * * 6/1', JAN1, 3)).toEqual(
      at('2024-01-06T00:00', '2024-01-07T00:00', '2024-01-13T00:00'),
    )
  })

  it('? is * in day of month and day of week', () => {
    expect(runs('0 0 ? * MON', JAN1, 2)).toEqual(at('2024-01-08T00:00', '2024-01-15T00:00'))
    expect(runs('0 0 1 * ?', JAN1, 2)).toEqual(at('2024-02-01T00:00', '2024-03-01T00:00'))
  })
})

describe('day of month OR day of week', () => {
  it('both restricted: a day matches when either matches', () => {
    // the 13th or a Friday
    expect(runs('0 0 13 * FRI', JAN1, 4)).toEqual(
      at('2024-01-05T00:00', '2024-01-12T00:00', '2024-01-13T00:00', '2024-01-19T00:00'),
    )
  })

  it('*/2 restricts, so it ORs too (unlike Vixie cron)', () => {
    // odd days or Mondays
    expect(runs('0 0 */2 * MON', JAN1, 5)).toEqual(
      at('2024-01-03T00:00', '2024-01-05T00:00', '2024-01-07T00:00', '2024-01-08T00:00', '2024-01-09T00:00'),
    )
    expect(runs('0 0 1 * */7', JAN1, 3)).toEqual(
      at('2024-01-07T00:00', '2024-01-14T00:00', '2024-01-21T00:00'),
    )
  })

  it('only one restricted: that one alone decides', () => {
    expect(runs('0 0 * * 1', JAN1, 2)).toEqual(at('2024-01-08T00:00', '2024-01-15T00:00'))
    expect(runs('0 0 15 * *', JAN1, 2)).toEqual(at('2024-01-15T00:00', '2024-02-15T00:00'))
    expect(runs('0 0 15 * ?', JAN1, 2)).toEqual(at('2024-01-15T00:00', '2024-02-15T00:00'))
  })

  it('extensions OR with day of week', () => {
    // the last day or a Monday
    expect(runs('0 0 L * MON', '2024-01-25T00:00:00Z', 3)).toEqual(
      at('2024-01-29T00:00', '2024-01-31T00:00', '2024-02-05T00:00'),
    )
    // last weekday of the month or a Sunday
    expect(runs('0 0 LW * SUN', '2024-01-20T00:00:00Z', 3)).toEqual(
      at('2024-01-21T00:00', '2024-01-28T00:00', '2024-01-31T00:00'),
    )
    // 2 days before the last day, or the 10th, or the second Tuesday
    expect(runs('0 0 L-2,10 * TUE#2', JAN1, 5)).toEqual(
      at('2024-01-09T00:00', '2024-01-10T00:00', '2024-01-29T00:00', '2024-02-10T00:00', '2024-02-13T00:00'),
    )
  })
})

describe('day-of-month extensions', () => {
  it('L is the last day of the month (February of a leap year included)', () => {
    expect(runs('0 0 L * *', JAN1, 4)).toEqual(
      at('2024-01-31T00:00', '2024-02-29T00:00', '2024-03-31T00:00', '2024-04-30T00:00'),
    )
    expect(runs('0 0 L 2 *', '2025-01-01T00:00:00Z', 1)).toEqual(at('2025-02-28T00:00'))
  })

  it('L-n is n days before the last day; L-0 is L', () => {
    expect(runs('0 0 L-0 * *', JAN1, 2)).toEqual(at('2024-01-31T00:00', '2024-02-29T00:00'))
    expect(runs('0 0 L-3 * *', JAN1, 4)).toEqual(
      at('2024-01-28T00:00', '2024-02-26T00:00', '2024-03-28T00:00', '2024-04-27T00:00'),
    )
    expect(runs('0 0 L-3 2 *', '2024-03-01T00:00:00Z', 2)).toEqual(at('2025-02-25T00:00', '2026-02-25T00:00'))
    expect(runs('0 0 l-1 * *', JAN1, 1)).toEqual(at('2024-01-30T00:00'))
  })

  it('L-n before the 1st does not match that month', () => {
    // the 1st of 31-day months only
    expect(runs('0 0 L-30 * *', JAN1, 4)).toEqual(
      at('2024-03-01T00:00', '2024-05-01T00:00', '2024-07-01T00:00', '2024-08-01T00:00'),
    )
    // February: only in leap years (the 1st)
    expect(runs('0 0 L-28 2 *', JAN1, 2)).toEqual(at('2024-02-01T00:00', '2028-02-01T00:00'))
    // leap and common Februaries across a century (2100 is not a leap year)
    expect(runs('0 0 L-1 2 *', '2099-03-01T00:00:00Z', 2)).toEqual(at('2100-02-27T00:00', '2101-02-27T00:00'))
  })

  it('nW is the weekday nearest to day n, never crossing into another month', () => {
    // 2024-06-15 is a Saturday → Friday the 14th; 2024-09-15 is a Sunday → Monday the 16th
    expect(runs('0 0 15W 6,9 *', JAN1, 2)).toEqual(at('2024-06-14T00:00', '2024-09-16T00:00'))
    // 2024-06-01 is a Saturday: 1W is Monday the 3rd, not Friday in May
    expect(runs('0 0 1W 6 *', JAN1, 1)).toEqual(at('2024-06-03T00:00'))
    // 2024-03-31 is a Sunday: 31W is Friday the 29th, not Monday in April
    expect(runs('0 0 31W 3 *', JAN1, 1)).toEqual(at('2024-03-29T00:00'))
    // a weekday n is itself
    expect(runs('0 0 10w 1 *', JAN1, 1)).toEqual(at('2024-01-10T00:00'))
  })

  it('nW past the last day of the month does not match that month', () => {
    expect(runs('0 0 31W * *', JAN1, 4)).toEqual(
      at('2024-01-31T00:00', '2024-03-29T00:00', '2024-05-31T00:00', '2024-07-31T00:00'),
    )
  })

  it('LW is the last weekday of the month', () => {
    // Mar 31 2024 Sunday → 29th; Jun 30 Sunday → 28th; Aug 31 Saturday → 30th
    expect(runs('0 0 LW 3,6,8 *', JAN1, 3)).toEqual(
      at('2024-03-29T00:00', '2024-06-28T00:00', '2024-08-30T00:00'),
    )
  })

  it('extensions are list elements', () => {
    expect(runs('0 0 1,15,L * *', JAN1, 5)).toEqual(
      at('2024-01-15T00:00', '2024-01-31T00:00', '2024-02-01T00:00', '2024-02-15T00:00', '2024-02-29T00:00'),
    )
    expect(runs('0 0 LW,1W,L-1 3 *', JAN1, 3)).toEqual(
      at('2024-03-01T00:00', '2024-03-29T00:00', '2024-03-30T00:00'),
    )
    expect(runs('0 0 L,L-0 4 *', JAN1, 1)).toEqual(at('2024-04-30T00:00'))
  })
})

describe('day-of-week extensions', () => {
  it('nL is the last weekday n of the month; names work (FRIL)', () => {
    const lastFridays = at('2024-01-26T00:00', '2024-02-23T00:00', '2024-03-29T00:00')
    expect(runs('0 0 * * 5L', JAN1, 3)).toEqual(lastFridays)
    expect(runs('0 0 * * FRIL', JAN1, 3)).toEqual(lastFridays)
    expect(runs('0 0 * * fril', JAN1, 3)).toEqual(lastFridays)
    // last Sunday, written 7L
    expect(runs('0 0 * * 7L', JAN1, 1)).toEqual(at('2024-01-28T00:00'))
  })

  it('n#k is the k-th weekday n of the month; names work (FRI#2)', () => {
    const secondFridays = at('2024-01-12T00:00', '2024-02-09T00:00', '2024-03-08T00:00')
    expect(runs('0 0 * * 5#2', JAN1, 3)).toEqual(secondFridays)
    expect(runs('0 0 * * FRI#2', JAN1, 3)).toEqual(secondFridays)
    expect(runs('0 0 * * MON#1,5L', JAN1, 3)).toEqual(
      at('2024-01-26T00:00', '2024-02-05T00:00', '2024-02-23T00:00'),
    )
  })

  it('a month without a 5th one does not match', () => {
    // Fridays: Jan 2024 has 4, March/May/August have 5
    expect(runs('0 0 * * 5#5', JAN1, 3)).toEqual(
      at('2024-03-29T00:00', '2024-05-31T00:00', '2024-08-30T00:00'),
    )
  })
})

describe('nicknames', () => {
  it.each([
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ])('%s = %s, in any letter case', (nick, expansion) => {
    const expected = runs(expansion, '2024-01-01T00:30:00Z', 3)
    expect(runs(nick, '2024-01-01T00:30:00Z', 3)).toEqual(expected)
    expect(runs(nick.toUpperCase(), '2024-01-01T00:30:00Z', 3)).toEqual(expected)
    expect(runs(` ${nick[0]}${nick[1]!.toUpperCase()}${nick.slice(2)} `, '2024-01-01T00:30:00Z', 3)).toEqual(
      expected,
    )
    expect(parse(nick).fields).toMatchObject({
      minute: expansion.split(' ')[0],
      dayOfWeek: expansion.split(' ')[4],
    })
  })

  it('expand to the right instants', () => {
    expect(runs('@yearly', JAN1, 1)).toEqual(at('2025-01-01T00:00'))
    expect(runs('@weekly', JAN1, 1)).toEqual(at('2024-01-07T00:00'))
    expect(runs('@hourly', JAN1, 1)).toEqual(at('2024-01-01T01:00'))
  })
})

describe('blanks', () => {
  it('any run of spaces and tabs separates fields, and surrounding blanks are ignored', () => {
    const expected = runs('0 9 * * 1-5', JAN1, 3)
    expect(runs('  0\t\t9   *  *\t 1-5  ', JAN1, 3)).toEqual(expected)
    expect(parse('0  9\t* * 1-5').fields).toEqual({
      second: '0',
      minute: '0',
      hour: '9',
      dayOfMonth: '*',
      month: '*',
      dayOfWeek: '1-5',
    })
  })
})

describe('nextRuns', () => {
  it('returns instants strictly after from, ascending, count of them', () => {
    expect(runs('0 * * * *', '2024-01-01T05:00:00Z', 3)).toEqual(
      at('2024-01-01T06:00', '2024-01-01T07:00', '2024-01-01T08:00'),
    )
    expect(runs('0 * * * *', '2024-01-01T04:59:59.999Z', 1)).toEqual(at('2024-01-01T05:00'))
    expect(runs('0 * * * * *', '2024-01-01T05:00:00.001Z', 1)).toEqual(at('2024-01-01T05:01'))
  })

  it('count defaults to 1; 0 gives none; a bad count throws', () => {
    expect(nextRuns('0 0 * * *', { from: new Date(JAN1) })).toHaveLength(1)
    expect(nextRuns('0 0 * * *', { from: new Date(JAN1), count: 0 })).toEqual([])
    expect(() => nextRuns('0 0 * * *', { count: -1 })).toThrow(RangeError)
    expect(() => nextRuns('0 0 * * *', { count: 1.5 })).toThrow(RangeError)
    expect(() => nextRuns('0 0 * * *', { from: new Date(Number.NaN) })).toThrow(RangeError)
  })

  it('from defaults to now and the zone to UTC', () => {
    const before = Date.now()
    const [next] = nextRuns('* * * * * *')
    expect(next!.getTime()).toBeGreaterThan(before)
    expect(next!.getTime()).toBeLessThanOrEqual(Date.now() + 1000)
    expect(nextRuns('0 12 * * *', { from: new Date(JAN1) })).toEqual([new Date('2024-01-01T12:00:00Z')])
  })

  it('accepts a ParsedCron, also a copy of one', () => {
    const parsed = parse('0 0 L-1 * *')
    expect(nextRuns(parsed, { from: new Date(JAN1) })).toEqual([new Date('2024-01-30T00:00:00Z')])
    const copy = structuredClone(parsed)
    expect(nextRuns(copy, { from: new Date(JAN1), count: 2 })).toEqual([
      new Date('2024-01-30T00:00:00Z'),
      new Date('2024-02-28T00:00:00Z'),
    ])
  })

  it('stops when the schedule never fires again', () => {
    expect(runs('0 0 30 2 *', JAN1, 3)).toEqual([])
    expect(runs('0 0 L-29 2 *', JAN1, 3)).toEqual([])
    // the 29th of February every 4 years, skipping 2100
    expect(runs('0 0 29 2 *', '2095-01-01T00:00:00Z', 3)).toEqual(
      at('2096-02-29T00:00', '2104-02-29T00:00', '2108-02-29T00:00'),
    )
  })
})

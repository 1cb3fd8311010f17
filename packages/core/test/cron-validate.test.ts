import { describe, expect, it } from 'vitest'
import {
  CronExpressionError,
  type CronIssue,
  isValidTimezone,
  nextRuns,
  parse,
  TimezoneError,
  validate,
} from '../src/cron/index.ts'

const NOW = new Date('2026-01-01T00:00:00Z')

function issueOf(expression: string, timezone?: string): CronIssue & { code: string; message: string } {
  const result = validate(expression, { now: NOW, ...(timezone ? { timezone } : {}) })
  if (result.ok) throw new Error(`${expression} is valid`)
  if (!(result.error instanceof CronExpressionError)) throw result.error
  return { ...result.error.issue, code: result.error.code, message: result.error.message }
}

describe('invalid expressions name the field, the value and the reason', () => {
  it.each<[string, CronIssue]>([
    ['', { field: 'expression', value: '', reason: 'empty expression' }],
    ['  \t ', { field: 'expression', value: '  \t ', reason: 'empty expression' }],
    ['* * * *', { field: 'expression', value: '* * * *', reason: 'expected 5 or 6 fields, got 4' }],
    ['*', { field: 'expression', value: '*', reason: 'expected 5 or 6 fields, got 1' }],
    [
      '0 0 0 1 1 * 2030',
      { field: 'expression', value: '0 0 0 1 1 * 2030', reason: 'a year field (7 fields) is not supported' },
    ],
    [
      '0 0 0 1 1 * 2030 x',
      { field: 'expression', value: '0 0 0 1 1 * 2030 x', reason: 'expected 5 or 6 fields, got 8' },
    ],
    ['@reboot', { field: 'expression', value: '@reboot', reason: 'unknown nickname' }],
    ['@every 5m', { field: 'expression', value: '@every 5m', reason: 'unknown nickname' }],
    // out of range, per field
    ['60 0 0 * * *', { field: 'second', value: '60', reason: 'out of range 0-59' }],
    ['60 * * * *', { field: 'minute', value: '60', reason: 'out of range 0-59' }],
    ['0 24 * * *', { field: 'hour', value: '24', reason: 'out of range 0-23' }],
    ['0 0 0 * *', { field: 'dayOfMonth', value: '0', reason: 'out of range 1-31' }],
    ['0 0 32 * *', { field: 'dayOfMonth', value: '32', reason: 'out of range 1-31' }],
    ['0 0 1,32 * *', { field: 'dayOfMonth', value: '32', reason: 'out of range 1-31' }],
    ['0 0 1 13 *', { field: 'month', value: '13', reason: 'out of range 1-12' }],
    ['0 0 1 0 *', { field: 'month', value: '0', reason: 'out of range 1-12' }],
    ['0 0 * * 8', { field: 'dayOfWeek', value: '8', reason: 'out of range 0-7' }],
    ['0 0 * * 1-8', { field: 'dayOfWeek', value: '8', reason: 'out of range 0-7' }],
    ['0 0 1 1 * 2030', { field: 'dayOfWeek', value: '2030', reason: 'out of range 0-7' }],
    ['0 0 32W * *', { field: 'dayOfMonth', value: '32', reason: 'out of range 1-31' }],
    ['0 0 0W * *', { field: 'dayOfMonth', value: '0', reason: 'out of range 1-31' }],
    ['0 0 L-31 * *', { field: 'dayOfMonth', value: 'L-31', reason: 'offset out of range 0-30' }],
    ['0 0 * * 8#1', { field: 'dayOfWeek', value: '8', reason: 'out of range 0-7' }],
    ['0 0 * * 9L', { field: 'dayOfWeek', value: '9', reason: 'out of range 0-7' }],
    ['0 0 * * 5#6', { field: 'dayOfWeek', value: '5#6', reason: 'occurrence out of range 1-5' }],
    ['0 0 * * 5#0', { field: 'dayOfWeek', value: '5#0', reason: 'occurrence out of range 1-5' }],
    ['0 0 * * 5#', { field: 'dayOfWeek', value: '5#', reason: 'occurrence must be a whole number' }],
    // reversed ranges
    ['5-1 * * * *', { field: 'minute', value: '5-1', reason: 'reversed range' }],
    ['0 0 * * FRI-MON', { field: 'dayOfWeek', value: 'FRI-MON', reason: 'reversed range' }],
    ['0 0 1 DEC-JAN *', { field: 'month', value: 'DEC-JAN', reason: 'reversed range' }],
    ['0 20-10/2 * * *', { field: 'hour', value: '20-10/2', reason: 'reversed range' }],
    // steps
    ['*/0 * * * *', { field: 'minute', value: '*/0', reason: 'step must be at least 1' }],
    ['0 0 1-10/0 * *', { field: 'dayOfMonth', value: '1-10/0', reason: 'step must be at least 1' }],
    ['5/0 * * * *', { field: 'minute', value: '5/0', reason: 'step must be at least 1' }],
    ['*/x * * * *', { field: 'minute', value: '*/x', reason: 'step must be a whole number' }],
    ['*/ * * * *', { field: 'minute', value: '*/', reason: 'step must be a whole number' }],
    ['*/2/2 * * * *', { field: 'minute', value: '*/2/2', reason: 'step must be a whole number' }],
    ['/5 * * * *', { field: 'minute', value: '', reason: 'not a number' }],
    // ? outside the day fields, or not the whole field
    [
      '? * * * *',
      {
        field: 'minute',
        value: '?',
        reason: "'?' is only allowed as the whole day-of-month or day-of-week field",
      },
    ],
    [
      '0 ? * * *',
      {
        field: 'hour',
        value: '?',
        reason: "'?' is only allowed as the whole day-of-month or day-of-week field",
      },
    ],
    [
      '0 0 * ? *',
      {
        field: 'month',
        value: '?',
        reason: "'?' is only allowed as the whole day-of-month or day-of-week field",
      },
    ],
    [
      '? 0 0 * * *',
      {
        field: 'second',
        value: '?',
        reason: "'?' is only allowed as the whole day-of-month or day-of-week field",
      },
    ],
    [
      '0 0 1,? * *',
      {
        field: 'dayOfMonth',
        value: '1,?',
        reason: "'?' is only allowed as the whole day-of-month or day-of-week field",
      },
    ],
    [
      '0 0 * * ?/2',
      {
        field: 'dayOfWeek',
        value: '?/2',
        reason: "'?' is only allowed as the whole day-of-month or day-of-week field",
      },
    ],
    // L alone in day of week, and misplaced extensions
    [
      '0 0 * * L',
      {
        field: 'dayOfWeek',
        value: 'L',
        reason: "'L' alone is not allowed in day-of-week (nL is the last weekday n)",
      },
    ],
    [
      '0 0 * * l',
      {
        field: 'dayOfWeek',
        value: 'l',
        reason: "'L' alone is not allowed in day-of-week (nL is the last weekday n)",
      },
    ],
    ['0 0 5L * *', { field: 'dayOfMonth', value: '5L', reason: 'not one of L, L-n, nW, LW' }],
    ['0 0 W * *', { field: 'dayOfMonth', value: 'W', reason: 'not one of L, L-n, nW, LW' }],
    ['0 0 1-5W * *', { field: 'dayOfMonth', value: '1-5W', reason: 'not one of L, L-n, nW, LW' }],
    ['0 L * * *', { field: 'hour', value: 'L', reason: 'not a number' }],
    ['0 0 1 * 1W', { field: 'dayOfWeek', value: '1W', reason: 'not a number or name' }],
    ['0 0 1 * 1-5L', { field: 'dayOfWeek', value: '5L', reason: 'not a number or name' }],
    ['0 0 1 3#1 *', { field: 'month', value: '3#1', reason: 'not a number or name' }],
    // other syntax
    ['abc * * * *', { field: 'minute', value: 'abc', reason: 'not a number' }],
    ['0 0 1 FOO *', { field: 'month', value: 'FOO', reason: 'not a number or name' }],
    ['0 0 * * MONDAY', { field: 'dayOfWeek', value: 'MONDAY', reason: 'not a number or name' }],
    ['1,,2 * * * *', { field: 'minute', value: '1,,2', reason: 'empty list element' }],
    ['1, * * * *', { field: 'minute', value: '1,', reason: 'empty list element' }],
    ['-1 * * * *', { field: 'minute', value: '-1', reason: 'not a number' }],
    ['1-2-3 * * * *', { field: 'minute', value: '2-3', reason: 'not a number' }],
  ])('%j', (expression, issue) => {
    const found = issueOf(expression)
    expect(found).toMatchObject(issue)
    expect(found.code).toBe('SCHED_ERR_CRON_INVALID')
    expect(found.message).toBe(`${issue.field} '${issue.value}': ${issue.reason}`)
  })

  it('parse and nextRuns throw the same error', () => {
    expect(() => parse('0 0 32 * *')).toThrow(CronExpressionError)
    expect(() => nextRuns('0 0 32 * *', {})).toThrow("dayOfMonth '32': out of range 1-31")
    expect(() => parse(undefined as unknown as string)).toThrow("expression 'undefined': not a string")
  })
})

describe('never fires within 10 years', () => {
  it.each([
    ['0 0 30 2 *', 'UTC'],
    ['0 0 31 4,6,9,11 *', 'UTC'],
    ['0 0 30,31 2 *', 'UTC'],
    ['0 0 30W 2 *', 'UTC'],
    ['0 0 L-29 2 *', 'UTC'],
    ['0 0 L-30 2,4,6,9,11 *', 'UTC'],
    // 02:xx on the second Sunday of March does not exist in New York; a wildcard schedule skips it
    ['* 2 * 3 0#2', 'America/New_York'],
  ])('%s in %s', (expression, timezone) => {
    const found = issueOf(expression, timezone)
    expect(found).toMatchObject({
      field: 'expression',
      value: expression,
      reason: 'never fires within 10 years',
    })
    expect(found.code).toBe('SCHED_ERR_CRON_NEVER_FIRES')
  })

  it('the same schedules are fine where they fire', () => {
    expect(validate('* 2 * 3 0#2', { now: NOW }).ok).toBe(true)
    // fixed time: fires after the gap
    expect(validate('0 2 * 3 0#2', { timezone: 'America/New_York', now: NOW }).ok).toBe(true)
    expect(validate('0 0 29 2 *', { now: NOW }).ok).toBe(true)
  })

  it('the 10 years count from now', () => {
    // a 5th Friday in February: 2036-02-29, then 2064
    expect(validate('0 0 * 2 5#5', { now: NOW }).ok).toBe(false)
    expect(validate('0 0 * 2 5#5', { now: new Date('2026-03-01T00:00:00Z') }).ok).toBe(true)
    expect(nextRuns('0 0 * 2 5#5', { from: NOW, count: 2 })).toEqual([
      new Date('2036-02-29T00:00:00Z'),
      new Date('2064-02-29T00:00:00Z'),
    ])
    const later = validate('0 0 * 2 5#5', { now: new Date('2037-01-01T00:00:00Z') })
    expect(later.ok).toBe(false)
    expect(validate('0 0 * 2 5#5', { now: new Date('2054-03-01T00:00:00Z') }).ok).toBe(true)
  })

  it('now defaults to the current time', () => {
    expect(validate('0 0 * * *').ok).toBe(true)
  })
})

describe('time zones', () => {
  it('any IANA name Intl accepts, aliases included; default UTC', () => {
    for (const tz of [
      'UTC',
      'America/New_York',
      'US/Eastern',
      'Europe/London',
      'Asia/Kolkata',
      'Etc/GMT+5',
    ]) {
      expect(isValidTimezone(tz)).toBe(true)
      expect(validate('0 9 * * 1-5', { timezone: tz, now: NOW }).ok).toBe(true)
    }
    const ok = validate('0 9 * * 1-5', { now: NOW })
    expect(ok.ok && ok.cron.expression).toBe('0 9 * * 1-5')
  })

  it('an empty or unknown name is a TimezoneError', () => {
    for (const tz of ['', 'Mars/Olympus', 'America/Nowhere', 'EST5EDT6']) {
      expect(isValidTimezone(tz)).toBe(false)
      const result = validate('0 9 * * 1-5', { timezone: tz, now: NOW })
      expect(result.ok).toBe(false)
      if (result.ok) continue
      expect(result.error).toBeInstanceOf(TimezoneError)
      expect(result.error.code).toBe('SCHED_ERR_TIMEZONE_INVALID')
      expect((result.error as TimezoneError).timezone).toBe(tz)
      expect(result.error.message).toBe(`'${tz}' is not a known IANA time zone`)
    }
    expect(isValidTimezone(undefined as unknown as string)).toBe(false)
    expect(() => nextRuns('0 0 * * *', { timezone: '' })).toThrow(TimezoneError)
  })

  it('the expression is checked before the zone', () => {
    const result = validate('0 0 32 * *', { timezone: 'Mars/Olympus', now: NOW })
    expect(!result.ok && result.error).toBeInstanceOf(CronExpressionError)
  })
})

describe('parse', () => {
  it('gives the fields, the form, the DST class and the croner patterns', () => {
    expect(parse('*/5 9-17 * * MON-FRI')).toEqual({
      expression: '*/5 9-17 * * MON-FRI',
      fields: { second: '0', minute: '*/5', hour: '9-17', dayOfMonth: '*', month: '*', dayOfWeek: 'MON-FRI' },
      hasSeconds: false,
      wildcard: true,
      cronerPatterns: ['0 0-59/5 9-17 * * 1-5'],
    })
    expect(parse('30 0 2 * * *')).toMatchObject({
      hasSeconds: true,
      wildcard: false,
      cronerPatterns: ['30 0 2 * * *'],
    })
  })

  it('rewrites what croner rejects: a/n, big steps, ? and names', () => {
    expect(parse('5/15 */90 ? JAN-MAR 1/2').cronerPatterns).toEqual(['0 5-59/15 0 * 1-3 1-7/2'])
    expect(parse('0 0 ? * *').cronerPatterns).toEqual(['0 0 0 * * *'])
  })

  it('splits L-n and LW into patterns of their own', () => {
    const { cronerPatterns } = parse('0 0 L-1,LW,15 * MON')
    expect(cronerPatterns.slice(0, 4)).toEqual([
      '0 0 0 15 * 1',
      '0 0 0 LW * *',
      '0 0 0 30 1,3,5,7,8,10,12 *',
      '0 0 0 29 4,6,9,11 *',
    ])
    expect(cronerPatterns).toHaveLength(6)
    expect(cronerPatterns[4]).toMatch(/^0 0 0 28 2 \* 4-96\/4,/)
    expect(cronerPatterns[5]).toMatch(/^0 0 0 27 2 \* 1-97\/4,2-98\/4,3-99\/4,/)
    expect(parse('0 0 LW * *').cronerPatterns).toEqual(['0 0 0 LW * *'])
    expect(parse('0 0 LW 2 SUN').cronerPatterns).toEqual(['0 0 0 * 2 0', '0 0 0 LW 2 *'])
  })

  it('caches: the same expression gives the same object', () => {
    expect(parse('0 12 * * *')).toBe(parse('0 12 * * *'))
    // more expressions than the cache holds still parse
    for (let i = 0; i < 1100; i++)
      expect(parse(`${i % 60} ${Math.floor(i / 60)} * * *`).fields.minute).toBe(`${i % 60}`)
  })
})

import { CronExpressionError, type CronField } from './errors.ts'
import { LruCache } from './lru.ts'

/**
 * The contract grammar (cron-semantics.md) checked field by field, then rewritten into croner patterns.
 *
 * croner does the parsing into bitmaps and all calendar arithmetic. This layer exists because croner
 * disagrees with the contract on the edges: it rejects `a/n`, steps larger than the field, `L-n` and `LW`
 * in a list, and accepts `?` in any field and 7 fields. It also gives the issue (field, value, reason)
 * an API can show. What croner cannot express in one pattern (`L-n`, `LW` in a list) becomes a union of
 * croner patterns, so croner still decides every day.
 */

export type TimeField = Exclude<CronField, 'expression'>

export interface ParsedCron {
  /** The expression as given. */
  readonly expression: string
  /** Each field as written (a nickname expanded; `second` is '0' for the 5-field form). */
  readonly fields: Readonly<Record<TimeField, string>>
  /** The 6-field form (a second field was given). */
  readonly hasSeconds: boolean
  /** WILDCARD for daylight-saving handling: the second (6-field only), minute or hour field begins with `*`. */
  readonly wildcard: boolean
  /** croner patterns whose union of matches is the schedule (wall clock); empty when no day can ever match. */
  readonly cronerPatterns: readonly string[]
}

interface FieldSpec {
  readonly min: number
  readonly max: number
  readonly names?: Readonly<Record<string, number>>
}

const MONTH_NAMES: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
}
const DAY_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }

const SPECS: Record<TimeField, FieldSpec> = {
  second: { min: 0, max: 59 },
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  dayOfMonth: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTH_NAMES },
  dayOfWeek: { min: 0, max: 7, names: DAY_NAMES },
}

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
}

const FIELDS_5: readonly TimeField[] = ['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek']
const FIELDS_6: readonly TimeField[] = ['second', ...FIELDS_5]
const QUESTION_MARK = "'?' is only allowed as the whole day-of-month or day-of-week field"
const DIGITS = /^\d+$/

function fail(field: CronField, value: string, reason: string): never {
  throw new CronExpressionError({ field, value, reason })
}

/** A number or (month, day of week) a name. `rangeEnd`: SUN closing a range is 7, so SAT-SUN works. */
function value(field: TimeField, token: string, rangeEnd = false): number {
  const spec = SPECS[field]
  if (DIGITS.test(token)) {
    const n = Number.parseInt(token, 10)
    if (n < spec.min || n > spec.max) fail(field, token, `out of range ${spec.min}-${spec.max}`)
    return n
  }
  const named = spec.names?.[token.toLowerCase()]
  if (named === undefined) fail(field, token, spec.names ? 'not a number or name' : 'not a number')
  return rangeEnd && field === 'dayOfWeek' && named === 0 ? 7 : named
}

/**
 * `*`, `*\/n`, `a`, `a-b`, `a-b/n`, `a/n` as a croner list element. Steps are written out as `lo-hi/n`
 * (croner accepts no `a/n`, and no step beyond the field's size; a step past the span keeps `lo` only).
 * `mask` collects the values, for the month field.
 */
function plainElement(field: TimeField, el: string, mask?: boolean[]): string {
  const spec = SPECS[field]
  const slash = el.indexOf('/')
  const base = slash < 0 ? el : el.slice(0, slash)
  let step = 0
  if (slash >= 0) {
    const stepText = el.slice(slash + 1)
    if (!DIGITS.test(stepText)) fail(field, el, 'step must be a whole number')
    step = Number.parseInt(stepText, 10)
    if (step === 0) fail(field, el, 'step must be at least 1')
  }
  let lo: number
  let hi: number
  if (base === '*') {
    lo = spec.min
    hi = spec.max
    if (step === 0) {
      mask?.fill(true)
      return '*'
    }
  } else {
    const dash = base.indexOf('-')
    if (dash > 0) {
      lo = value(field, base.slice(0, dash))
      hi = value(field, base.slice(dash + 1), true)
      if (lo > hi) fail(field, el, 'reversed range')
    } else {
      lo = value(field, base)
      hi = step === 0 ? lo : spec.max
    }
  }
  const by = step === 0 ? 1 : step
  if (mask) for (let v = lo; v <= hi; v += by) mask[v] = true
  if (step === 0) return lo === hi ? `${lo}` : `${lo}-${hi}`
  return step > hi - lo ? `${lo}` : `${lo}-${hi}/${step}`
}

interface DayOfMonth {
  /** croner's day-of-month field for the plain part ('' when only LW / L-n were given). */
  base: string
  lastWeekday: boolean
  /** n of each `L-n` with n >= 1 (`L-0` is `L`, in `base`). */
  lastOffsets: number[]
}

function dayOfMonthElement(el: string, dom: DayOfMonth): string | undefined {
  const up = el.toUpperCase()
  if (up === 'L') return 'L'
  if (up === 'LW') {
    dom.lastWeekday = true
    return undefined
  }
  const last = /^L-(\d+)$/.exec(up)
  if (last) {
    const n = Number.parseInt(last[1]!, 10)
    if (n > 30) fail('dayOfMonth', el, 'offset out of range 0-30')
    if (n === 0) return 'L'
    dom.lastOffsets.push(n)
    return undefined
  }
  const nearest = /^(\d+)W$/.exec(up)
  if (nearest) return `${value('dayOfMonth', nearest[1]!)}W`
  if (/[LW]/.test(up)) fail('dayOfMonth', el, 'not one of L, L-n, nW, LW')
  return plainElement('dayOfMonth', el)
}

function dayOfWeekElement(el: string): string {
  if (el.toUpperCase() === 'L')
    fail('dayOfWeek', el, "'L' alone is not allowed in day-of-week (nL is the last weekday n)")
  const hash = el.indexOf('#')
  if (hash >= 0) {
    const day = value('dayOfWeek', el.slice(0, hash))
    const k = el.slice(hash + 1)
    if (!DIGITS.test(k)) fail('dayOfWeek', el, 'occurrence must be a whole number')
    const nth = Number.parseInt(k, 10)
    if (nth < 1 || nth > 5) fail('dayOfWeek', el, 'occurrence out of range 1-5')
    return `${day}#${nth}`
  }
  if (/^[^-/*]+L$/i.test(el)) return `${value('dayOfWeek', el.slice(0, -1))}L`
  return plainElement('dayOfWeek', el)
}

function listOf(field: TimeField, text: string): string[] {
  const elements = text.split(',')
  if (elements.includes('')) fail(field, text, 'empty list element')
  return elements
}

/** A field is unrestricted only when it is exactly `*` or `?` (`?` only in the day fields). */
function unrestricted(field: TimeField, text: string): boolean {
  if (text.includes('?')) {
    if (text === '?' && (field === 'dayOfMonth' || field === 'dayOfWeek')) return true
    fail(field, text, QUESTION_MARK)
  }
  return text === '*'
}

function timeField(field: TimeField, text: string): string {
  if (unrestricted(field, text)) return '*'
  return listOf(field, text)
    .map((el) => plainElement(field, el))
    .join(',')
}

const LONG_MONTHS = [1, 3, 5, 7, 8, 10, 12]
const SHORT_MONTHS = [4, 6, 9, 11]

/** croner year lists (1-9999) for leap and common years: `L-n` in February depends on the year. */
function yearLists(): { leap: string; common: string } {
  const leap: string[] = []
  const common: string[] = []
  for (let c = 0; c < 100; c++) {
    const y = c * 100
    leap.push(`${y + 4}-${y + 96}/4`)
    common.push(`${y + 1}-${y + 97}/4`, `${y + 2}-${y + 98}/4`, `${y + 3}-${y + 99}/4`)
    if (c > 0) (c % 4 === 0 ? leap : common).push(`${y}`)
  }
  return { leap: leap.join(','), common: common.join(',') }
}
let years: { leap: string; common: string } | undefined

/** `L-n` as croner patterns: one per month length (and February per leap/common year). */
function lastOffsetPatterns(time: string, offsets: number[], months: boolean[]): string[] {
  const out: string[] = []
  const group = (monthList: number[], length: number, yearField?: string) => {
    const ms = monthList.filter((m) => months[m])
    const days = [...new Set(offsets.filter((n) => n < length).map((n) => length - n))].sort((a, b) => a - b)
    if (ms.length === 0 || days.length === 0) return
    out.push(`${time} ${days.join(',')} ${ms.join(',')} *${yearField ? ` ${yearField}` : ''}`)
  }
  group(LONG_MONTHS, 31)
  group(SHORT_MONTHS, 30)
  if (months[2]) {
    years ??= yearLists()
    group([2], 29, years.leap)
    group([2], 28, years.common)
  }
  return out
}

/** parse without the cache (for callers that cache the result themselves). */
export function parseExpression(expression: string): ParsedCron {
  if (typeof expression !== 'string') fail('expression', String(expression), 'not a string')
  let text = expression.trim()
  if (text === '') fail('expression', expression, 'empty expression')
  if (text.startsWith('@')) {
    const expanded = NICKNAMES[text.toLowerCase()]
    if (!expanded) fail('expression', text, 'unknown nickname')
    text = expanded
  }
  const parts = text.split(/[ \t]+/)
  if (parts.length === 7) fail('expression', expression, 'a year field (7 fields) is not supported')
  if (parts.length < 5 || parts.length > 7)
    fail('expression', expression, `expected 5 or 6 fields, got ${parts.length}`)
  const hasSeconds = parts.length === 6
  const names = hasSeconds ? FIELDS_6 : FIELDS_5
  const f = { second: '0' } as Record<TimeField, string>
  names.forEach((name, i) => {
    f[name] = parts[i]!
  })

  const time = `${timeField('second', f.second)} ${timeField('minute', f.minute)} ${timeField('hour', f.hour)}`

  const monthAll = unrestricted('month', f.month)
  const months = new Array<boolean>(13).fill(monthAll)
  const month = monthAll
    ? '*'
    : listOf('month', f.month)
        .map((el) => plainElement('month', el, months))
        .join(',')

  const dowRestricted = !unrestricted('dayOfWeek', f.dayOfWeek)
  const dow = dowRestricted ? listOf('dayOfWeek', f.dayOfWeek).map(dayOfWeekElement).join(',') : '*'

  const patterns: string[] = []
  if (unrestricted('dayOfMonth', f.dayOfMonth)) {
    patterns.push(`${time} * ${month} ${dow}`)
  } else {
    const dom: DayOfMonth = { base: '', lastWeekday: false, lastOffsets: [] }
    dom.base = listOf('dayOfMonth', f.dayOfMonth)
      .map((el) => dayOfMonthElement(el, dom))
      .filter((el) => el !== undefined)
      .join(',')
    // POSIX OR: the plain day-of-month part shares a pattern with day-of-week (croner ORs them);
    // LW and L-n are patterns of their own, and the union is the OR.
    if (dom.base !== '') patterns.push(`${time} ${dom.base} ${month} ${dow}`)
    else if (dowRestricted) patterns.push(`${time} * ${month} ${dow}`)
    if (dom.lastWeekday) patterns.push(`${time} LW ${month} *`)
    if (dom.lastOffsets.length > 0) patterns.push(...lastOffsetPatterns(time, dom.lastOffsets, months))
  }

  const wildcard =
    (hasSeconds && f.second.startsWith('*')) || f.minute.startsWith('*') || f.hour.startsWith('*')
  return Object.freeze({
    expression,
    fields: Object.freeze(f),
    hasSeconds,
    wildcard,
    cronerPatterns: Object.freeze(patterns),
  })
}

const cache = new LruCache<string, ParsedCron>(5000)

/** Parse and check the syntax and ranges of a cron expression. Throws CronExpressionError. */
export function parse(expression: string): ParsedCron {
  const hit = cache.get(expression)
  if (hit) return hit
  const parsed = parseExpression(expression)
  cache.set(expression, parsed)
  return parsed
}

import { CronDate, type CronOptions, CronPattern } from 'croner'
import { CronExpressionError, TimezoneError } from './errors.ts'
import { LruCache } from './lru.ts'
import { type ParsedCron, parse, parseExpression } from './parse.ts'
import { DAY, isValidTimezone, type Transition, type ZoneRules, zoneRules } from './zone.ts'

/**
 * Fire times: croner finds the next matching WALL-CLOCK time (patterns evaluated as if the zone were UTC,
 * which costs no Intl call), and the zone's transition table maps wall clock to instants with the
 * cronie / Vixie daylight-saving rules of cron-semantics.md:
 * - spring forward: FIXED-TIME fires once at the first instant after the gap if any matching time is in
 *   it; WILDCARD skips the missing times;
 * - fall back: FIXED-TIME fires only in the first pass of the repeated times; WILDCARD fires in both.
 * The instants are walked one offset segment at a time (between two transitions wall clock moves with
 * the instant), so the second pass of a repeated hour comes after the first, in instant order.
 */

export interface Compiled {
  readonly parsed: ParsedCron
  /** The patterns that can match some day; their union is the schedule. */
  readonly patterns: readonly CronPattern[]
  readonly wildcard: boolean
  /**
   * Provably fires at least once a year in any zone, so validation can skip the search: a FIXED-TIME
   * schedule with a pattern matching every selected month (a daylight-saving gap moves its fire, it
   * does not drop it), or a WILDCARD one with a pattern matching every week of them (gaps are a few
   * days a year at most).
   */
  readonly firesEveryYear: boolean
  /** Values set in the time fields, ascending (the same in every pattern). */
  readonly seconds: readonly number[]
  readonly minutes: readonly number[]
  readonly hours: readonly number[]
}

/** croner's day-of-month OR day-of-week (POSIX) when both are restricted. */
export const CRONER_OPTIONS: CronOptions = { domAndDow: false, interval: 0 }
/** A repeated interval is shorter than this, so a transition further back cannot put `from` in it. */
const LOOKBACK = DAY
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const YEAR = 365.2425 * DAY
/** nextRuns looks this far ahead (croner itself gives up after 400 years). */
const HORIZON = 400 * YEAR

const compiledCache = new LruCache<string, Compiled>(5000)

/** A pattern whose day-of-month values fit no selected month (e.g. 30 in February) never matches. */
function canMatch(p: CronPattern): boolean {
  if (!p.starDOW || p.starDOM || p.lastDayOfMonth || p.lastWeekday) return true
  for (let m = 0; m < 12; m++) {
    if (!p.month[m]) continue
    for (let d = 0; d < MONTH_DAYS[m]!; d++) if (p.day[d] || p.nearestWeekdays[d]) return true
  }
  return false
}

/** croner's day-of-week bits: 63 = every such weekday, 1/2/4/8 = 1st-4th, 16 = 5th, 32 = last. */
const EVERY_WEEK = 63
const EVERY_MONTH = 1 | 2 | 4 | 8 | 32

/** How often a pattern surely matches within each selected month: 2 = weekly or more, 1 = monthly, 0 = not sure. */
function density(p: CronPattern): number {
  if (!p.starYear) return 0
  if (p.starDOM && p.starDOW) return 2
  if (!p.starDOW && p.dayOfWeek.some((bits) => bits === EVERY_WEEK)) return 2
  if (!p.starDOW && p.dayOfWeek.some((bits) => (bits & EVERY_MONTH) !== 0)) return 1
  if (p.starDOM) return 0
  if (p.lastDayOfMonth || p.lastWeekday) return 1
  for (let d = 0; d < 28; d++) if (p.day[d] || p.nearestWeekdays[d]) return 1
  return 0
}

function setValues(bits: number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < bits.length; i++) if (bits[i]) out.push(i)
  return out
}

function build(parsed: ParsedCron): Compiled {
  const all = parsed.cronerPatterns.map((text) => {
    const p = new CronPattern(text, undefined, { mode: text.split(' ').length === 7 ? '7-part' : '6-part' })
    // croner reads the year table only for a year field (starYear false). Dropping its 10,000 entries
    // keeps a cached pattern at ~2 KB instead of ~80 KB, which is what made cold validation GC-bound.
    if (p.starYear) p.year = []
    return p
  })
  const first = all[0]
  const patterns = all.filter(canMatch)
  const densest = Math.max(0, ...patterns.map(density))
  return {
    parsed,
    patterns,
    wildcard: parsed.wildcard,
    firesEveryYear: densest >= (parsed.wildcard ? 2 : 1),
    seconds: first ? setValues(first.second) : [],
    minutes: first ? setValues(first.minute) : [],
    hours: first ? setValues(first.hour) : [],
  }
}

/**
 * croner patterns for an expression, cached by the expression's text. A ParsedCron is looked up by its
 * expression (it may be a copy, e.g. from a queue payload).
 */
export function compile(input: string | ParsedCron): Compiled {
  const key = typeof input === 'string' ? input : input.expression
  let compiled = compiledCache.get(key)
  if (!compiled) {
    compiled = build(parseExpression(key))
    compiledCache.set(key, compiled)
  }
  return compiled
}

/** The first matching wall-clock time (ms, as if UTC) strictly after `wall`, or null. */
export function wallNext(c: Compiled, wall: number): number | null {
  let best: number | null = null
  for (const p of c.patterns) {
    const next = new CronDate(new Date(wall), 0).increment(p, CRONER_OPTIONS, false)
    if (next) {
      const w = next.getTime()
      if (best === null || w < best) best = w
    }
  }
  return best
}

/** Is some matching wall-clock time skipped by this spring-forward transition? */
export function gapHasMatch(c: Compiled, tr: Transition): boolean {
  const w = wallNext(c, tr.at + tr.before - 1)
  return w !== null && w < tr.at + tr.after
}

/**
 * The lowest wall-clock time a FIXED-TIME schedule may fire at from instant `at` on: after a fall back,
 * the repeated times belong to the first pass.
 */
export function fixedTimeFloor(zone: ZoneRules, at: number): number {
  const prev = zone.lastTransition(at, at - LOOKBACK)
  return prev && prev.before > prev.after ? prev.at + prev.before : Number.NEGATIVE_INFINITY
}

/** The first fire instant strictly after `from` and not after `limit`, or null. */
export function nextAfter(c: Compiled, zone: ZoneRules, from: number, limit: number): number | null {
  let cur = from
  let offset = zone.offsetAt(cur)
  // Exclusive wall-clock bound: the search finds the first match > lower.
  let lower = cur + offset
  if (!c.wildcard) lower = Math.max(lower, fixedTimeFloor(zone, cur) - 1)
  let wall = wallNext(c, lower)
  while (wall !== null && wall - DAY <= limit) {
    const candidate = wall - offset
    const tr = zone.nextTransition(cur, candidate)
    if (!tr) return candidate <= limit ? candidate : null
    // The match lies past this offset's segment: go on from the transition.
    let floor: number
    if (tr.after > tr.before) {
      // Spring forward: wall [at + before, at + after) does not exist; `wall` is the first match >= its start.
      if (!c.wildcard && wall < tr.at + tr.after) return tr.at <= limit ? tr.at : null
      floor = tr.at + tr.after
    } else {
      // Fall back: wall [at + after, at + before) comes again.
      floor = c.wildcard ? tr.at + tr.after : tr.at + tr.before
    }
    const nextLower = floor - 1
    // `wall` is still the first match when the bound only moved up to at most it.
    if (nextLower < lower || wall <= nextLower) wall = wallNext(c, nextLower)
    lower = nextLower
    cur = tr.at
    offset = tr.after
  }
  return null
}

function addYears(t: number, years: number): number {
  const d = new Date(t)
  d.setUTCFullYear(d.getUTCFullYear() + years)
  return d.getTime()
}

function instant(d: Date | undefined, name: string): number {
  const t = d === undefined ? Date.now() : d.getTime()
  if (!Number.isFinite(t)) throw new RangeError(`${name} is not a valid date`)
  return t
}

export interface NextRunsOptions {
  /** IANA zone, default UTC. */
  timezone?: string
  /** Runs strictly after this instant; default now. */
  from?: Date
  /** How many runs, default 1. */
  count?: number
}

/**
 * The next `count` fire instants strictly after `from`, ascending. Fewer when the schedule stops firing
 * (within 400 years). Throws CronExpressionError or TimezoneError.
 */
export function nextRuns(expression: string | ParsedCron, opts: NextRunsOptions = {}): Date[] {
  const count = opts.count ?? 1
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number >= 0, got ${count}`)
  const c = compile(expression)
  const zone = zoneRules(opts.timezone)
  let t = instant(opts.from, 'from')
  const limit = t + HORIZON
  const out: Date[] = []
  while (out.length < count) {
    const next = nextAfter(c, zone, t, limit)
    if (next === null) break
    out.push(new Date(next))
    t = next
  }
  return out
}

export type ValidateResult =
  | { ok: true; cron: ParsedCron }
  | { ok: false; error: CronExpressionError | TimezoneError }

/**
 * Syntax and ranges, the zone, and "fires within 10 years from `now`" (default now). Never throws for a
 * bad expression or zone.
 */
export function validate(expression: string, opts: { timezone?: string; now?: Date } = {}): ValidateResult {
  let compiled: Compiled
  try {
    compiled = compile(expression)
  } catch (err) {
    if (err instanceof CronExpressionError) return { ok: false, error: err }
    throw err
  }
  const tz = opts.timezone ?? 'UTC'
  if (!isValidTimezone(tz)) return { ok: false, error: new TimezoneError(tz) }
  const now = instant(opts.now, 'now')
  if (!compiled.firesEveryYear && nextAfter(compiled, zoneRules(tz), now, addYears(now, 10)) === null) {
    const issue = {
      field: 'expression' as const,
      value: String(expression),
      reason: 'never fires within 10 years',
    }
    return { ok: false, error: new CronExpressionError(issue, 'SCHED_ERR_CRON_NEVER_FIRES') }
  }
  return { ok: true, cron: compiled.parsed }
}

/** WILDCARD schedule for daylight saving: second (6-field only), minute or hour begins with `*`. */
export function isWildcard(expression: string | ParsedCron): boolean {
  return (typeof expression === 'string' ? parse(expression) : expression).wildcard
}

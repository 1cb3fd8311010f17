import { CronDate } from 'croner'
import type { ParsedCron } from './parse.ts'
import { type Compiled, CRONER_OPTIONS, compile, fixedTimeFloor, gapHasMatch } from './schedule.ts'
import { DAY, HOUR, SECOND, zoneRules } from './zone.ts'

const MINUTE = 60 * SECOND
const MINUTES_PER_DAY = 1440

/** Does any pattern match wall-clock day `day` (ms at 00:00, as if UTC)? croner decides. */
function dayMatches(c: Compiled, day: number): boolean {
  const at = new CronDate(
    new Date(day + c.hours[0]! * HOUR + c.minutes[0]! * MINUTE + c.seconds[0]! * SECOND),
    0,
  )
  return c.patterns.some((p) => at.match(p, CRONER_OPTIONS))
}

function minuteOfDay(t: number): number {
  return Math.floor((((t % DAY) + DAY) % DAY) / MINUTE)
}

/**
 * Flags the UTC minute of every fire whose wall-clock time is in [from, to), with `offset` in force.
 * Whole minutes inside the interval are flagged without looking at seconds (a matching minute always
 * has a matching second), so every-second schedules cost no more than every-minute ones.
 */
function markWall(c: Compiled, from: number, to: number, offset: number, flags: Uint8Array): void {
  const offsetMinutes = offset % MINUTE === 0 ? offset / MINUTE : Number.NaN
  for (let day = Math.floor(from / DAY) * DAY; day < to; day += DAY) {
    if (!dayMatches(c, day)) continue
    for (const h of c.hours) {
      const hourStart = day + h * HOUR
      if (hourStart + HOUR <= from) continue
      if (hourStart >= to) break
      // UTC minute of day of this hour's minute 0, when the offset is whole minutes
      const hourMinute = (((h * 60 - offsetMinutes) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY
      for (const m of c.minutes) {
        const minuteStart = hourStart + m * MINUTE
        if (minuteStart + MINUTE <= from) continue
        if (minuteStart >= to) break
        if (minuteStart >= from && minuteStart + MINUTE <= to && !Number.isNaN(hourMinute)) {
          flags[(hourMinute + m) % MINUTES_PER_DAY] = 1
          continue
        }
        for (const s of c.seconds) {
          const w = minuteStart + s * SECOND
          if (w >= from && w < to) flags[minuteOfDay(w - offset)] = 1
        }
      }
    }
  }
}

/**
 * UTC minutes of day (0..1439) in which the schedule fires within [from, from + 24 h), ascending, unique.
 * The same daylight-saving rules as nextRuns, applied to whole offset segments instead of run by run.
 */
export function fireMinutesOfDay(
  expression: string | ParsedCron,
  opts: { timezone?: string; from: Date },
): number[] {
  const c = compile(expression)
  const zone = zoneRules(opts.timezone)
  const start = opts.from.getTime()
  if (!Number.isFinite(start)) throw new RangeError('from is not a valid date')
  if (c.patterns.length === 0) return []
  const end = start + DAY
  const flags = new Uint8Array(MINUTES_PER_DAY)

  let cur = start
  let offset = zone.offsetAt(cur)
  let lowWall = cur + offset
  if (!c.wildcard) {
    lowWall = Math.max(lowWall, fixedTimeFloor(zone, cur))
    // A spring forward exactly at `from`: its fire is at `from`, inside the window.
    const atStart = zone.lastTransition(cur, cur - 1)
    if (atStart && atStart.after > atStart.before && gapHasMatch(c, atStart)) flags[minuteOfDay(cur)] = 1
  }
  for (;;) {
    const tr = zone.nextTransition(cur, end - 1)
    markWall(c, lowWall, (tr ? tr.at : end) + offset, offset, flags)
    if (!tr) break
    if (tr.after > tr.before) {
      if (!c.wildcard && gapHasMatch(c, tr)) flags[minuteOfDay(tr.at)] = 1
      lowWall = tr.at + tr.after
    } else {
      lowWall = c.wildcard ? tr.at + tr.after : tr.at + tr.before
    }
    cur = tr.at
    offset = tr.after
  }

  const out: number[] = []
  for (let i = 0; i < MINUTES_PER_DAY; i++) if (flags[i]) out.push(i)
  return out
}

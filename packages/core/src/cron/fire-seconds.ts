import { CronDate } from 'croner'
import type { ParsedCron } from './parse.ts'
import { type Compiled, CRONER_OPTIONS, compile, fixedTimeFloor, gapHasMatch } from './schedule.ts'
import { DAY, HOUR, SECOND, zoneRules } from './zone.ts'

const MINUTE = 60 * SECOND

/** Where eachFire reports fires: one at a time, or a whole run of seconds at once. */
export interface FireSink {
  /** One fire at instant `t` (ms). */
  point(t: number): void
  /** One fire at each whole second of [start, end) (ms): a minute whose every second matches. */
  range(start: number, end: number): void
}

/** Does any pattern match wall-clock day `day` (ms at 00:00, as if UTC)? croner decides. */
function dayMatches(c: Compiled, day: number): boolean {
  const at = new CronDate(
    new Date(day + c.hours[0]! * HOUR + c.minutes[0]! * MINUTE + c.seconds[0]! * SECOND),
    0,
  )
  return c.patterns.some((p) => at.match(p, CRONER_OPTIONS))
}

/** Reports every fire whose wall-clock time is in [low, high), with `offset` in force. */
function emitWall(c: Compiled, low: number, high: number, offset: number, sink: FireSink): void {
  const everySecond = c.seconds.length === 60
  for (let day = Math.floor(low / DAY) * DAY; day < high; day += DAY) {
    if (!dayMatches(c, day)) continue
    for (const h of c.hours) {
      const hourStart = day + h * HOUR
      if (hourStart + HOUR <= low) continue
      if (hourStart >= high) break
      for (const m of c.minutes) {
        const minuteStart = hourStart + m * MINUTE
        if (minuteStart + MINUTE <= low) continue
        if (minuteStart >= high) break
        if (everySecond && minuteStart >= low && minuteStart + MINUTE <= high) {
          sink.range(minuteStart - offset, minuteStart - offset + MINUTE)
          continue
        }
        for (const s of c.seconds) {
          const w = minuteStart + s * SECOND
          if (w >= low && w < high) sink.point(w - offset)
        }
      }
    }
  }
}

/**
 * Every fire instant in [from, to), reported to `sink` in ascending order: the same fires as nextRuns, with
 * the same daylight-saving rules (cron-semantics.md), found by walking each offset segment's wall-clock days,
 * hours and minutes instead of run by run. A minute whose 60 seconds all match inside the window is one
 * `range` call, so an every-second schedule costs no more than an every-minute one.
 */
export function eachFire(
  expression: string | ParsedCron,
  opts: { timezone?: string; from: number; to: number },
  sink: FireSink,
): void {
  const c = compile(expression)
  const zone = zoneRules(opts.timezone)
  const { from, to } = opts
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('from/to is not a valid instant')
  if (c.patterns.length === 0 || to <= from) return

  let cur = from
  let offset = zone.offsetAt(cur)
  let lowWall = cur + offset
  if (!c.wildcard) {
    lowWall = Math.max(lowWall, fixedTimeFloor(zone, cur))
    // A spring forward exactly at `from`: its fire is at `from`, inside the window.
    const atStart = zone.lastTransition(cur, cur - 1)
    if (atStart && atStart.at === cur && atStart.after > atStart.before && gapHasMatch(c, atStart)) {
      sink.point(cur)
      lowWall = Math.max(lowWall, cur + offset + 1)
    }
  }
  for (;;) {
    const tr = zone.nextTransition(cur, to - 1)
    emitWall(c, lowWall, (tr ? tr.at : to) + offset, offset, sink)
    if (!tr) break
    if (tr.after > tr.before) {
      lowWall = tr.at + tr.after
      if (!c.wildcard && gapHasMatch(c, tr)) {
        sink.point(tr.at)
        // A regular fire at the gap's end is that same instant: the same fire.
        lowWall += 1
      }
    } else {
      lowWall = c.wildcard ? tr.at + tr.after : tr.at + tr.before
    }
    cur = tr.at
    offset = tr.after
  }
}

import { CronExpressionError } from '../cron/errors.ts'
import { type ParsedCron, parse } from '../cron/parse.ts'
import { compile } from '../cron/schedule.ts'

/**
 * What keeps a fire inside its minute. A fire at second `s` of its minute with a jitter of up to `jitterMs`
 * starts at most at s * 1000 + jitterMs ms into the minute: it stays in the minute while that is ≤ 59,999.
 */
export const MINUTE_LAST_MS = 59_999

const SINGLE_SECOND = /^\d{1,2}$/

/** The expression's one second of the minute (`0` for a 5-field one), or null when it fires at several. */
export function singleSecond(parsed: ParsedCron): number | null {
  const text = parsed.fields.second
  return SINGLE_SECOND.test(text) ? Number(text) : null
}

/** The latest second a fire may be set to with this jitter and stay in its minute, or -1. */
export function latestSecond(jitterMs: number): number {
  return Math.floor((MINUTE_LAST_MS - Math.max(0, jitterMs)) / 1000)
}

/** The same expression firing at second `second` of the same minutes (a 5-field one becomes 6-field). */
export function withSecond(parsed: ParsedCron, second: number): string {
  const f = parsed.fields
  return `${second} ${f.minute} ${f.hour} ${f.dayOfMonth} ${f.month} ${f.dayOfWeek}`
}

export interface SuggestionProblem {
  field: 'cronExpression' | 'jitterMs'
  message: string
}

/**
 * Would applying `suggested` to a schedule now at `current` move a fire out of the minute it is in? Allowed:
 * the same minutes, hours and days with another single second (a 5-field expression rewritten as the 6-field
 * one), and a jitterMs that keeps every start inside its minute. Null when allowed.
 */
export function checkSuggestion(
  current: { cronExpression: string; jitterMs: number },
  suggested: { cronExpression?: string | undefined; jitterMs?: number | undefined },
): SuggestionProblem | null {
  const now = parse(current.cronExpression)
  let second = singleSecond(now)
  if (suggested.cronExpression !== undefined) {
    let next: ParsedCron
    try {
      next = parse(suggested.cronExpression)
    } catch (err) {
      if (err instanceof CronExpressionError) return { field: 'cronExpression', message: err.message }
      throw err
    }
    const same = (['minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'] as const).every(
      (k) => next.fields[k] === now.fields[k],
    )
    if (!same || second === null || singleSecond(next) === null) {
      return {
        field: 'cronExpression',
        message:
          'may only set the second of the minute the schedule fires in now (one second, same other fields)',
      }
    }
    second = singleSecond(next)
  }
  const jitterMs = suggested.jitterMs ?? current.jitterMs
  const last = second ?? Math.max(...compile(now).seconds)
  if (last * 1000 + jitterMs > MINUTE_LAST_MS) {
    return {
      field: suggested.jitterMs !== undefined ? 'jitterMs' : 'cronExpression',
      message: `a start at second ${last} plus up to ${jitterMs} ms of jitter leaves its minute`,
    }
  }
  return null
}

import {
  AppError,
  CronExpressionError,
  type ErrorCode,
  type FieldError,
  type ScheduleTiming,
  TimezoneError,
  validate,
} from '@punctual/core'

/**
 * Meaning checks of a schedule's timing (422s): the expression, the zone and the date window.
 * Every problem found is reported at once, as the schema validation does for 400s.
 */
export function assertTimingValid(
  t: ScheduleTiming,
  now: Date,
  paths: { cron: string; timezone: string } = { cron: 'body.cronExpression', timezone: 'body.timezone' },
): void {
  const problems: { code: ErrorCode; error: FieldError }[] = []
  const result = validate(t.cronExpression, { timezone: t.timezone, now })
  if (!result.ok) {
    const err = result.error
    if (err instanceof TimezoneError) {
      problems.push({
        code: 'SCHED_ERR_TIMEZONE_INVALID',
        error: { path: paths.timezone, message: `'${t.timezone}' is not a known IANA time zone` },
      })
    } else if (err instanceof CronExpressionError) {
      const neverFires = err.code === 'SCHED_ERR_CRON_NEVER_FIRES'
      problems.push({
        code: neverFires ? 'SCHED_ERR_CRON_NEVER_FIRES' : 'SCHED_ERR_CRON_INVALID',
        error: { path: paths.cron, message: err.message },
      })
    }
  }
  if (t.startDate && t.endDate && t.endDate.getTime() < t.startDate.getTime()) {
    problems.push({
      code: 'SCHED_ERR_DATE_RANGE',
      error: { path: 'body.endDate', message: 'must not be before startDate' },
    })
  }
  if (problems.length > 0) {
    const detail = problems
      .map((p) => `${p.error.path.replace(/^body\./, '')}: ${p.error.message}`)
      .join('; ')
    throw new AppError(
      problems[0]!.code,
      detail,
      problems.map((p) => p.error),
    )
  }
}

/** Which part of a cron expression an issue is about; `expression` is the expression as a whole. */
export type CronField = 'expression' | 'second' | 'minute' | 'hour' | 'dayOfMonth' | 'month' | 'dayOfWeek'

/** One problem found in a cron expression, e.g. `{ field: 'dayOfMonth', value: '32', reason: 'out of range 1-31' }`. */
export interface CronIssue {
  field: CronField
  /** The offending text: the value, element or field as written, or the whole expression. */
  value: string
  reason: string
}

/**
 * The expression cannot be a schedule. `SCHED_ERR_CRON_NEVER_FIRES` is the one case where it is well formed
 * but has no fire time within 10 years; every syntax or range problem is `SCHED_ERR_CRON_INVALID`.
 */
export class CronExpressionError extends Error {
  readonly code: 'SCHED_ERR_CRON_INVALID' | 'SCHED_ERR_CRON_NEVER_FIRES'
  readonly issue: CronIssue

  constructor(issue: CronIssue, code: CronExpressionError['code'] = 'SCHED_ERR_CRON_INVALID') {
    super(`${issue.field} '${issue.value}': ${issue.reason}`)
    this.name = 'CronExpressionError'
    this.code = code
    this.issue = issue
  }
}

/** The time zone is not one the runtime's Intl knows (an empty name included). */
export class TimezoneError extends Error {
  readonly code = 'SCHED_ERR_TIMEZONE_INVALID'
  readonly timezone: string

  constructor(timezone: string) {
    super(`'${timezone}' is not a known IANA time zone`)
    this.name = 'TimezoneError'
    this.timezone = timezone
  }
}

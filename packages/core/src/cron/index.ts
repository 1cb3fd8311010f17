export {
  CONFLICT_FREQUENT_MINUTES,
  type ConflictProfile,
  conflictProfile,
  isConflictProfile,
} from './conflict-profile.ts'
export { CronExpressionError, type CronField, type CronIssue, TimezoneError } from './errors.ts'
export { fireMinutesOfDay } from './fire-minutes.ts'
export { eachFire, type FireSink } from './fire-seconds.ts'
export { type ParsedCron, parse } from './parse.ts'
export { isWildcard, type NextRunsOptions, nextRuns, type ValidateResult, validate } from './schedule.ts'
export { isValidTimezone } from './zone.ts'

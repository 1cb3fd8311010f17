export {
  type DueEntry,
  getDueEntry,
  MAX_CONFLICT_IDS,
  MINUTES_PER_DAY,
  normalizeFireMinutes,
  removeSchedule,
  type ScheduleConflicts,
  type UpsertScheduleInput,
  type UpsertScheduleResult,
  upsertSchedule,
} from './due-index.ts'
export {
  isRedisUnavailableError,
  QueueError,
  type QueueErrorCode,
  QueueErrorCodes,
  ScriptCodes,
  toQueueError,
} from './errors.ts'
export { createKeys, type QueueKeys } from './keys.ts'
export {
  type CreateRedisOptions,
  createRedis,
  isReady,
  REDIS_TIMEOUTS,
  type Redis,
  reconnectDelayMs,
  waitForReady,
} from './redis.ts'
export {
  loadScripts,
  type QueueScripts,
  SCRIPT_NAMES,
  type ScriptName,
  type ScriptRunner,
} from './script-loader.ts'

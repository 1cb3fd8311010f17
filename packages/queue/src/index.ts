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
export {
  type AckResult,
  type CancelResult,
  type ClaimedExecution,
  createExecutionQueue,
  type DequeueInput,
  type DequeueResult,
  type EnqueueItem,
  type EnqueueResult,
  type ExecutionQueue,
  type ExecutionSnapshot,
  type LeaseOutcome,
  type LeaseRef,
  MAX_BATCH,
  MAX_META_CHARS,
  MAX_PRIORITY,
  PRIORITY_STEP_MS,
  type QueuedExecution,
  type QueueState,
  type QueueStats,
  type QueueStatsAt,
  type RenewResult,
} from './execution-queue.ts'
export {
  type ClaimDueInput,
  type ClaimDueResult,
  type CompleteClaimInput,
  type CompleteClaimOutcome,
  claimDue,
  completeClaim,
  type DueClaim,
  MAX_CLAIM_BATCH,
  reclaimExpiredClaims,
  releaseClaim,
} from './fire-claims.ts'
export { createKeys, type QueueKeys } from './keys.ts'
export { type RateLimitCount, rateLimitIncr } from './rate-limit.ts'
export {
  ensureQueued,
  type IndexedSchedulesPage,
  listIndexedScheduleIds,
  listQueuedExecutionIds,
  type QueuedExecutionsPage,
  type SyncDueEntry,
  type SyncDueOptions,
  type SyncDueResult,
  syncDueEntries,
} from './reconcile.ts'
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

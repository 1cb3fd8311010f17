export {
  CONFLICT_EXACT_UP_TO,
  CONFLICT_SCAN_BUDGET,
  type DueEntry,
  getDueEntry,
  MAX_CONFLICT_IDS,
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
  ackSystemEvents,
  type ClaimStaleInput,
  claimStaleSystemEvents,
  EVENT_GROUP,
  ensureSystemEventGroup,
  pruneSystemEventConsumers,
  publishSystemEvents,
  type ReadSystemEventsInput,
  readSystemEvents,
  type StreamedSystemEvent,
  type SystemEventRef,
} from './event-stream.ts'
export { createExecutionQueue } from './execution-queue.ts'
export {
  type AckResult,
  type CancelResult,
  type ClaimedExecution,
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
  type TenantQueueDepths,
  type WorkflowCapInput,
} from './execution-queue-api.ts'
export type { WorkflowSlots } from './execution-reads.ts'
export {
  type ClaimDueInput,
  type ClaimDueResult,
  type CompleteClaimInput,
  type CompleteClaimOutcome,
  claimDue,
  completeClaim,
  completeClaims,
  type DueClaim,
  MAX_CLAIM_BATCH,
  reclaimExpiredClaims,
  releaseClaim,
} from './fire-claims.ts'
export { type ConflictKeys, createKeys, type QueueKeys, REDIS_PREFIX_PATTERN } from './keys.ts'
export { type RateLimitCount, rateLimitIncr } from './rate-limit.ts'
export {
  ensureQueued,
  executionPriorities,
  type IndexedSchedulesPage,
  listIndexedScheduleIds,
  type SyncDueEntry,
  type SyncDueOptions,
  type SyncDueResult,
  syncDueEntries,
} from './reconcile.ts'
export {
  Cluster,
  type CreateRedisOptions,
  checkEvictionPolicy,
  createRedis,
  type EvictionPolicyCheck,
  evictionPolicyReport,
  isReady,
  REDIS_TIMEOUTS,
  type Redis,
  reconnectDelayMs,
  SingleRedis,
  waitForReady,
} from './redis.ts'
export {
  describeRedisConnection,
  parseAddressList,
  type RedisAddress,
  type RedisAuth,
  type RedisConnection,
  type RedisConnectionConfig,
  redisConnectionFromConfig,
} from './redis-connection.ts'
export { redisMisconfiguration, watchBootMisconfiguration } from './redis-misconfig.ts'
export {
  loadScripts,
  type QueueScripts,
  readScriptDefinitions,
  SCRIPT_NAMES,
  type ScriptDefinition,
  type ScriptName,
  type ScriptRunner,
} from './script-loader.ts'
export { readWorkflowCaps } from './workflow-caps.ts'

// Hot-path statements, one file per transition (docs/design-notes.md, "The data layer"): plain postgres.js,
// one statement per batch. CRUD repositories are in ../repos.
export { findCancelRequested } from './cancel-requests.ts'
export {
  type RedriveFilter,
  type RedriveInput,
  type RedriveResult,
  type RedriveRow,
  redriveDeadExecutions,
} from './dead-letter-redrive.ts'
export {
  claimUnhandledOutbox,
  commitEventStarts,
  type EventStartsCommit,
  type OutboxEvent,
  SELECT_COMPLETED,
  SELECT_DEAD,
  SELECT_SUCCEEDED,
} from './event-outbox.ts'
export { addExecutionCounts } from './execution-counts.ts'
export {
  type FinishExecutionsResult,
  type FinishRecord,
  type FinishResult,
  type FinishStatus,
  finishExecutions,
  type ReleasedHeldFire,
} from './execution-finish.ts'
export { handBackExecutions } from './execution-hand-back.ts'
export {
  type CancelledAtStart,
  type CompletedSchedule,
  type SkippedAtStart,
  type StartCandidate,
  type StartExecutionsResult,
  type StartedExecution,
  startExecutions,
} from './execution-start.ts'
export {
  cancelForOverlap,
  type FiredScheduleUpdate,
  type FireScheduleRow,
  insertFireExecutions,
  listUnfinishedExecutions,
  lockSchedulesForFiring,
  type NewFireExecution,
  schedulePriorities,
  type UnfinishedExecutionRow,
  updateFiredSchedules,
} from './fire-recording.ts'
export { type FleetTiming, readFleetTimings, readFleetVersions } from './fleet-timings.ts'
export { type QueueCursor, type WaitingRow, waitingPage } from './queue-view.ts'
export {
  cappedWorkflows,
  type DueSourceRow,
  existingScheduleIds,
  type RequeueRow,
  scheduleDuePage,
  type UnfinishedRef,
  unfinishedExecutionPage,
  unfinishedExecutionsAmong,
  type WorkflowCapRow,
  withCommittedPriorities,
  workflowCapsOf,
} from './reconcile-reads.ts'
export {
  deleteRetentionBatch,
  RETENTION_BATCH_MAX,
  RETENTION_FIRST_ID,
  type RetentionBatch,
  type RetentionTarget,
} from './retention.ts'
export {
  PATTERN_MAX_RUNS,
  PATTERN_WINDOW_MS,
  type PatternRefreshResult,
  readPatternsStamp,
  readSchedulePatterns,
  refreshSchedulePatterns,
  refreshSchedulePatternsIn,
  type SchedulePatternRow,
} from './schedule-patterns.ts'
export {
  loadRecordedSteps,
  type RecordedStep,
  recordStepOutcomes,
  type StepRecord,
} from './step-outcomes.ts'
export {
  type CreatedExecution,
  createdExecutions,
  type ExecutionStart,
  insertGeneralStartBatch,
  insertStartBatch,
  insertWebhookStartBatch,
  isWebhookBatch,
  isWebhookRequest,
  RECEIPT_TTL_MS,
  type StartOutcome,
  type StartReceipt,
  type StartRequest,
} from './trigger-start-batch.ts'
export {
  loadWorkflowDefinitions,
  type WorkflowDefinition,
} from './workflow-definitions.ts'

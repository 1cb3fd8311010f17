export {
  type ApiKeyIdentity,
  type ApiKeyListOptions,
  type ApiKeyRow,
  type ApiKeysRepo,
  createApiKeysRepo,
  type NewApiKeyRow,
} from './api-keys.ts'
export {
  type AuditAction,
  type AuditEntry,
  type AuditListOptions,
  type AuditRepo,
  type AuditRow,
  auditActions,
  auditRow,
  createAuditRepo,
  insertAuditEntries,
} from './audit.ts'
export {
  createEventBusRepo,
  type EventBusRepo,
  type EventSubjects,
  MAX_CHAIN_WALK,
} from './event-outbox.ts'
export type {
  CountsByStatus,
  ScheduleExecutionSummary,
  TenantExecutionStats,
} from './execution-stats.ts'
export {
  createExecutionsRepo,
  type ExecutionListFilter,
  type ExecutionRow,
  type ExecutionsRepo,
  type NewExecutionRow,
} from './executions.ts'
export type { DbExecutor } from './executor.ts'
export {
  createIngestRepo,
  type EventTriggerRow,
  type HookTriggerRow,
  type IngestRepo,
} from './ingest.ts'
export {
  PAGE_FETCH_BYTES,
  type RowPage,
  selectPage,
} from './page.ts'
export {
  createSchedulesRepo,
  insertScheduleRow,
  insertScheduleRows,
  type NewScheduleRow,
  type ScheduleCreator,
  type ScheduleListOptions,
  type ScheduleRow,
  type SchedulesRepo,
  type ScheduleView,
} from './schedules.ts'
export {
  countSealedValues,
  findStaleSealedRows,
  type ResealedRow,
  SEALED_TABLES,
  type SealedRow,
  type SealedTable,
  writeResealedRows,
} from './sealed-secrets.ts'
export {
  ensureSigningSecret,
  readSigningSecret,
  type SigningSecretRow,
  writeSigningSecretRotation,
} from './signing-secrets.ts'
export {
  createTenantSecretsRepo,
  loadSecretsForRun,
  type SealedSecretForRun,
  type SecretListOptions,
  type TenantSecretListRow,
  type TenantSecretRow,
  type TenantSecretsRepo,
} from './tenant-secrets.ts'
export {
  lockTenantUsage,
  lockTenantUsageRow,
  type TenantUsage,
} from './tenant-usage.ts'
export {
  createTriggersRepo,
  type NewTriggerRow,
  type TriggerListOptions,
  type TriggerRow,
  type TriggersRepo,
} from './triggers.ts'
export {
  createWorkflowsRepo,
  type NewWorkflowRow,
  type WorkflowListOptions,
  type WorkflowRow,
  type WorkflowsRepo,
} from './workflows.ts'

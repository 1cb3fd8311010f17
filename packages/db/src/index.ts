export {
  type CreateDbOptions,
  checkSchemaName,
  createDb,
  type Db,
  type DbHandle,
  type DbOrTx,
  type PingOptions,
  ping,
  type Schema,
  type Sql,
  type Tx,
} from './client.ts'
export { guardUnhandledConnectionLoss, isConnectionLoss } from './connection-loss.ts'
export {
  findPgError,
  isForeignKeyViolation,
  isUnavailableError,
  isUniqueViolation,
  type PgErrorFields,
} from './errors.ts'
export {
  createEventTriggerIndex,
  type EventTriggerIndex,
  type EventTriggerIndexOptions,
} from './event-trigger-index.ts'
export {
  createExecutionStarter,
  type ExecutionStarter,
  type ExecutionStarterOptions,
} from './execution-starter.ts'
export {
  advisoryLocks,
  ensureDatabase,
  type MigrateOptions,
  type MigrateResult,
  migrate,
  migrationsFolder,
} from './migrate.ts'
// Repositories (createXRepo(db)) are maintained in repos/.
export * from './repos/index.ts'
export { dueEntryOf, newScheduleRow, scheduleConflictProfile, scheduleTimingOf } from './schedule-rows.ts'
export * from './schema/index.ts'
export { type LayoutUpgrade, ownObjects, upgradeLayout } from './schema-upgrade.ts'
export * from './statements/index.ts'
export { statusGuard, statusIn } from './status-guard.ts'
export { toExecutionDto, toScheduleDto } from './views.ts'

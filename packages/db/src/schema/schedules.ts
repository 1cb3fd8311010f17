import { type RetryPolicy, SCHEDULE_DEFAULTS } from '@punctual/core'
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { sqlList } from './sql-lists.ts'
import { workflows } from './workflows.ts'

export const scheduleStates = ['active', 'paused', 'completed', 'expired'] as const
export type ScheduleState = (typeof scheduleStates)[number]

export const overlapPolicies = ['skip', 'allow', 'buffer_one', 'cancel_previous'] as const
export type OverlapPolicy = (typeof overlapPolicies)[number]

export const misfirePolicies = ['fire_once', 'fire_all', 'skip'] as const
export type MisfirePolicy = (typeof misfirePolicies)[number]

export type { RetryPolicy }

export const schedules = pgTable(
  'schedules',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    workflowId: uuid('workflow_id').notNull(),
    name: text('name').notNull(),
    cronExpression: text('cron_expression').notNull(),
    timezone: text('timezone').notNull().default(SCHEDULE_DEFAULTS.timezone),
    enabled: boolean('enabled').notNull().default(SCHEDULE_DEFAULTS.enabled),
    startDate: timestamp('start_date', { withTimezone: true, mode: 'date' }),
    endDate: timestamp('end_date', { withTimezone: true, mode: 'date' }),
    maxExecutions: integer('max_executions'),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default(SCHEDULE_DEFAULTS.input),
    priority: smallint('priority').notNull().default(SCHEDULE_DEFAULTS.priority),
    retryPolicy: jsonb('retry_policy').$type<RetryPolicy>().notNull().default(SCHEDULE_DEFAULTS.retryPolicy),
    overlapPolicy: text('overlap_policy')
      .$type<OverlapPolicy>()
      .notNull()
      .default(SCHEDULE_DEFAULTS.overlapPolicy),
    misfirePolicy: text('misfire_policy')
      .$type<MisfirePolicy>()
      .notNull()
      .default(SCHEDULE_DEFAULTS.misfirePolicy),
    catchupWindowMs: integer('catchup_window_ms').notNull().default(SCHEDULE_DEFAULTS.catchupWindowMs),
    jitterMs: integer('jitter_ms').notNull().default(SCHEDULE_DEFAULTS.jitterMs),
    metadata: jsonb('metadata')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(SCHEDULE_DEFAULTS.metadata),
    state: text('state').$type<ScheduleState>().notNull().default('active'),
    /** Bumped by every change of the definition or state; the due-index entry carries it (compare-and-set). */
    version: integer('version').notNull().default(1),
    nextRunAt: timestamp('next_run_at', { withTimezone: true, mode: 'date' }),
    pausedNote: text('paused_note'),
    /** Fires that started running (manual runs, skipped and missed fires do not count): drives maxExecutions. */
    executionCount: integer('execution_count').notNull().default(0),
    missedCount: integer('missed_count').notNull().default(0),
    /**
     * The UTC minutes of day in which the schedule fires in the 24 h after its last write, in the conflict
     * index's compact form (core conflictProfile: '' none, 'D' dense, 'H<q,...>' hourly, 'M<m,...>' other).
     */
    conflictProfile: text('conflict_profile').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    // (tenant, workflow_id): a schedule can only use a workflow of its own tenant. RESTRICT makes deleting a
    // workflow still in use fail with 23503 (the API's 409).
    foreignKey({
      name: 'schedules_workflow_fk',
      columns: [t.tenant, t.workflowId],
      foreignColumns: [workflows.tenant, workflows.id],
    }).onDelete('restrict'),
    uniqueIndex('schedules_tenant_name_uq').on(t.tenant, t.name),
    index('schedules_tenant_id_idx').on(t.tenant, t.id),
    // Serves the FK check when a workflow is deleted and `?workflowId=` lists paginated by id.
    index('schedules_workflow_idx').on(t.tenant, t.workflowId, t.id),
    // No index on next_run_at, version, state or the counts: the due-index lives in Redis and nothing queries
    // them, so the per-fire updates of a schedule row (scheduler: next run and version; runner: counts) stay
    // HOT (no index entries written) on pages the table's fillfactor keeps room in (migration 0004).
    check('schedules_state_ck', sql`${t.state} in ${sqlList(scheduleStates)}`),
    check('schedules_overlap_policy_ck', sql`${t.overlapPolicy} in ${sqlList(overlapPolicies)}`),
    check('schedules_misfire_policy_ck', sql`${t.misfirePolicy} in ${sqlList(misfirePolicies)}`),
    check('schedules_priority_ck', sql`${t.priority} between 0 and 9`),
    check('schedules_name_ck', sql`char_length(${t.name}) between 1 and 200`),
    check('schedules_max_executions_ck', sql`${t.maxExecutions} is null or ${t.maxExecutions} >= 1`),
    check(
      'schedules_dates_ck',
      sql`${t.endDate} is null or ${t.startDate} is null or ${t.endDate} >= ${t.startDate}`,
    ),
    check('schedules_catchup_window_ck', sql`${t.catchupWindowMs} >= 0`),
    check('schedules_jitter_ck', sql`${t.jitterMs} >= 0`),
    check('schedules_counts_ck', sql`${t.executionCount} >= 0 and ${t.missedCount} >= 0`),
  ],
)

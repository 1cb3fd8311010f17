import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { workflows } from './workflows.ts'

export type ScheduleState = 'active' | 'paused' | 'completed' | 'expired'

export const schedules = pgTable(
  'schedules',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    workflowId: uuid('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    cronExpression: text('cron_expression').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    enabled: boolean('enabled').notNull().default(true),
    startDate: timestamp('start_date', { withTimezone: true, mode: 'date' }),
    endDate: timestamp('end_date', { withTimezone: true, mode: 'date' }),
    maxExecutions: integer('max_executions'),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    priority: smallint('priority').notNull().default(5),
    retryPolicy: jsonb('retry_policy').$type<Record<string, unknown>>().notNull(),
    overlapPolicy: text('overlap_policy').notNull().default('skip'),
    misfirePolicy: text('misfire_policy').notNull().default('fire_once'),
    catchupWindowMs: integer('catchup_window_ms').notNull().default(60000),
    jitterMs: integer('jitter_ms').notNull().default(0),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    state: text('state').$type<ScheduleState>().notNull().default('active'),
    /** Bumped by every change of the definition or state; the due-index entry carries it (compare-and-set). */
    version: integer('version').notNull().default(1),
    nextRunAt: timestamp('next_run_at', { withTimezone: true, mode: 'date' }),
    pausedNote: text('paused_note'),
    executionCount: integer('execution_count').notNull().default(0),
    missedCount: integer('missed_count').notNull().default(0),
    /** UTC minutes of day (0-1439) in which the schedule fires in the 24 h after its last write: the conflict index. */
    fireMinutes: smallint('fire_minutes').array().notNull().default(sql`'{}'::smallint[]`),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    uniqueIndex('schedules_tenant_name_uq').on(t.tenant, t.name),
    index('schedules_tenant_id_idx').on(t.tenant, t.id),
    index('schedules_workflow_idx').on(t.workflowId),
    index('schedules_due_idx').on(t.nextRunAt).where(sql`state = 'active'`),
  ],
)

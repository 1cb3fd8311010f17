import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export type ExecutionKind = 'fire' | 'manual' | 'redrive' | 'event' | 'webhook'
export type ExecutionStatus =
  | 'queued'
  | 'running'
  | 'retrying'
  | 'succeeded'
  | 'dead'
  | 'skipped'
  | 'missed'
  | 'cancelled'

export const executions = pgTable(
  'executions',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    kind: text('kind').$type<ExecutionKind>().notNull(),
    // No foreign keys to schedules/triggers: history outlives a deleted schedule or trigger.
    scheduleId: uuid('schedule_id'),
    triggerId: uuid('trigger_id'),
    workflowId: uuid('workflow_id').notNull(),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true, mode: 'date' }).notNull(),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, mode: 'date' }),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    status: text('status').$type<ExecutionStatus>().notNull(),
    attempt: integer('attempt').notNull().default(0),
    priority: smallint('priority').notNull().default(5),
    workerId: text('worker_id'),
    error: text('error'),
    retryOf: uuid('retry_of'),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    steps: jsonb('steps').$type<unknown[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    // Exactly-once per fire: only `fire` executions are unique per (schedule, scheduled time).
    uniqueIndex('executions_fire_uq')
      .on(t.scheduleId, t.scheduledFor)
      .where(sql`kind = 'fire'`),
    index('executions_tenant_id_idx').on(t.tenant, t.id),
    index('executions_schedule_idx').on(t.scheduleId, t.id),
    index('executions_trigger_idx').on(t.triggerId, t.id),
    index('executions_status_idx').on(t.tenant, t.status, t.id),
  ],
)

import {
  type ExecutionError,
  type ExecutionKind,
  type ExecutionStatus,
  executionKinds,
  executionStatuses,
  STATUS_GUARDS,
  unfinishedExecutionStatuses,
} from '@punctual/core'
import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
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

export {
  type ExecutionKind,
  type ExecutionStatus,
  executionKinds,
  executionStatuses,
  unfinishedExecutionStatuses,
}

export const executions = pgTable(
  'executions',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    kind: text('kind').$type<ExecutionKind>().notNull(),
    // No foreign keys to schedules/triggers/workflows: history outlives a deleted schedule, trigger or workflow.
    scheduleId: uuid('schedule_id'),
    triggerId: uuid('trigger_id'),
    workflowId: uuid('workflow_id').notNull(),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true, mode: 'date' }).notNull(),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, mode: 'date' }),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    /**
     * A fire's due time: scheduled_for plus the fire's stable jitter, as the scheduler computed it when it
     * recorded the fire (null on other kinds, and on fires recorded before the column: due at scheduled_for).
     */
    dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }),
    status: text('status').$type<ExecutionStatus>().notNull(),
    attempt: integer('attempt').notNull().default(0),
    priority: smallint('priority').notNull().default(5),
    workerId: text('worker_id'),
    error: jsonb('error').$type<ExecutionError>(),
    retryOf: uuid('retry_of'),
    input: jsonb('input').$type<Record<string, unknown>>().notNull().default({}),
    steps: jsonb('steps').$type<unknown[]>().notNull().default([]),
    /** The retry policy in force when the execution was created (history outlives its schedule or trigger). */
    retryPolicy: jsonb('retry_policy').$type<Record<string, unknown>>(),
    /** When the next attempt may start (retrying) or when the fire may start (jitter, look-ahead). */
    availableAt: timestamp('available_at', { withTimezone: true, mode: 'date' }),
    /** buffer_one: a fire waiting in Postgres (not in Redis) until the schedule's unfinished execution ends. */
    held: boolean('held').notNull().default(false),
    /**
     * overlapPolicy skip, decided when the fire starts: a fire recorded ahead of its time while an earlier
     * execution of its schedule was unfinished. The runner's start makes it `skipped` if an earlier one is
     * still unfinished then (see startExecutions), so look-ahead needs no decision it cannot make yet.
     */
    overlapCheck: boolean('overlap_check').notNull().default(false),
    /** Set by POST /cancel on a running execution; the worker running it aborts its in-flight step. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true, mode: 'date' }),
    /**
     * Started by a system event about another execution (`execution.succeeded` / `execution.dead`): that
     * execution. Null for every other start (no foreign key: history outlives its cause).
     */
    causedByExecutionId: uuid('caused_by_execution_id'),
    /** Links from the chain's root: 0 unless caused_by_execution_id is set, then the cause's depth + 1. */
    chainDepth: integer('chain_depth').notNull().default(0),
    /**
     * The workflow version the execution runs: set by its first start and kept by every later attempt (a
     * PUT between attempts does not change its steps; workflow_versions holds the old definitions).
     */
    workflowVersion: integer('workflow_version'),
    /** A dead execution was redriven (bulk redrive or `retry`): never by the bulk redrive again. */
    redrivenAt: timestamp('redriven_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    // Exactly-once per fire: only `fire` executions are unique per (schedule, scheduled time).
    uniqueIndex('executions_fire_uq').on(t.scheduleId, t.scheduledFor).where(sql`kind = 'fire'`),
    index('executions_tenant_id_idx').on(t.tenant, t.id),
    // Partial: a row without the link (a webhook or event start has no schedule, a fire no trigger) is not
    // indexed, so its insert, start and end each touch one index less (these writes are non-HOT).
    index('executions_schedule_idx').on(t.scheduleId, t.id).where(sql`schedule_id is not null`),
    index('executions_trigger_idx').on(t.triggerId, t.id).where(sql`trigger_id is not null`),
    index('executions_status_idx').on(t.tenant, t.status, t.id),
    // Small (only live rows): the overlap check per schedule and the Redis rebuild scan.
    index('executions_unfinished_idx')
      .on(t.scheduleId, t.scheduledFor)
      .where(sql`status in ${sqlList(unfinishedExecutionStatuses)}`),
    // The dead-letter queue as the bulk redrive reads it: dead, never redriven, oldest first.
    index('executions_redrivable_idx')
      .on(t.tenant, t.finishedAt, t.id)
      .where(sql`status = 'dead' and redriven_at is null`),
    // GET /api/queue: a tenant's waiting executions in the order workers take them (priority, then time).
    index('executions_waiting_idx')
      .on(t.tenant, t.priority.desc(), t.scheduledFor, t.id)
      .where(sql`status in ${sqlList(STATUS_GUARDS.waiting.from)}`),
    check('executions_kind_ck', sql`${t.kind} in ${sqlList(executionKinds)}`),
    check('executions_status_ck', sql`${t.status} in ${sqlList(executionStatuses)}`),
    check('executions_priority_ck', sql`${t.priority} between 0 and 9`),
    check('executions_attempt_ck', sql`${t.attempt} >= 0`),
    // A fire without a schedule would escape executions_fire_uq (NULLs are distinct).
    check('executions_fire_schedule_ck', sql`${t.kind} <> 'fire' or ${t.scheduleId} is not null`),
    check('executions_redrive_ck', sql`${t.kind} <> 'redrive' or ${t.retryOf} is not null`),
    check(
      'executions_chain_ck',
      sql`(${t.causedByExecutionId} is null and ${t.chainDepth} = 0) or (${t.causedByExecutionId} is not null and ${t.chainDepth} >= 1)`,
    ),
  ],
)

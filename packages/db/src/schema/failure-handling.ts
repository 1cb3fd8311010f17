import { sql } from 'drizzle-orm'
import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { executions } from './executions.ts'

/**
 * Issue 16: what a later attempt needs to resume where the last one stopped, and to run the workflow
 * version it first started with.
 */

/**
 * Every version of every workflow's definition, written by a trigger on `workflows` (migration 0014's
 * hand-written part), so an execution pinned to an older version still finds its steps after a PUT. No
 * foreign key: history outlives a deleted workflow.
 */
export const workflowVersions = pgTable(
  'workflow_versions',
  {
    workflowId: uuid('workflow_id').notNull(),
    version: integer('version').notNull(),
    tenant: text('tenant').notNull(),
    steps: jsonb('steps').$type<unknown[]>().notNull(),
    timeoutMs: integer('timeout_ms'),
    retryFrom: text('retry_from').$type<'failed_step' | 'start'>().notNull().default('failed_step'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] })],
)

/**
 * The recorded successes of an unfinished execution's steps: written (with the step's outcome in
 * `executions.steps`) before the next step starts, read by a later attempt to skip them, and deleted when
 * the execution ends. `body` is what `steps.<name>.body.*` placeholders read (the parsed JSON, or the
 * text), kept when the response was at most 256 KiB; `body_kept` false means it was larger, and a later
 * attempt starts over.
 */
export const executionStepResults = pgTable(
  'execution_step_results',
  {
    executionId: uuid('execution_id')
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    tenant: text('tenant').notNull(),
    stepIndex: integer('step_index').notNull(),
    stepName: text('step_name').notNull(),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    body: jsonb('body'),
    bodyKept: boolean('body_kept').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.stepIndex] })],
)

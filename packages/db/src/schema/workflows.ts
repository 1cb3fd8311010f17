import { sql } from 'drizzle-orm'
import {
  check,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

export const workflows = pgTable(
  'workflows',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    steps: jsonb('steps').$type<unknown[]>().notNull(),
    timeoutMs: integer('timeout_ms'),
    /** Executions running at once across every worker; null: no cap (enforced in Redis, see queue's wf-cap). */
    maxConcurrency: integer('max_concurrency'),
    /** Where a later attempt starts: `failed_step` (resume) or `start`. */
    retryFrom: text('retry_from').$type<'failed_step' | 'start'>().notNull().default('failed_step'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    uniqueIndex('workflows_tenant_name_uq').on(t.tenant, t.name),
    // A constraint (not just an index) so schedules and triggers can reference (tenant, id): a row can never
    // point at another tenant's workflow. It also serves cursor pagination by (tenant, id).
    unique('workflows_tenant_id_uq').on(t.tenant, t.id),
    check('workflows_timeout_ms_ck', sql`${t.timeoutMs} is null or ${t.timeoutMs} > 0`),
    check('workflows_retry_from_ck', sql`${t.retryFrom} in ('failed_step', 'start')`),
    check('workflows_max_concurrency_ck', sql`${t.maxConcurrency} is null or ${t.maxConcurrency} >= 1`),
  ],
)

import { sql } from 'drizzle-orm'
import { integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const workflows = pgTable(
  'workflows',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    steps: jsonb('steps').$type<unknown[]>().notNull(),
    timeoutMs: integer('timeout_ms'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [uniqueIndex('workflows_tenant_name_uq').on(t.tenant, t.name), uniqueIndex('workflows_tenant_id_uq').on(t.tenant, t.id)],
)

import { sql } from 'drizzle-orm'
import { boolean, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { workflows } from './workflows.ts'

export const triggers = pgTable(
  'triggers',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    workflowId: uuid('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    type: text('type').$type<'event' | 'webhook'>().notNull(),
    eventType: text('event_type'),
    filter: jsonb('filter').$type<Record<string, unknown>>(),
    scheme: text('scheme').$type<'standard' | 'github'>(),
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    /** Encrypted with the key from env (never the plain secret). */
    secretCiphertext: text('secret_ciphertext'),
    previousSecretCiphertext: text('previous_secret_ciphertext'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    retryPolicy: jsonb('retry_policy').$type<Record<string, unknown>>(),
    priority: smallint('priority').notNull().default(5),
    enabled: boolean('enabled').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    uniqueIndex('triggers_tenant_name_uq').on(t.tenant, t.name),
    index('triggers_tenant_id_idx').on(t.tenant, t.id),
    index('triggers_workflow_idx').on(t.workflowId),
  ],
)

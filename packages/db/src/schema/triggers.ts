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
import type { RetryPolicy } from './schedules.ts'
import { sqlList } from './sql-lists.ts'
import { workflows } from './workflows.ts'

export const triggerTypes = ['event', 'webhook'] as const
export type TriggerType = (typeof triggerTypes)[number]

export const webhookSchemes = ['standard', 'github'] as const
export type WebhookScheme = (typeof webhookSchemes)[number]

export const triggers = pgTable(
  'triggers',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    workflowId: uuid('workflow_id').notNull(),
    name: text('name').notNull(),
    type: text('type').$type<TriggerType>().notNull(),
    eventType: text('event_type'),
    filter: jsonb('filter').$type<Record<string, unknown>>(),
    /** Leaf values and matchers in `filter` (core countFilterMatchers): what TENANT_MAX_FILTER_MATCHERS counts. */
    filterMatchers: integer('filter_matchers').notNull().default(0),
    /** Event triggers: core countUnanchoredSubpatterns(filter) (0 for webhook triggers); TENANT_MAX_UNANCHORED_SUBPATTERNS. */
    unanchoredSubpatterns: integer('unanchored_subpatterns').notNull().default(0),
    /** Event triggers: core subpatternAnchors(filter) (empty for webhook triggers); TENANT_MAX_SUBPATTERNS_PER_ANCHOR. */
    subpatternAnchors: text('subpattern_anchors').array().notNull().default(sql`'{}'::text[]`),
    /** The inputTemplate (core input-template.ts), validated when written; null: the body or data as input. */
    inputTemplate: jsonb('input_template').$type<Record<string, unknown>>(),
    scheme: text('scheme').$type<WebhookScheme>(),
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    /** Encrypted with the key from env (never the plain secret). */
    secretCiphertext: text('secret_ciphertext'),
    previousSecretCiphertext: text('previous_secret_ciphertext'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, mode: 'date' }),
    retryPolicy: jsonb('retry_policy').$type<RetryPolicy>(),
    priority: smallint('priority').notNull().default(5),
    enabled: boolean('enabled').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    // Same-tenant workflow only; RESTRICT turns deleting a workflow still in use into 23503 (the API's 409).
    foreignKey({
      name: 'triggers_workflow_fk',
      columns: [t.tenant, t.workflowId],
      foreignColumns: [workflows.tenant, workflows.id],
    }).onDelete('restrict'),
    uniqueIndex('triggers_tenant_name_uq').on(t.tenant, t.name),
    index('triggers_tenant_id_idx').on(t.tenant, t.id),
    index('triggers_workflow_idx').on(t.tenant, t.workflowId, t.id),
    // POST /api/events loads every enabled event trigger of the tenant and matches type globs in memory; the
    // runner's end statement probes (tenant, event_type) for a trigger a system event could match.
    // TENANT_MAX_SUBPATTERNS_PER_ANCHOR: which triggers already hold one of a new filter's anchors (&&).
    index('triggers_subpattern_anchors_idx').using('gin', t.subpatternAnchors),
    index('triggers_event_idx').on(t.tenant, t.eventType).where(sql`type = 'event' and enabled`),
    check('triggers_type_ck', sql`${t.type} in ${sqlList(triggerTypes)}`),
    check('triggers_scheme_ck', sql`${t.scheme} is null or ${t.scheme} in ${sqlList(webhookSchemes)}`),
    check('triggers_priority_ck', sql`${t.priority} between 0 and 9`),
    check('triggers_rate_limit_ck', sql`${t.rateLimitPerMinute} is null or ${t.rateLimitPerMinute} >= 1`),
    check('triggers_name_ck', sql`char_length(${t.name}) between 1 and 200`),
  ],
)

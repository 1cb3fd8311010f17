import { sql } from 'drizzle-orm'
import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core'

/**
 * Event ids seen by POST /api/events, kept in Postgres so deduplication survives the loss of Redis.
 * A row older than 24 h no longer deduplicates (purge by received_at, or overwrite on conflict).
 */
export const eventReceipts = pgTable(
  'event_receipts',
  {
    tenant: text('tenant').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    /** The executions the event started, answered again to a duplicate. */
    executionIds: uuid('execution_ids').array().notNull().default(sql`'{}'::uuid[]`),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ name: 'event_receipts_pk', columns: [t.tenant, t.eventId] }),
    index('event_receipts_received_at_idx').on(t.receivedAt),
  ],
)

/** Webhook delivery ids (`webhook-id`, `X-GitHub-Delivery`) accepted per trigger, for 24 h deduplication. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    tenant: text('tenant').notNull(),
    triggerId: uuid('trigger_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    executionId: uuid('execution_id'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    primaryKey({ name: 'webhook_deliveries_pk', columns: [t.triggerId, t.deliveryId] }),
    index('webhook_deliveries_received_at_idx').on(t.receivedAt),
  ],
)

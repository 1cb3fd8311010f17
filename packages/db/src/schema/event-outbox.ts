import { type SystemEventType, systemEventTypes } from '@punctual/core'
import { sql } from 'drizzle-orm'
import { bigint, check, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { sqlList } from './sql-lists.ts'

/**
 * The transactional outbox of the system events (execution.succeeded, execution.dead, schedule.completed).
 * A row is inserted by the very statement that ends the execution or completes the schedule — only when the
 * tenant has an enabled event trigger whose eventType selects the event — so a worker that dies between the
 * COMMIT and its Redis publish loses nothing: the row is published again later. A row is deleted in the
 * transaction that commits what its event started (with the event's receipt), so its presence means "not
 * handled yet". The event's data is read from the subject's row when the event is handled.
 */
export const eventOutbox = pgTable(
  'event_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenant: text('tenant').notNull(),
    type: text('type').$type<SystemEventType>().notNull(),
    /** The execution (execution.*) or the schedule (schedule.completed). */
    subjectId: uuid('subject_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    /** When the relay last published it again (it was not handled in time); null: only the writer's publish. */
    republishedAt: timestamp('republished_at', { withTimezone: true, mode: 'date' }),
    /** How many times the relay published it again (spaces out the next try). */
    republishes: integer('republishes').notNull().default(0),
  },
  (t) => [check('event_outbox_type_ck', sql`${t.type} in ${sqlList(systemEventTypes)}`)],
)

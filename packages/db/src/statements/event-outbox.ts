import { eventTypeSelectors, type SystemEventType } from '@punctual/core'
import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres'
import { type AuditEntry, insertAuditEntries } from '../repos/audit.ts'
import { insertStartBatch, type StartOutcome, type StartRequest } from './trigger-start-batch.ts'

/**
 * Transitions of the system event bus's outbox (docs/design-notes.md, "System events"): the relay's claim of
 * rows nobody handled in time, and the consumer's commit of what the events started (which deletes their
 * rows). The rows are written by the end and completion statements (execution-finish.ts, fire-recording.ts).
 */

/**
 * The trigger eventTypes that select each system event (`*`, the prefix glob, the type): the statements that
 * write the outbox probe `triggers_event_idx` (tenant, event_type) with them, so "could a trigger of this
 * tenant match" costs a few index probes.
 */
export const SELECT_SUCCEEDED = eventTypeSelectors('execution.succeeded')
export const SELECT_DEAD = eventTypeSelectors('execution.dead')
export const SELECT_COMPLETED = eventTypeSelectors('schedule.completed')

/**
 * The outbox probe of the statements that write the outbox: "has the tenant of the row aliased `u` an enabled
 * event trigger whose eventType is one of `selectors`" (a text[] expression), as `cross join lateral ... hit`,
 * so the row goes on only when it has. A LATERAL with LIMIT stays one lookup of triggers_event_idx by tenant
 * whatever the planner believes: written as EXISTS, with the updated rows estimated at one and no statistics
 * on a new triggers table, it was planned as a scan of every tenant's event triggers per row.
 */
export function withEventTrigger(db: Sql | TransactionSql, selectors: PendingQuery<Row[]>) {
  return db`cross join lateral (
               select 1 from triggers t
                where t.tenant = u.tenant and t.type = 'event' and t.enabled and t.event_type = any(${selectors})
                limit 1) hit`
}

/** An outbox row as it travels: enough to publish it and to find its subject. */
export interface OutboxEvent {
  /** event_outbox.id (bigint, as text). */
  outboxId: string
  tenant: string
  type: SystemEventType
  /** The execution (execution.*) or the schedule (schedule.completed). */
  subjectId: string
}

interface OutboxRow {
  id: string
  tenant: string
  type: SystemEventType
  subject_id: string
}

/**
 * The relay: outbox rows whose event was published (by the writer, or by an earlier relay pass) at least
 * `afterMs` ago and is still not handled, oldest first, at most `limit`; each is marked republished now, and
 * the wait before the next pass doubles with every republish (capped at 64×). SKIP LOCKED: relays of several
 * workers share the rows instead of waiting on each other.
 */
export async function claimUnhandledOutbox(
  sql: Sql,
  input: { nowMs: number; afterMs: number; limit: number },
): Promise<OutboxEvent[]> {
  const now = new Date(input.nowMs).toISOString()
  const rows = await sql<OutboxRow[]>`
    update event_outbox o
       set republished_at = ${now}::timestamptz, republishes = o.republishes + 1
     where o.id in (
       select id from event_outbox
        where coalesce(republished_at, created_at)
              + make_interval(secs => ${input.afterMs / 1000}::float8 * power(2, least(republishes, 6)))
              <= ${now}::timestamptz
        order by id
        limit ${input.limit}
          for update skip locked)
    returning o.id::text as id, o.tenant, o.type, o.subject_id`
  return rows
    .map((r) => ({ outboxId: r.id, tenant: r.tenant, type: r.type, subjectId: r.subject_id }))
    .sort((a, b) => Number(a.outboxId) - Number(b.outboxId))
}

/** Every column of a schedule but its conflict-index profile (as the API reads it). */
/** What one batch of handled events commits. */
export interface EventStartsCommit {
  /** One per event that starts something or stops a chain (its receipt deduplicates a redelivery). */
  requests: readonly StartRequest[]
  /** Audit entries per request (by index), written only when that request's receipt is new. */
  audits: ReadonlyMap<number, readonly AuditEntry[]>
  /** The outbox rows of every event of the batch (handled, whatever it matched). */
  outboxIds: readonly string[]
  at: Date
}

/**
 * The consumer's commit, one transaction: the starts with their receipts (insertStartBatch: a receipt seen
 * in the last 24 h starts nothing again), the audit entries of the requests whose receipt is new (a stopped
 * chain is recorded once however often its event is delivered), and the deletion of the events' outbox rows
 * (from then on they are handled). Outcomes are in the order of `requests`.
 */
export function commitEventStarts(sql: Sql, batch: EventStartsCommit): Promise<StartOutcome[]> {
  return sql.begin(async (tx: TransactionSql) => {
    const outcomes = await insertStartBatch(tx, batch.requests, batch.at)
    const audits = outcomes.flatMap((o, i) => (o.outcome === 'started' ? (batch.audits.get(i) ?? []) : []))
    await insertAuditEntries(tx, audits)
    if (batch.outboxIds.length > 0) {
      await tx`delete from event_outbox where id = any(${batch.outboxIds as string[]}::bigint[])`
    }
    return outcomes
  })
}

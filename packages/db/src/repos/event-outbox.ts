import { type ChainLink, eventTypeSelectors, type SystemEventType } from '@punctual/core'
import { sql as dsql, getTableColumns, inArray } from 'drizzle-orm'
import type { Sql, TransactionSql } from 'postgres'
import { executions } from '../schema/executions.ts'
import { schedules } from '../schema/schedules.ts'
import { type AuditEntry, insertAuditEntries } from './audit.ts'
import type { ExecutionRow } from './executions.ts'
import type { DbExecutor } from './executor.ts'
import { insertStartBatch, type StartOutcome, type StartRequest } from './ingest.ts'
import type { ScheduleView } from './schedules.ts'

/**
 * The system event bus's Postgres side (docs/design-notes.md, "System events"): the outbox rows that the end
 * and completion statements write (statements/execution-finish.ts, statements/fire-recording.ts), the relay's claim of rows nobody handled in time, the
 * reads a consumer needs (subjects and their chains), and the consumer's commit of what the events started.
 */

/**
 * The trigger eventTypes that select each system event (`*`, the prefix glob, the type): the statements that
 * write the outbox probe `triggers_event_idx` (tenant, event_type) with them, so "could a trigger of this
 * tenant match" costs a few index probes.
 */
export const SELECT_SUCCEEDED = eventTypeSelectors('execution.succeeded')
export const SELECT_DEAD = eventTypeSelectors('execution.dead')
export const SELECT_COMPLETED = eventTypeSelectors('schedule.completed')

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
const { conflictProfile: _conflictProfile, ...scheduleColumns } = getTableColumns(schedules)

/** What a consumer reads about a batch of events before matching them. */
export interface EventSubjects {
  /** Outbox ids still present: an event whose row is gone was handled already (a duplicate delivery). */
  pending: Set<string>
  executions: Map<string, ExecutionRow>
  schedules: Map<string, ScheduleView>
  /** Per execution: its chain from the root to itself (the links a system event started, oldest first). */
  chains: Map<string, ChainLink[]>
}

/** Longest chain walked back (a safety bound: loop detection keeps real chains far shorter). */
export const MAX_CHAIN_WALK = 1000

export function createEventBusRepo(db: DbExecutor) {
  return {
    async loadSubjects(input: {
      outboxIds: readonly string[]
      executionIds: readonly string[]
      scheduleIds: readonly string[]
    }): Promise<EventSubjects> {
      const [pending, executionRows, scheduleRows, links] = await Promise.all([
        input.outboxIds.length === 0
          ? []
          : db.execute<{ id: string }>(dsql`
              select id::text as id from event_outbox
               where id = any(${`{${input.outboxIds.join(',')}}`}::bigint[])`),
        input.executionIds.length === 0
          ? []
          : db
              .select()
              .from(executions)
              .where(inArray(executions.id, [...input.executionIds])),
        input.scheduleIds.length === 0
          ? []
          : db
              .select(scheduleColumns)
              .from(schedules)
              .where(inArray(schedules.id, [...input.scheduleIds])),
        input.executionIds.length === 0 ? [] : walkChains(db, input.executionIds),
      ])
      const chains = new Map<string, ChainLink[]>()
      for (const l of links) {
        const chain = chains.get(l.subject) ?? []
        chain.push({ executionId: l.id, workflowId: l.workflow_id, triggerId: l.trigger_id })
        chains.set(l.subject, chain)
      }
      // The walk went from each execution back to its root: oldest first is the reverse.
      for (const chain of chains.values()) chain.reverse()
      return {
        pending: new Set([...pending].map((r) => r.id)),
        executions: new Map(executionRows.map((r) => [r.id, r])),
        schedules: new Map(scheduleRows.map((r) => [r.id, r])),
        chains,
      }
    },
  }
}
export type EventBusRepo = ReturnType<typeof createEventBusRepo>

type ChainLinkRow = {
  subject: string
  id: string
  workflow_id: string
  trigger_id: string | null
  hop: number
}

/** Each execution's chain, walked back along caused_by_execution_id (primary-key lookups), ordered by hop. */
async function walkChains(db: DbExecutor, ids: readonly string[]): Promise<ChainLinkRow[]> {
  const rows = await db.execute<ChainLinkRow>(dsql`
    with recursive chain as (
      select e.id as subject, e.id, e.tenant, e.workflow_id, e.trigger_id, e.caused_by_execution_id as parent,
             0 as hop
        from executions e
       where e.id = any(${`{${ids.join(',')}}`}::uuid[])
      union all
      select c.subject, p.id, p.tenant, p.workflow_id, p.trigger_id, p.caused_by_execution_id, c.hop + 1
        from chain c join executions p on p.id = c.parent and p.tenant = c.tenant
       where c.hop < ${MAX_CHAIN_WALK}
    )
    select subject, id, workflow_id, trigger_id, hop from chain order by subject, hop`)
  return [...rows]
}

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

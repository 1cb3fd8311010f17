import type { ExecutionError } from '@punctual/core'
import type { Sql, TransactionSql } from 'postgres'
import type { ExecutionKind, ExecutionStatus } from '../schema/executions.ts'
import { statusIn } from '../status-guard.ts'
import { type OutboxEvent, SELECT_DEAD, SELECT_SUCCEEDED, withEventTrigger } from './event-outbox.ts'

/**
 * Transition: a runner ends an attempt (running → succeeded / retrying / dead / cancelled), group-committed,
 * with the system events in the outbox and buffer_one's held fire released in the same statement.
 *
 * Every write after the start is guarded by `status = 'running' and worker_id = <me> and attempt = <mine>`:
 * a start by another worker bumps the attempt, so a worker whose lease was taken over can never overwrite
 * the newer run. Each write is idempotent, so a statement the runner gave up waiting for (Postgres hung) and
 * that commits late does no harm when the runner tries again.
 * Plain postgres.js, one statement per batch, never one round trip per execution. Times go in as epoch ms or
 * ISO text and come back as epoch ms (drizzle's pass-through codecs make raw timestamptz values strings).
 * Status guards come from core's STATUS_GUARDS through statusIn (status-guard.ts holds the planner note).
 */

type Db = Sql | TransactionSql

export type FinishStatus = Extract<ExecutionStatus, 'succeeded' | 'retrying' | 'dead' | 'cancelled'>

export interface FinishRecord {
  id: string
  /** The attempt this worker started (the guard). */
  attempt: number
  status: FinishStatus
  /** Set for final statuses; null for `retrying`. */
  finishedAtMs: number | null
  error: ExecutionError | null
  /** This attempt's step outcomes, appended to the execution's history. */
  steps: readonly unknown[]
  /** `retrying`: when the next attempt may start. */
  availableAtMs: number | null
  /** As started (kind and schedule never change): a final fire releases its schedule's held fire. */
  kind: ExecutionKind
  scheduleId: string | null
}

export interface FinishResult {
  id: string
  /** true: the row now holds this record (written now, or by an earlier try whose answer was lost). */
  written: boolean
}

export interface ReleasedHeldFire {
  id: string
  tenant: string
  kind: ExecutionKind
  scheduleId: string
  workflowId: string
  priority: number
  scheduledForMs: number
  availableAtMs: number | null
  attempt: number
}

const FINAL: ReadonlySet<FinishStatus> = new Set(['succeeded', 'dead', 'cancelled'])

/**
 * One row per record (`outbox_id` null: did the statement write it, and the row as it was before), then one
 * per outbox row the statement wrote (`outbox_id` set; `id` is its execution).
 */
interface FinishRow {
  id: string
  updated: boolean | null
  status: ExecutionStatus | null
  worker_id: string | null
  attempt: number | null
  outbox_id: string | null
  outbox_type: OutboxEvent['type'] | null
  outbox_tenant: string | null
}

function finishStatement(db: Db, workerId: string, records: readonly FinishRecord[]) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  // The outer select reads `executions` as it was before this statement (a CTE's writes are not visible to
  // it): for a row not updated now, that is its current state.
  return db<FinishRow[]>`
    with v as (
      select * from unnest(
        ${records.map((r) => r.id)}::uuid[],
        ${records.map((r) => r.attempt)}::int[],
        ${records.map((r) => r.status)}::text[],
        ${records.map((r) => iso(r.finishedAtMs))}::text[],
        ${records.map((r) => (r.error === null ? null : JSON.stringify(r.error)))}::text[],
        ${records.map((r) => JSON.stringify(r.steps))}::text[],
        ${records.map((r) => iso(r.availableAtMs))}::text[]
      ) as v(id, attempt, status, finished_at, error, steps, available_at)
    ),
    upd as (
      update executions e
         set status = v.status,
             finished_at = v.finished_at::timestamptz,
             error = v.error::jsonb,
             steps = e.steps || v.steps::jsonb,
             available_at = v.available_at::timestamptz
        from v
       where e.id = v.id and ${statusIn(db, 'e.status', 'finish')} and e.worker_id = ${workerId} and e.attempt = v.attempt
      returning e.id, e.tenant, e.status
    ),
    -- A final end forgets the step results a later attempt would have resumed from (none for most
    -- executions: one-step workflows record nothing before their end).
    gc as (
      delete from execution_step_results r using upd u
       where r.execution_id = u.id and u.status <> 'retrying'
    ),
    -- The transactional outbox of the system events: only for tenants with an enabled event trigger whose
    -- eventType selects the event (one probe of triggers_event_idx per end), so an end costs nothing more
    -- for a tenant without such a trigger.
    ob as (
      insert into event_outbox (tenant, type, subject_id)
      select u.tenant, 'execution.' || u.status, u.id
        from upd u
             ${withEventTrigger(
               db,
               db`case u.status when 'succeeded' then ${SELECT_SUCCEEDED}::text[] else ${SELECT_DEAD}::text[] end`,
             )}
       where u.status in ('succeeded', 'dead')
      returning id, tenant, type, subject_id
    )
    -- Records and outbox rows come back as separate rows: "in (select id from upd)" is a hashed subplan,
    -- where a join with the CTEs (estimated at one row each) was a nested loop over the batch squared.
    select v.id, v.id in (select id from upd) as updated, e.status, e.worker_id, e.attempt,
           null::text as outbox_id, null::text as outbox_type, null::text as outbox_tenant
      from v left join executions e on e.id = v.id
    union all
    select ob.subject_id, null, null, null, null, ob.id::text, ob.type, ob.tenant from ob`
}

/** The system events an end statement put in the outbox, to publish after its COMMIT. */
function outboxEventsOf(rows: FinishRow[]): OutboxEvent[] {
  const events: OutboxEvent[] = []
  for (const r of rows) {
    if (r.outbox_id !== null && r.outbox_type !== null && r.outbox_tenant !== null) {
      events.push({ outboxId: r.outbox_id, tenant: r.outbox_tenant, type: r.outbox_type, subjectId: r.id })
    }
  }
  return events
}

/** Per schedule, the oldest fire buffer_one held back: held = false, enqueued now (the caller adds it to Redis). */
function releaseHeldStatement(db: Db, scheduleIds: readonly string[], nowIso: string) {
  return db<
    {
      id: string
      tenant: string
      kind: ExecutionKind
      schedule_id: string
      workflow_id: string
      priority: number
      scheduled_for_ms: number
      available_at_ms: number | null
      attempt: number
    }[]
  >`
    with pick as (
      select x.id
        from unnest(${scheduleIds as string[]}::uuid[]) as s(schedule_id)
        -- Only buffer_one holds fires back: other schedules (most) cost one primary-key probe, not a walk
        -- over their queued fires (a per-second schedule with a backlog has dozens).
        join schedules sc on sc.id = s.schedule_id and sc.overlap_policy = 'buffer_one'
        cross join lateral (
          select e.id from executions e
           where e.schedule_id = s.schedule_id and e.kind = 'fire' and e.held
             and ${statusIn(db, 'e.status', 'releaseHeld', { plain: true })}
           order by e.scheduled_for, e.id
           limit 1
        ) x
    )
    update executions e
       set held = false, enqueued_at = ${nowIso}::timestamptz
      from pick
     where e.id = pick.id and e.held and ${statusIn(db, 'e.status', 'releaseHeld')}
    returning e.id, e.tenant, e.kind, e.schedule_id, e.workflow_id, e.priority,
              (extract(epoch from e.scheduled_for) * 1000)::float8 as scheduled_for_ms,
              (extract(epoch from e.available_at) * 1000)::float8 as available_at_ms,
              e.attempt`
}

export interface FinishExecutionsResult {
  results: FinishResult[]
  released: ReleasedHeldFire[]
  /**
   * System events (execution.succeeded / execution.dead) the statement wrote to the outbox with the ends it
   * wrote: publish them after the COMMIT (publishSystemEvents); the outbox relay does it if this process
   * cannot.
   */
  events: OutboxEvent[]
}

/**
 * Writes the ends of many attempts in one statement (the runner's group commit). When some are final fires,
 * one transaction first locks their schedule rows (schedule before executions, as everywhere), writes the
 * ends, and releases per schedule the oldest fire buffer_one held back. A scheduler that decides "buffer"
 * under the same schedule lock therefore cannot miss the end it waits for.
 */
export async function finishExecutions(
  sql: Sql,
  input: { workerId: string; records: readonly FinishRecord[]; nowMs: number },
): Promise<FinishExecutionsResult> {
  const { records, workerId } = input
  if (records.length === 0) return { results: [], released: [], events: [] }
  const byId = new Map(records.map((r) => [r.id, r]))
  const toResults = (rows: FinishRow[]): FinishResult[] =>
    rows
      .filter((row) => row.outbox_id === null)
      .map((row) => {
        const rec = byId.get(row.id)!
        const already =
          !row.updated &&
          row.status === rec.status &&
          row.worker_id === workerId &&
          row.attempt === rec.attempt
        return { id: row.id, written: row.updated || already }
      })
  const fireSchedules = [
    ...new Set(
      records
        .filter((r) => FINAL.has(r.status) && r.kind === 'fire' && r.scheduleId)
        .map((r) => r.scheduleId!),
    ),
  ].sort()
  if (fireSchedules.length === 0) {
    const rows = await finishStatement(sql, workerId, records)
    return { results: toResults(rows), released: [], events: outboxEventsOf(rows) }
  }
  const nowIso = new Date(input.nowMs).toISOString()
  return sql.begin(async (tx) => {
    await tx`select id from schedules where id = any(${fireSchedules}::uuid[]) order by id for no key update`
    const rows = await finishStatement(tx, workerId, records)
    const updatedNow = new Set(rows.filter((r) => r.updated).map((r) => r.id))
    // Only ends written by this statement release: an end an earlier try wrote released its fire then.
    const release = [
      ...new Set(
        records
          .filter((r) => updatedNow.has(r.id) && FINAL.has(r.status) && r.kind === 'fire' && r.scheduleId)
          .map((r) => r.scheduleId!),
      ),
    ]
    const released =
      release.length === 0
        ? []
        : (await releaseHeldStatement(tx, release, nowIso)).map((r) => ({
            id: r.id,
            tenant: r.tenant,
            kind: r.kind,
            scheduleId: r.schedule_id,
            workflowId: r.workflow_id,
            priority: r.priority,
            scheduledForMs: r.scheduled_for_ms,
            availableAtMs: r.available_at_ms,
            attempt: r.attempt,
          }))
    return { results: toResults(rows), released, events: outboxEventsOf(rows) }
  })
}

import { skippedError } from '@punctual/core'
import type { Sql, TransactionSql } from 'postgres'
import type { ExecutionKind, ExecutionStatus } from '../schema/executions.ts'
import type { MisfirePolicy, OverlapPolicy, ScheduleState } from '../schema/schedules.ts'
import { statusIn } from '../status-guard.ts'
import { type OutboxEvent, SELECT_COMPLETED, withEventTrigger } from './event-outbox.ts'

/** The `error` of a fire skipped by its overlapPolicy (recorded so, or skipped at its start), as jsonb text. */
export const OVERLAP_ERROR = JSON.stringify(skippedError('overlap'))

/**
 * The scheduler's side of the executions table (issue 3 item 1): what one fire-claiming round reads and writes,
 * as set-based statements so a round of hundreds of claims costs a handful of round trips, not one per claim.
 * Plain postgres.js: drizzle's pass-through codecs make times travel as ISO text and JSON as text, so batches
 * go in as one JSON document (`json_to_recordset`) and times come back as epoch milliseconds.
 */

type Query = Sql | TransactionSql

/** The columns a fire decision needs, read under the row lock. */
export interface FireScheduleRow {
  id: string
  tenant: string
  workflowId: string
  version: number
  state: ScheduleState
  cronExpression: string
  timezone: string
  startDateMs: number | null
  endDateMs: number | null
  maxExecutions: number | null
  priority: number
  overlapPolicy: OverlapPolicy
  misfirePolicy: MisfirePolicy
  catchupWindowMs: number
  jitterMs: number
  /** Fires that started running (the runner's counter). */
  executionCount: number
  nextRunAtMs: number | null
}

/** An execution of a schedule that is queued, running or retrying. */
export interface UnfinishedExecutionRow {
  scheduleId: string
  id: string
  kind: ExecutionKind
  status: Extract<ExecutionStatus, 'queued' | 'running' | 'retrying'>
  /** buffer_one: waiting in Postgres for the earlier execution to end. */
  held: boolean
  /** It has started at least once (counted in execution_count). */
  started: boolean
}

/** A fire execution to record; every other column is copied from the (locked) schedule row. */
export interface NewFireExecution {
  id: string
  scheduleId: string
  scheduledForMs: number
  status: Extract<ExecutionStatus, 'queued' | 'skipped' | 'missed'>
  held: boolean
  /** queued fires: scheduledFor + stable jitter. */
  availableAtMs: number | null
  /** scheduledFor + the fire's stable jitter, whatever its status (executions.due_at). */
  dueAtMs: number
  /** overlapPolicy skip, decided at the fire's start (executions.overlap_check). */
  overlapCheck?: boolean
}

export interface FiredScheduleUpdate {
  id: string
  /** Compare-and-set: the row is only written at this version. */
  version: number
  nextRunAtMs: number | null
  state: Extract<ScheduleState, 'active' | 'completed' | 'expired'>
  /** Added to missed_count. */
  missedIncrement: number
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString())

/**
 * Locks the schedules (FOR NO KEY UPDATE, in id order so concurrent lockers cannot deadlock) and reads what
 * a fire decision needs. Rows that do not exist are simply absent.
 */
export async function lockSchedulesForFiring(
  sql: TransactionSql,
  ids: readonly string[],
): Promise<FireScheduleRow[]> {
  if (ids.length === 0) return []
  const rows = await sql<
    {
      id: string
      tenant: string
      workflow_id: string
      version: number
      state: ScheduleState
      cron_expression: string
      timezone: string
      start_ms: number | null
      end_ms: number | null
      max_executions: number | null
      priority: number
      overlap_policy: OverlapPolicy
      misfire_policy: MisfirePolicy
      catchup_window_ms: number
      jitter_ms: number
      execution_count: number
      next_run_ms: number | null
    }[]
  >`
    select id, tenant, workflow_id, version, state, cron_expression, timezone,
           (extract(epoch from start_date) * 1000)::float8 as start_ms,
           (extract(epoch from end_date) * 1000)::float8 as end_ms,
           max_executions, priority, overlap_policy, misfire_policy, catchup_window_ms, jitter_ms,
           execution_count, (extract(epoch from next_run_at) * 1000)::float8 as next_run_ms
      from schedules
     where id = any(${ids as string[]}::uuid[])
     order by id
       for no key update`
  return rows.map((r) => ({
    id: r.id,
    tenant: r.tenant,
    workflowId: r.workflow_id,
    version: r.version,
    state: r.state,
    cronExpression: r.cron_expression,
    timezone: r.timezone,
    startDateMs: r.start_ms === null ? null : Math.round(r.start_ms),
    endDateMs: r.end_ms === null ? null : Math.round(r.end_ms),
    maxExecutions: r.max_executions,
    priority: r.priority,
    overlapPolicy: r.overlap_policy,
    misfirePolicy: r.misfire_policy,
    catchupWindowMs: r.catchup_window_ms,
    jitterMs: r.jitter_ms,
    executionCount: r.execution_count,
    nextRunAtMs: r.next_run_ms === null ? null : Math.round(r.next_run_ms),
  }))
}

/** The schedules' unfinished executions (the partial index executions_unfinished_idx serves this). */
export async function listUnfinishedExecutions(
  sql: Query,
  scheduleIds: readonly string[],
): Promise<UnfinishedExecutionRow[]> {
  if (scheduleIds.length === 0) return []
  const rows = await sql<
    {
      schedule_id: string
      id: string
      kind: ExecutionKind
      status: UnfinishedExecutionRow['status']
      held: boolean
      started: boolean
    }[]
  >`
    select schedule_id, id, kind, status, held, started_at is not null as started
      from executions
     where schedule_id = any(${scheduleIds as string[]}::uuid[])
       and ${statusIn(sql, 'status', 'unfinished', { plain: true })}
     order by schedule_id, scheduled_for, id`
  return rows.map((r) => ({
    scheduleId: r.schedule_id,
    id: r.id,
    kind: r.kind,
    status: r.status,
    held: r.held,
    started: r.started,
  }))
}

/**
 * Records fire executions in one statement. Tenant, workflow, priority, input and retry policy are copied
 * from the schedule row (locked by the caller in this transaction, so they are the version being fired).
 * A fire already recorded — `(schedule_id, scheduled_for)` under executions_fire_uq, whatever its status —
 * is left alone: a claim repeated after a crash never records a fire twice. Returns the ids inserted.
 */
export async function insertFireExecutions(
  sql: Query,
  rows: readonly NewFireExecution[],
  nowMs: number,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const doc = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      schedule_id: r.scheduleId,
      scheduled_for: iso(r.scheduledForMs),
      status: r.status,
      held: r.held,
      available_at: iso(r.availableAtMs),
      due_at: iso(r.dueAtMs),
      overlap_check: r.overlapCheck ?? false,
    })),
  )
  const now = iso(nowMs)
  const inserted = await sql<{ id: string }[]>`
    insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, enqueued_at, finished_at,
                            status, attempt, priority, input, retry_policy, available_at, held, overlap_check,
                            error, due_at)
    select v.id, s.tenant, 'fire', s.id, s.workflow_id, v.scheduled_for,
           case when v.status = 'queued' and not v.held then ${now}::timestamptz end,
           case when v.status <> 'queued' then ${now}::timestamptz end,
           v.status, 0, s.priority, s.input, s.retry_policy, v.available_at, v.held, v.overlap_check,
           case when v.status = 'skipped' then ${OVERLAP_ERROR}::jsonb end, v.due_at
      from json_to_recordset(${doc}::json)
           as v(id uuid, schedule_id uuid, scheduled_for timestamptz, status text, held boolean,
                available_at timestamptz, overlap_check boolean, due_at timestamptz)
      join schedules s on s.id = v.schedule_id
    on conflict (schedule_id, scheduled_for) where kind = 'fire' do nothing
    returning id`
  return new Set(inserted.map((r) => r.id))
}

/**
 * Moves schedules on after their fires were recorded: next_run_at, state (completed / expired) and
 * missed_count, each by compare-and-set on the version. The version is NOT bumped: a claim returned by its
 * lease after a crash must still find the row at its version. Returns the ids written, and the
 * schedule.completed system events written to the outbox with the change (for tenants with an event trigger
 * that selects them), to publish after the COMMIT. The caller holds the rows' locks.
 */
export async function updateFiredSchedules(
  sql: Query,
  updates: readonly FiredScheduleUpdate[],
): Promise<{ written: Set<string>; events: OutboxEvent[] }> {
  if (updates.length === 0) return { written: new Set(), events: [] }
  const doc = JSON.stringify(
    updates.map((u) => ({
      id: u.id,
      version: u.version,
      next_run_at: iso(u.nextRunAtMs),
      state: u.state,
      missed: u.missedIncrement,
    })),
  )
  const rows = await sql<{ id: string; tenant: string; outbox_id: string | null }[]>`
    with v as (
      select * from json_to_recordset(${doc}::json)
        as v(id uuid, version int, next_run_at timestamptz, state text, missed int)
    ),
    -- The statement's snapshot: the states before this update (the caller holds the row locks).
    before as (select s.id, s.state from schedules s join v on v.id = s.id),
    upd as (
      update schedules s
         set next_run_at = v.next_run_at,
             state = v.state,
             missed_count = least(s.missed_count::bigint + v.missed, 2147483647)::int
        from v
       where s.id = v.id and s.version = v.version
      returning s.id, s.tenant, s.state
    ),
    ob as (
      insert into event_outbox (tenant, type, subject_id)
      select u.tenant, 'schedule.completed', u.id
        from upd u join before b on b.id = u.id ${withEventTrigger(sql, sql`${SELECT_COMPLETED}::text[]`)}
       where u.state = 'completed' and b.state <> 'completed'
      returning id, subject_id
    )
    select u.id, u.tenant, ob.id::text as outbox_id from upd u left join ob on ob.subject_id = u.id`
  const events: OutboxEvent[] = []
  for (const r of rows) {
    if (r.outbox_id !== null) {
      events.push({ outboxId: r.outbox_id, tenant: r.tenant, type: 'schedule.completed', subjectId: r.id })
    }
  }
  return { written: new Set(rows.map((r) => r.id)), events }
}

/**
 * cancel_previous: queued and retrying executions become `cancelled` at once; running ones get
 * `cancel_requested_at` (their owner aborts the in-flight step and marks them cancelled).
 */
export async function cancelForOverlap(
  sql: Query,
  ids: readonly string[],
  nowMs: number,
): Promise<{ cancelled: string[]; cancelRequested: string[] }> {
  if (ids.length === 0) return { cancelled: [], cancelRequested: [] }
  const now = iso(nowMs)
  const cancelled = await sql<{ id: string }[]>`
    update executions set status = 'cancelled', finished_at = ${now}::timestamptz
     where id = any(${ids as string[]}::uuid[]) and ${statusIn(sql, 'status', 'cancelWaiting')}
    returning id`
  const requested = await sql<{ id: string }[]>`
    update executions set cancel_requested_at = coalesce(cancel_requested_at, ${now}::timestamptz)
     where id = any(${ids as string[]}::uuid[]) and ${statusIn(sql, 'status', 'requestCancel')}
    returning id`
  return { cancelled: cancelled.map((r) => r.id), cancelRequested: requested.map((r) => r.id) }
}

/** Priorities of schedules, unlocked: orders a large round's claims (fire time, then priority) before chunking. */
export async function schedulePriorities(sql: Query, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map()
  const rows = await sql<{ id: string; priority: number }[]>`
    select id, priority from schedules where id = any(${ids as string[]}::uuid[])`
  return new Map(rows.map((r) => [r.id, r.priority]))
}

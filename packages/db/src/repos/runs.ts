import { type ExecutionError, skippedError } from '@punctual/core'
import type { Sql, TransactionSql } from 'postgres'
import type { ExecutionKind, ExecutionStatus } from '../schema/executions.ts'
import { statusIn } from '../status-guard.ts'
import { type OutboxEvent, SELECT_COMPLETED, SELECT_DEAD, SELECT_SUCCEEDED } from './event-outbox.ts'

/**
 * The runner's writes to `executions` (docs/design-notes.md, "Executions: who writes what"), in plain
 * postgres.js: one statement per batch, never one round trip per execution. Times go in as epoch ms or ISO
 * text and come back as epoch ms (drizzle's pass-through codecs make raw timestamptz values strings).
 *
 * Every write after the start is guarded by `status = 'running' and worker_id = <me> and attempt = <mine>`:
 * a start by another worker bumps the attempt, so a worker whose lease was taken over can never overwrite
 * the newer run. Each write is idempotent, so a statement the runner gave up waiting for (Postgres hung) and
 * that commits late does no harm when the runner tries again.
 */

type Db = Sql | TransactionSql

// Status guards come from core's STATUS_GUARDS through statusIn (status-guard.ts holds the planner note).

const OVERLAP_ERROR = JSON.stringify(skippedError('overlap'))

export interface StartCandidate {
  id: string
  kind: ExecutionKind
  /** From the queue's payload: lets the fire path lock schedule rows before execution rows. */
  scheduleId: string | null
}

export interface StartedExecution {
  id: string
  tenant: string
  kind: ExecutionKind
  scheduleId: string | null
  workflowId: string
  scheduledForMs: number
  /** The attempt that starts now (1 for the first run). */
  attempt: number
  priority: number
  input: Record<string, unknown>
  retryPolicy: Record<string, unknown> | null
  /** The workflow's current version, null when the workflow row is gone. */
  workflowVersion: number | null
}

export interface CancelledAtStart {
  id: string
  attempt: number
  kind: ExecutionKind
  scheduleId: string | null
}

export interface SkippedAtStart {
  id: string
  scheduleId: string
  scheduledForMs: number
}

export interface CompletedSchedule {
  scheduleId: string
  workflowId: string
  /** The row's version after the change (the due-index write carries it). */
  version: number
}

export interface StartExecutionsResult {
  /** Now `running` under this worker, attempt bumped. */
  started: StartedExecution[]
  /** A cancel was requested while a dead worker ran them: now `cancelled` instead of started. */
  cancelled: CancelledAtStart[]
  /** Fires recorded with overlap_check whose schedule still had an earlier unfinished execution: `skipped`. */
  skipped: SkippedAtStart[]
  /** Fires past their schedule's maxExecutions: deleted (a fire over the limit never happens). */
  overLimit: string[]
  /** Schedules whose execution_count reached max_executions with these starts: now `completed`. */
  completed: CompletedSchedule[]
  /**
   * First starts of fires of schedules without a maxExecutions budget, per schedule: their execution_count
   * is not bumped by the start (that would wait on the scheduler's lock of the schedule row on the critical
   * path); the caller adds them soon after with addExecutionCounts.
   */
  countLater: Map<string, number>
  /** schedule.completed events the start wrote to the outbox: publish them after the COMMIT. */
  events: OutboxEvent[]
  // Any other id was not startable (row gone, finished, held): the caller acks and drops it.
}

interface StartRow {
  outcome: 'started' | 'cancelled' | 'skipped'
  id: string
  tenant: string
  kind: ExecutionKind
  schedule_id: string | null
  workflow_id: string
  scheduled_for_ms: number
  attempt: number
  priority: number
  input: Record<string, unknown>
  retry_policy: Record<string, unknown> | null
  workflow_version: number | null
  first_start: boolean | null
}

/**
 * One statement: start the startable rows among `startIds` (no cancel requested) and cancel those whose
 * cancel was requested while they ran elsewhere. A row another statement changed meanwhile is re-checked by
 * Postgres (READ COMMITTED re-evaluates the guard on the newest row version), so a row the API cancelled or
 * deleted first is simply not returned.
 */
async function startStatement(
  db: Db,
  ids: readonly string[],
  workerId: string,
  nowIso: string,
  opts: { skipBudgetedFires?: boolean } = {},
): Promise<StartRow[]> {
  // The fast path leaves fires of schedules with a maxExecutions budget to the locking transaction below.
  const budgetGuard = opts.skipBudgetedFires
    ? db`and not (e.kind = 'fire' and exists (
           select 1 from schedules s where s.id = e.schedule_id and s.max_executions is not null))`
    : db``
  return db<StartRow[]>`
    with cand as (
      select e.id, e.cancel_requested_at is not null as cancel_requested, e.started_at is null as first_start,
             -- overlapPolicy skip decided now (see executions.overlap_check): an execution of the schedule
             -- from before this fire's time is still unfinished (later fires recorded ahead do not count). A
             -- range of executions_unfinished_idx that stops at the first hit.
             (e.overlap_check and e.started_at is null and exists (
                select 1 from executions p
                 where p.schedule_id = e.schedule_id
                   and ${statusIn(db, 'p.status', 'unfinished', { plain: true })}
                   and p.scheduled_for < e.scheduled_for
                   and not p.held)) as overlapped
        from executions e
       where e.id = any(${ids as string[]}::uuid[])
         and ${statusIn(db, 'e.status', 'start')}
         and not e.held
         ${budgetGuard}
         for update of e
    ),
    started as (
      update executions e
         set status = 'running',
             -- Already running under this worker: a start of ours whose answer we never got committed after
             -- all (or our own lease came back to us). The attempt it started is the one that runs now.
             attempt = case when e.status = 'running' and e.worker_id = ${workerId} then e.attempt
                            else e.attempt + 1 end,
             started_at = coalesce(e.started_at, ${nowIso}::timestamptz),
             worker_id = ${workerId}
        from cand c
       where e.id = c.id and not c.cancel_requested and not c.overlapped
      returning e.id, e.tenant, e.kind, e.schedule_id, e.workflow_id,
                (extract(epoch from e.scheduled_for) * 1000)::float8 as scheduled_for_ms,
                e.attempt, e.priority, e.input, e.retry_policy, c.first_start
    ),
    cancelled as (
      update executions e
         set status = 'cancelled', finished_at = ${nowIso}::timestamptz
        from cand c
       where e.id = c.id and c.cancel_requested
      returning e.id, e.kind, e.schedule_id, e.attempt
    ),
    skipped as (
      update executions e
         set status = 'skipped', finished_at = ${nowIso}::timestamptz, error = ${OVERLAP_ERROR}::jsonb
        from cand c
       where e.id = c.id and c.overlapped and not c.cancel_requested
      returning e.id, e.kind, e.schedule_id, e.attempt,
                (extract(epoch from e.scheduled_for) * 1000)::float8 as scheduled_for_ms
    )
    select 'started' as outcome, s.id, s.tenant, s.kind, s.schedule_id, s.workflow_id, s.scheduled_for_ms,
           s.attempt, s.priority, s.input, s.retry_policy, w.version as workflow_version, s.first_start
      from started s left join workflows w on w.id = s.workflow_id
    union all
    select 'cancelled', c.id, null, c.kind, c.schedule_id, null, null, c.attempt, null, null, null, null, null
      from cancelled c
    union all
    select 'skipped', k.id, null, k.kind, k.schedule_id, null, k.scheduled_for_ms, k.attempt, null, null, null,
           null, null
      from skipped k`
}

function splitStartRows(rows: StartRow[]): Pick<StartExecutionsResult, 'started' | 'cancelled' | 'skipped'> {
  const started: StartedExecution[] = []
  const cancelled: CancelledAtStart[] = []
  const skipped: SkippedAtStart[] = []
  for (const r of rows) {
    if (r.outcome === 'skipped') {
      skipped.push({ id: r.id, scheduleId: r.schedule_id!, scheduledForMs: r.scheduled_for_ms })
      continue
    }
    if (r.outcome === 'cancelled') {
      cancelled.push({ id: r.id, attempt: r.attempt, kind: r.kind, scheduleId: r.schedule_id })
      continue
    }
    started.push({
      id: r.id,
      tenant: r.tenant,
      kind: r.kind,
      scheduleId: r.schedule_id,
      workflowId: r.workflow_id,
      scheduledForMs: r.scheduled_for_ms,
      attempt: r.attempt,
      priority: r.priority,
      input: r.input ?? {},
      retryPolicy: r.retry_policy,
      workflowVersion: r.workflow_version,
    })
  }
  return { started, cancelled, skipped }
}

/**
 * The runner's start of the executions of one dequeue (design notes: a conditional update).
 * - Fast path, one statement: every candidate except fires of schedules with a maxExecutions budget. Those
 *   fires' first starts are returned in `countLater` (execution_count is informational for them and is added
 *   by addExecutionCounts off the critical path).
 * - Budgeted fires (and fire ids the fast path did not start, which then turn out gone or not startable): one
 *   transaction that locks the schedule rows first (the order the API and the scheduler use: schedule, then
 *   its executions), enforces maxExecutions (counting only the first start of a fire: a reclaimed or
 *   handed-back fire was counted already), bumps execution_count and completes the schedules that reach
 *   their limit (version + 1, next_run_at null).
 */
export async function startExecutions(
  sql: Sql,
  input: { candidates: readonly StartCandidate[]; workerId: string; nowMs: number },
): Promise<StartExecutionsResult> {
  const nowIso = new Date(input.nowMs).toISOString()
  const ids = input.candidates.map((c) => c.id)
  const countLater = new Map<string, number>()
  if (ids.length === 0) {
    return { started: [], cancelled: [], skipped: [], overLimit: [], completed: [], countLater, events: [] }
  }
  const hasFires = input.candidates.some((c) => c.kind === 'fire' && c.scheduleId)
  const rows = await startStatement(sql, ids, input.workerId, nowIso, { skipBudgetedFires: hasFires })
  const fast = splitStartRows(rows)
  for (const r of rows) {
    if (r.outcome === 'started' && r.kind === 'fire' && r.first_start && r.schedule_id) {
      countLater.set(r.schedule_id, (countLater.get(r.schedule_id) ?? 0) + 1)
    }
  }
  const handled = new Set(rows.map((r) => r.id))
  const rest = input.candidates.filter((c) => c.kind === 'fire' && c.scheduleId && !handled.has(c.id))
  if (rest.length === 0) return { ...fast, overLimit: [], completed: [], countLater, events: [] }
  const budgeted = await startBudgetedFires(sql, rest, input.workerId, nowIso)
  return {
    started: [...fast.started, ...budgeted.started],
    cancelled: [...fast.cancelled, ...budgeted.cancelled],
    skipped: [...fast.skipped, ...budgeted.skipped],
    overLimit: budgeted.overLimit,
    completed: budgeted.completed,
    countLater,
    events: budgeted.events,
  }
}

/** The locking transaction for fires whose schedule has (or may have) a maxExecutions budget. */
function startBudgetedFires(
  sql: Sql,
  candidates: readonly StartCandidate[],
  workerId: string,
  nowIso: string,
): Promise<Omit<StartExecutionsResult, 'countLater'>> {
  const ids = candidates.map((c) => c.id)
  const scheduleIds = [...new Set(candidates.map((c) => c.scheduleId!))]
  return sql.begin(async (tx) => {
    const schedules = await tx<
      {
        id: string
        workflow_id: string
        execution_count: number
        max_executions: number | null
        state: string
        version: number
      }[]
    >`select id, workflow_id, execution_count, max_executions, state, version
        from schedules where id = any(${scheduleIds}::uuid[]) order by id for no key update`
    const bySchedule = new Map(schedules.map((s) => [s.id, { ...s, starts: 0 }]))

    // Which fires are first starts, in fire-time order, so the earliest fires win the remaining budget.
    // `kind || ''` keeps the planner on the primary key: with `kind = 'fire'` it may pick the partial index
    // executions_fire_uq (WHERE kind = 'fire') and scan all of it when statistics are stale (seen: 36-50 ms
    // per batch at 30k rows, growing with the table).
    const fires = await tx<{ id: string; schedule_id: string }[]>`
      select id, schedule_id from executions
       where id = any(${ids}::uuid[]) and (kind || '') = 'fire' and started_at is null
         and ${statusIn(tx, 'status', 'start')} and not held and cancel_requested_at is null
       order by scheduled_for, id
         for update`
    const overLimit: string[] = []
    for (const f of fires) {
      const s = bySchedule.get(f.schedule_id)
      if (!s) continue // the schedule is gone: history outlives it, nothing to count
      if (s.max_executions !== null && s.execution_count + s.starts >= s.max_executions) overLimit.push(f.id)
      else s.starts++
    }
    const over = new Set(overLimit)
    const rows = await startStatement(
      tx,
      ids.filter((id) => !over.has(id)),
      workerId,
      nowIso,
    )
    if (overLimit.length > 0) {
      await tx`delete from executions where id = any(${overLimit}::uuid[]) and ${statusIn(tx, 'status', 'discardOverBudget')}`
    }

    const counted = [...bySchedule.values()].filter((s) => s.starts > 0)
    const completed: CompletedSchedule[] = []
    const events: OutboxEvent[] = []
    if (counted.length > 0) {
      const open = counted.filter((s) => s.state !== 'completed').map((s) => s.id)
      const updated = await tx<
        {
          id: string
          workflow_id: string
          version: number
          state: string
          outbox_id: string | null
          outbox_tenant: string | null
        }[]
      >`
        with upd as (
        update schedules s
           set execution_count = s.execution_count + v.starts,
               state = case when s.max_executions is not null
                             and s.execution_count + v.starts >= s.max_executions
                             and s.state in ('active', 'paused')
                            then 'completed' else s.state end,
               version = case when s.max_executions is not null
                               and s.execution_count + v.starts >= s.max_executions
                               and s.state in ('active', 'paused')
                              then s.version + 1 else s.version end,
               next_run_at = case when s.max_executions is not null
                                   and s.execution_count + v.starts >= s.max_executions
                                   and s.state in ('active', 'paused')
                                  then null else s.next_run_at end,
               updated_at = case when s.max_executions is not null
                                  and s.execution_count + v.starts >= s.max_executions
                                  and s.state in ('active', 'paused')
                                 then ${nowIso}::timestamptz else s.updated_at end
          from unnest(${counted.map((s) => s.id)}::uuid[], ${counted.map((s) => s.starts)}::int[])
               as v(id, starts)
         where s.id = v.id
        returning s.id, s.tenant, s.workflow_id, s.version, s.state
        ),
        -- The system event schedule.completed, in the outbox with the change (see finishStatement).
        ob as (
          insert into event_outbox (tenant, type, subject_id)
          select u.tenant, 'schedule.completed', u.id
            from upd u
           where u.state = 'completed' and u.id = any(${open}::uuid[])
             and exists (select 1 from triggers t
                          where t.tenant = u.tenant and t.type = 'event' and t.enabled
                            and t.event_type = any(${SELECT_COMPLETED}::text[]))
          returning id, tenant, subject_id
        )
        select u.id, u.workflow_id, u.version, u.state, ob.id::text as outbox_id, ob.tenant as outbox_tenant
          from upd u left join ob on ob.subject_id = u.id`
      const before = new Map(schedules.map((s) => [s.id, s.state]))
      for (const u of updated) {
        if (u.state === 'completed' && before.get(u.id) !== 'completed') {
          completed.push({ scheduleId: u.id, workflowId: u.workflow_id, version: u.version })
        }
        if (u.outbox_id !== null && u.outbox_tenant !== null) {
          events.push({
            outboxId: u.outbox_id,
            tenant: u.outbox_tenant,
            type: 'schedule.completed',
            subjectId: u.id,
          })
        }
      }
    }
    return { ...splitStartRows(rows), overLimit, completed, events }
  })
}

/**
 * Adds fire starts to schedules' execution_count (the fast path's `countLater`), in one statement that locks
 * the rows in id order first, so two workers adding to overlapping schedules never deadlock. A row another
 * transaction holds (a scheduler recording the schedule's fires) is skipped rather than waited for: the caller
 * keeps its count for the next turn. Schedules that are gone are skipped too (history outlives them) and
 * reported as added. Returns the ids whose count was written or is moot.
 */
export async function addExecutionCounts(
  sql: Sql,
  counts: ReadonlyMap<string, number>,
): Promise<Set<string>> {
  if (counts.size === 0) return new Set()
  const entries = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const ids = entries.map(([id]) => id)
  const rows = await sql<{ id: string; added: boolean }[]>`
    with v as (
      select * from unnest(${ids}::uuid[], ${entries.map(([, n]) => n)}::int[]) as v(id, n)
    ),
    locked as (
      select s.id from schedules s where s.id in (select id from v) order by s.id for no key update skip locked
    ),
    upd as (
      update schedules s set execution_count = s.execution_count + v.n
        from v join locked l on l.id = v.id
       where s.id = v.id
      returning s.id
    )
    select v.id, (u.id is not null or not exists (select 1 from schedules s where s.id = v.id)) as added
      from v left join upd u on u.id = v.id`
  return new Set(rows.filter((r) => r.added).map((r) => r.id))
}

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

interface FinishRow {
  id: string
  updated: boolean
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
    -- The transactional outbox of the system events: only for tenants with an enabled event trigger whose
    -- eventType selects the event (one probe of triggers_event_idx per end), so an end costs nothing more
    -- for a tenant without such a trigger.
    ob as (
      insert into event_outbox (tenant, type, subject_id)
      select u.tenant, 'execution.' || u.status, u.id
        from upd u
       where u.status in ('succeeded', 'dead')
         and exists (select 1 from triggers t
                      where t.tenant = u.tenant and t.type = 'event' and t.enabled
                        and t.event_type = any(case u.status when 'succeeded' then ${SELECT_SUCCEEDED}::text[]
                                                                 else ${SELECT_DEAD}::text[] end))
      returning id, tenant, type, subject_id
    )
    select v.id, u.id is not null as updated, e.status, e.worker_id, e.attempt,
           ob.id::text as outbox_id, ob.type as outbox_type, ob.tenant as outbox_tenant
      from v left join upd u on u.id = v.id left join executions e on e.id = v.id
             left join ob on ob.subject_id = v.id`
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
    rows.map((row) => {
      const rec = byId.get(row.id)!
      const already =
        !row.updated && row.status === rec.status && row.worker_id === workerId && row.attempt === rec.attempt
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

/**
 * Graceful shutdown: attempts this worker started and aborted go back to `queued` with the attempt they
 * started from, so the worker that takes them over runs the same attempt number again (a handback is not a
 * failed attempt). started_at stays, so a fire is not counted twice toward maxExecutions.
 */
export async function handBackExecutions(
  sql: Sql,
  input: { workerId: string; items: readonly { id: string; attempt: number }[] },
): Promise<string[]> {
  if (input.items.length === 0) return []
  const rows = await sql<{ id: string }[]>`
    update executions e
       set status = 'queued', attempt = e.attempt - 1, worker_id = null
      from unnest(${input.items.map((i) => i.id)}::uuid[], ${input.items.map((i) => i.attempt)}::int[])
           as v(id, attempt)
     where e.id = v.id and ${statusIn(sql, 'e.status', 'handBack')} and e.worker_id = ${input.workerId} and e.attempt = v.attempt
    returning e.id`
  return rows.map((r) => r.id)
}

/** Of these executions, the ones whose cancel was requested (the fallback when a pub/sub message is lost). */
export async function findCancelRequested(sql: Sql, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await sql<{ id: string }[]>`
    select id from executions
     where id = any(${ids as string[]}::uuid[]) and ${statusIn(sql, 'status', 'requestCancel')} and cancel_requested_at is not null`
  return rows.map((r) => r.id)
}

export interface WorkflowDefinition {
  id: string
  version: number
  steps: unknown[]
  timeoutMs: number | null
}

/** The steps of these workflows at their current version (the runner caches them by id and version). */
export async function loadWorkflowDefinitions(
  sql: Sql,
  ids: readonly string[],
): Promise<WorkflowDefinition[]> {
  if (ids.length === 0) return []
  const rows = await sql<{ id: string; version: number; steps: unknown[]; timeout_ms: number | null }[]>`
    select id, version, steps, timeout_ms from workflows where id = any(${ids as string[]}::uuid[])`
  return rows.map((r) => ({ id: r.id, version: r.version, steps: r.steps, timeoutMs: r.timeout_ms }))
}

import type { Sql, TransactionSql } from 'postgres'
import type { ExecutionKind } from '../schema/executions.ts'
import { statusIn } from '../status-guard.ts'
import { type OutboxEvent, SELECT_COMPLETED, withEventTrigger } from './event-outbox.ts'
import { OVERLAP_ERROR } from './fire-recording.ts'

/**
 * Transition: a runner starts the executions it dequeued (queued / retrying, or running under a lost
 * lease → running), in one conditional statement; the overlap check of `overlap_check` fires and
 * maxExecutions are decided here too (docs/design-notes.md, "Executions: who writes what").
 * Plain postgres.js, one statement per batch, never one round trip per execution. Times go in as epoch ms or
 * ISO text and come back as epoch ms (drizzle's pass-through codecs make raw timestamptz values strings).
 * Status guards come from core's STATUS_GUARDS through statusIn (status-guard.ts holds the planner note).
 */

type Db = Sql | TransactionSql

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
  /**
   * The workflow version this execution runs: pinned by its first start (the workflow's version then) and
   * kept by every later attempt; null when the workflow row was gone at its first start.
   */
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
             worker_id = ${workerId},
             -- An execution runs the version it first started with (a PUT between attempts changes nothing).
             workflow_version = coalesce(e.workflow_version,
                                         (select w.version from workflows w where w.id = e.workflow_id))
        from cand c
       where e.id = c.id and not c.cancel_requested and not c.overlapped
      returning e.id, e.tenant, e.kind, e.schedule_id, e.workflow_id,
                (extract(epoch from e.scheduled_for) * 1000)::float8 as scheduled_for_ms,
                e.attempt, e.priority, e.input, e.retry_policy, c.first_start, e.workflow_version
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
           s.attempt, s.priority, s.input, s.retry_policy, s.workflow_version, s.first_start
      from started s
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

interface BudgetSchedule {
  id: string
  workflow_id: string
  execution_count: number
  max_executions: number | null
  state: string
  version: number
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
      BudgetSchedule[]
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
    const ends = counted.length > 0 ? await countStarts(tx, schedules, counted, nowIso) : NO_ENDS
    return { ...splitStartRows(rows), overLimit, ...ends }
  })
}

const NO_ENDS: Pick<StartExecutionsResult, 'completed' | 'events'> = { completed: [], events: [] }

/**
 * Adds the starts to the schedules' execution_count, completes those that reach max_executions (version + 1,
 * next_run_at null) and writes their schedule.completed events to the outbox, in one statement.
 */
async function countStarts(
  tx: TransactionSql,
  schedules: BudgetSchedule[],
  counted: (BudgetSchedule & { starts: number })[],
  nowIso: string,
): Promise<Pick<StartExecutionsResult, 'completed' | 'events'>> {
  const completed: CompletedSchedule[] = []
  const events: OutboxEvent[] = []
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
            from upd u ${withEventTrigger(tx, tx`${SELECT_COMPLETED}::text[]`)}
           where u.state = 'completed' and u.id = any(${open}::uuid[])
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
  return { completed, events }
}

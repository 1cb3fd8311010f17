import { uuidv7Floor } from '@punctual/core'
import { and, desc, eq, getTableColumns, sql } from 'drizzle-orm'
import { type ExecutionStatus, executionStatuses, executions } from '../schema/executions.ts'
import { type ScheduleState, scheduleStates } from '../schema/schedules.ts'
import type { ExecutionRow } from './executions.ts'
import type { DbExecutor } from './executor.ts'

/** Figures read from executions, for createExecutionsRepo: scheduleSummary, tenantStats, countByStatusSince. */

export interface ScheduleExecutionSummary {
  /** The schedule's newest execution (any kind), or null when it has none. */
  last: ExecutionRow | null
  /** Fire and manual executions that succeeded. */
  succeeded: number
  /** Fire and manual executions that ran to an end: succeeded, dead or cancelled. */
  finished: number
  /** Mean finished_at − started_at of the succeeded ones (ms), null when there are none. */
  averageDurationMs: number | null
}

export type CountsByStatus = Record<ExecutionStatus, number>

export interface TenantExecutionStats {
  schedulesByState: Record<ScheduleState, number>
  lastHour: CountsByStatus
  lastDay: CountsByStatus
  /** Dead executions of the tenant, all time (the dead-letter queue). */
  dead: number
  /** Active schedules of the tenant with a next fire (what its due-index entries are written from). */
  dueSchedules: number
  /** Of those, the ones whose next fire time has passed: not yet fired. */
  overdueSchedules: number
  /** started_at − scheduled_for of the fires created in the last hour that started; null when none. */
  firingLagMs: { p50: number; p95: number; p99: number } | null
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
/** Outcomes of a run, for successRate: skipped and missed fires never ran and are not counted. */
const RUN_OUTCOMES: ExecutionStatus[] = ['succeeded', 'dead', 'cancelled']

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>
}

/**
 * The status figures of one schedule in one query: its newest execution (any kind) and, over its fire and
 * manual executions, succeeded / finished counts and the mean duration of the succeeded ones.
 * Both parts read executions_schedule_idx (schedule_id, id).
 */
export async function scheduleSummary(
  db: DbExecutor,
  tenant: string,
  scheduleId: string,
): Promise<ScheduleExecutionSummary> {
  // The outer row is the newest execution; the figures come from one uncorrelated subquery (one pass over
  // the schedule's rows, evaluated once). No execution at all → no row, and every figure is empty anyway.
  const [row] = await db
    .select({
      ...getTableColumns(executions),
      figures: sql<[number, number, number | null]>`(
            select jsonb_build_array(
              count(*) filter (where status = 'succeeded'),
              count(*) filter (where status in ${RUN_OUTCOMES}),
              avg(extract(epoch from finished_at - started_at) * 1000)
                filter (where status = 'succeeded' and started_at is not null and finished_at is not null))
            from executions
            where tenant = ${tenant} and schedule_id = ${scheduleId} and kind in ('fire', 'manual'))`.mapWith(
        (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as [number, number, number | null],
      ),
    })
    .from(executions)
    .where(and(eq(executions.tenant, tenant), eq(executions.scheduleId, scheduleId)))
    .orderBy(desc(executions.id))
    .limit(1)
  if (!row) return { last: null, succeeded: 0, finished: 0, averageDurationMs: null }
  const { figures, ...last } = row
  const [succeeded, finished, averageDurationMs] = figures
  return {
    last,
    succeeded: Number(succeeded),
    finished: Number(finished),
    averageDurationMs: averageDurationMs === null ? null : Number(averageDurationMs),
  }
}

/**
 * Tenant-wide figures for GET /api/schedules/stats in one query. "Last hour/day" = created in that window,
 * read as an id range (ids are UUIDv7) on executions_tenant_id_idx; dead from executions_status_idx.
 */
export async function tenantStats(db: DbExecutor, tenant: string, at: Date): Promise<TenantExecutionStats> {
  const hourFloor = uuidv7Floor(at.getTime() - HOUR_MS)
  const dayFloor = uuidv7Floor(at.getTime() - DAY_MS)
  const [row] = await db.execute<{
    schedules: Record<string, number> | null
    windows: { status: string; hour: number; day: number }[] | null
    dead: number
    due: [number, number] | null
    lag: number[] | null
  }>(sql`
        select
          (select jsonb_object_agg(state, n) from
            (select state, count(*)::int as n from schedules where tenant = ${tenant} group by state) s)
            as schedules,
          (select jsonb_agg(w) from
            (select status, count(*) filter (where id >= ${hourFloor}::uuid)::int as hour, count(*)::int as day
               from executions where tenant = ${tenant} and id >= ${dayFloor}::uuid group by status) w)
            as windows,
          (select count(*)::int from executions where tenant = ${tenant} and status = 'dead') as dead,
          (select jsonb_build_array(count(*), count(*) filter (where next_run_at < ${at.toISOString()}::timestamptz))
             from schedules where tenant = ${tenant} and state = 'active' and next_run_at is not null) as due,
          (select percentile_cont(array[0.5, 0.95, 0.99]::float8[]) within group
                    (order by (extract(epoch from started_at - scheduled_for) * 1000)::float8)
             from executions
             where tenant = ${tenant} and id >= ${hourFloor}::uuid and kind = 'fire' and started_at is not null)
            as lag`)
  const schedulesByState = zeroCounts(scheduleStates)
  for (const [state, n] of Object.entries(row?.schedules ?? {})) {
    if (state in schedulesByState) schedulesByState[state as ScheduleState] = n
  }
  const lastHour = zeroCounts(executionStatuses)
  const lastDay = zeroCounts(executionStatuses)
  for (const w of row?.windows ?? []) {
    if (!(w.status in lastDay)) continue
    lastHour[w.status as ExecutionStatus] = w.hour
    lastDay[w.status as ExecutionStatus] = w.day
  }
  const lag = row?.lag
  return {
    schedulesByState,
    lastHour,
    lastDay,
    dead: row?.dead ?? 0,
    dueSchedules: Number(row?.due?.[0] ?? 0),
    overdueSchedules: Number(row?.due?.[1] ?? 0),
    firingLagMs: lag && lag[0] != null ? { p50: lag[0], p95: lag[1]!, p99: lag[2]! } : null,
  }
}

/** Executions created in the window ending at `at`, by status, all tenants (primary-key range scan). */
export async function countByStatusSince(db: DbExecutor, since: Date): Promise<CountsByStatus> {
  const rows = await db.execute<{ status: string; n: number }>(sql`
        select status, count(*)::int as n from executions where id >= ${uuidv7Floor(since.getTime())}::uuid
        group by status`)
  const counts = zeroCounts(executionStatuses)
  for (const r of rows) if (r.status in counts) counts[r.status as ExecutionStatus] = r.n
  return counts
}

export interface ThroughputRow {
  /** Start of the minute. */
  at: Date
  succeeded: number
  dead: number
  cancelled: number
}

/** How far before the window an execution may have been created and still be counted: retries take long. */
const THROUGHPUT_CREATED_SLACK_MS = 2 * HOUR_MS

/**
 * Executions of the tenant that ended (succeeded, dead, cancelled) in each whole minute of [from, to), by
 * finished_at, zero minutes included, oldest first. Read as an id range (created at most 2 h before `from`,
 * on executions_tenant_id_idx): an execution that ran longer than that before ending is not counted.
 */
export async function throughputPerMinute(
  db: DbExecutor,
  tenant: string,
  from: Date,
  to: Date,
): Promise<ThroughputRow[]> {
  const floor = uuidv7Floor(from.getTime() - THROUGHPUT_CREATED_SLACK_MS)
  // One pass over the window's executions (a primary-key range from `floor`), grouped by minute, then the
  // minutes without any laid beside them as zeros.
  const rows = await db.execute<{ at: string; succeeded: number; dead: number; cancelled: number }>(sql`
        with ended as (
          select to_timestamp(floor(extract(epoch from e.finished_at) / 60) * 60) as at,
                 count(*) filter (where e.status = 'succeeded')::int as succeeded,
                 count(*) filter (where e.status = 'dead')::int as dead,
                 count(*) filter (where e.status = 'cancelled')::int as cancelled
            from executions e
           where e.tenant = ${tenant} and e.id >= ${floor}::uuid
             and e.status in ('succeeded', 'dead', 'cancelled')
             and e.finished_at >= ${from.toISOString()}::timestamptz and e.finished_at < ${to.toISOString()}::timestamptz
           group by 1)
        select m.at::text as at, coalesce(x.succeeded, 0) as succeeded, coalesce(x.dead, 0) as dead,
               coalesce(x.cancelled, 0) as cancelled
          from generate_series(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz - interval '1 minute',
                               interval '1 minute') as m(at)
          left join ended x on x.at = m.at
         order by m.at`)
  return rows.map((r) => ({
    at: new Date(r.at),
    succeeded: Number(r.succeeded),
    dead: Number(r.dead),
    cancelled: Number(r.cancelled),
  }))
}

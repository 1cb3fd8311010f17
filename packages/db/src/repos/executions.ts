import { uuidv7Floor } from '@punctual/core'
import { and, asc, desc, eq, getTableColumns, inArray, lt, type SQL, sql } from 'drizzle-orm'
import { type ExecutionStatus, executionStatuses, executions } from '../schema/executions.ts'
import { type ScheduleState, scheduleStates } from '../schema/schedules.ts'
import { statusGuard } from '../status-guard.ts'
import type { DbExecutor } from './executor.ts'
import { type RowPage, selectPage } from './page.ts'

export type ExecutionRow = typeof executions.$inferSelect
export type NewExecutionRow = typeof executions.$inferInsert

export interface ExecutionListFilter {
  limit: number
  /** Cursor: only ids below this one (the list is newest first). */
  before?: string | undefined
  status?: ExecutionStatus | undefined
  scheduleId?: string | undefined
  triggerId?: string | undefined
}

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
  /** started_at − scheduled_for of the fires created in the last hour that started; null when none. */
  firingLagMs: { p50: number; p95: number; p99: number } | null
}

/**
 * Newest first, paginated by id (UUIDv7). Plans checked on 1M rows: executions_tenant_id_idx (or the
 * primary key for a tenant holding most rows), executions_status_idx, executions_schedule_idx,
 * executions_trigger_idx; scheduleId + status is a BitmapAnd of the schedule and status indexes.
 */
function listQuery(db: DbExecutor, tenant: string, filter: ExecutionListFilter) {
  const conditions: SQL[] = [eq(executions.tenant, tenant)]
  if (filter.before) conditions.push(lt(executions.id, filter.before))
  if (filter.status) conditions.push(eq(executions.status, filter.status))
  if (filter.scheduleId) conditions.push(eq(executions.scheduleId, filter.scheduleId))
  if (filter.triggerId) conditions.push(eq(executions.triggerId, filter.triggerId))
  return db
    .select()
    .from(executions)
    .where(and(...conditions))
    .orderBy(desc(executions.id))
    .limit(filter.limit)
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
/** Outcomes of a run, for successRate: skipped and missed fires never ran and are not counted. */
const RUN_OUTCOMES: ExecutionStatus[] = ['succeeded', 'dead', 'cancelled']

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>
}

const iso = (d: Date) => d.toISOString()

export function createExecutionsRepo(db: DbExecutor) {
  return {
    async find(tenant: string, id: string): Promise<ExecutionRow | undefined> {
      const [row] = await db
        .select()
        .from(executions)
        .where(and(eq(executions.tenant, tenant), eq(executions.id, id)))
      return row
    },

    async insert(row: NewExecutionRow): Promise<void> {
      await db.insert(executions).values(row)
    },

    /** Newest first, paginated by id (see listQuery). */
    async list(tenant: string, filter: ExecutionListFilter): Promise<ExecutionRow[]> {
      return listQuery(db, tenant, filter)
    },
    /** One page of the list: at most `limit` rows and PAGE_FETCH_BYTES of input, step outcomes and errors. */
    async page(tenant: string, filter: ExecutionListFilter): Promise<RowPage<ExecutionRow>> {
      const query = listQuery(db, tenant, { ...filter, limit: filter.limit + 1 })
      return selectPage(db, query, { limit: filter.limit, order: 'desc', sized: ['input', 'steps', 'error'] })
    },

    /**
     * The cancel request, in one statement so that it cannot interleave with a runner's conditional start:
     * `queued`/`retrying` → `cancelled` (finished now); `running` → unchanged but `cancel_requested_at` set
     * (its owner aborts it). Finished or unknown rows are left alone: undefined (the caller tells 404 from 409).
     */
    async requestCancel(tenant: string, id: string, at: Date): Promise<ExecutionRow | undefined> {
      const now = sql`${iso(at)}::timestamptz`
      const running = sql`${executions.status} = 'running'`
      const [row] = await db
        .update(executions)
        .set({
          status: sql`case when ${running} then ${executions.status} else 'cancelled' end`,
          finishedAt: sql`case when ${running} then ${executions.finishedAt} else ${now} end`,
          cancelRequestedAt: sql`case when ${running} then coalesce(${executions.cancelRequestedAt}, ${now}) else ${executions.cancelRequestedAt} end`,
        })
        .where(
          and(eq(executions.tenant, tenant), eq(executions.id, id), statusGuard(executions.status, 'cancel')),
        )
        .returning()
      return row
    },

    /**
     * Locks a schedule row (as the scheduler does before an overlap decision, and the runner before ending a
     * fire): schedule before executions, everywhere.
     */
    async lockSchedule(scheduleId: string): Promise<void> {
      await db.execute(sql`select id from schedules where id = ${scheduleId} for update`)
    },

    /**
     * buffer_one: the oldest fire of the schedule held back in Postgres is released (held = false, enqueued
     * now); the caller adds it to Redis after commit. Call it holding the schedule's lock, after an unfinished
     * fire of the schedule ended.
     */
    async releaseHeldFire(scheduleId: string, at: Date): Promise<ExecutionRow | undefined> {
      const oldest = db
        .select({ id: executions.id })
        .from(executions)
        .where(
          and(
            eq(executions.scheduleId, scheduleId),
            eq(executions.kind, 'fire'),
            eq(executions.held, true),
            statusGuard(executions.status, 'releaseHeld', { plain: true }),
          ),
        )
        .orderBy(asc(executions.scheduledFor), asc(executions.id))
        .limit(1)
      const [row] = await db
        .update(executions)
        .set({ held: false, enqueuedAt: at })
        .where(
          and(
            inArray(executions.id, oldest),
            eq(executions.held, true),
            statusGuard(executions.status, 'releaseHeld'),
          ),
        )
        .returning()
      return row
    },

    /**
     * The status figures of one schedule in one query: its newest execution (any kind) and, over its fire and
     * manual executions, succeeded / finished counts and the mean duration of the succeeded ones.
     * Both parts read executions_schedule_idx (schedule_id, id).
     */
    async scheduleSummary(tenant: string, scheduleId: string): Promise<ScheduleExecutionSummary> {
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
    },

    /**
     * Tenant-wide figures for GET /api/schedules/stats in one query. "Last hour/day" = created in that window,
     * read as an id range (ids are UUIDv7) on executions_tenant_id_idx; dead from executions_status_idx.
     */
    async tenantStats(tenant: string, at: Date): Promise<TenantExecutionStats> {
      const hourFloor = uuidv7Floor(at.getTime() - HOUR_MS)
      const dayFloor = uuidv7Floor(at.getTime() - DAY_MS)
      const [row] = await db.execute<{
        schedules: Record<string, number> | null
        windows: { status: string; hour: number; day: number }[] | null
        dead: number
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
        firingLagMs: lag && lag[0] != null ? { p50: lag[0], p95: lag[1]!, p99: lag[2]! } : null,
      }
    },

    /** Executions created in the window ending at `at`, by status, all tenants (primary-key range scan). */
    async countByStatusSince(since: Date): Promise<CountsByStatus> {
      const rows = await db.execute<{ status: string; n: number }>(sql`
        select status, count(*)::int as n from executions where id >= ${uuidv7Floor(since.getTime())}::uuid
        group by status`)
      const counts = zeroCounts(executionStatuses)
      for (const r of rows) if (r.status in counts) counts[r.status as ExecutionStatus] = r.n
      return counts
    },
  }
}
export type ExecutionsRepo = ReturnType<typeof createExecutionsRepo>

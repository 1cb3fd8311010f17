import { unfinishedExecutionStatuses, uuidv7Floor } from '@punctual/core'
import type { Sql, TransactionSql } from 'postgres'

/**
 * Execution patterns per schedule (the optimizer's `patterns`), kept in `schedule_patterns` by the worker:
 * each refresh recomputes only the schedules that may have changed, from their newest executions through
 * executions_schedule_idx (at most PATTERN_MAX_RUNS rows each), so no request ever reads execution rows.
 *
 * A schedule is recomputed when an execution of it was created since the last refresh (a primary-key range:
 * ids are UUIDv7 minted at creation; REFRESH_MARGIN_MS covers ids minted before a late commit), when its row
 * counted executions that were not finished yet (they finish later), or when the oldest one it counted has
 * left the 7 days.
 */

export const PATTERN_WINDOW_MS = 7 * 86_400_000
export const PATTERN_MAX_RUNS = 1000
const REFRESH_MARGIN_MS = 5 * 60_000
/** Schedules recomputed per statement. */
const BATCH = 500

/** The creation time of a UUIDv7 (its first 48 bits). */
const uuidv7Ms = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)

export interface PatternRefreshResult {
  refreshed: number
  ms: number
}

/**
 * One refresh pass, in one transaction: a reader sees a whole pass or none, so `refreshed_at` stamps what
 * schedule_patterns holds (idempotent; the worker runs it under an advisory lock, one worker at a time).
 */
export async function refreshSchedulePatterns(sql: Sql, now: Date): Promise<PatternRefreshResult> {
  return sql.begin((tx) => refreshSchedulePatternsIn(tx, now))
}

/** refreshSchedulePatterns inside the caller's transaction (which may hold the patterns lock). */
export async function refreshSchedulePatternsIn(
  sql: TransactionSql,
  now: Date,
): Promise<PatternRefreshResult> {
  const t0 = performance.now()
  const windowFloor = uuidv7Floor(now.getTime() - PATTERN_WINDOW_MS)
  // Where the last pass got to: the newest execution id it saw (ids, not clocks: a worker whose clock is
  // ahead cannot make the next pass skip executions).
  const [[state], [top]] = await Promise.all([
    sql<{ watermark: string }[]>`select watermark_id::text as watermark from schedule_pattern_refresh`,
    sql<{ id: string }[]>`select id from executions order by id desc limit 1`,
  ])
  const scanFrom = state
    ? uuidv7Floor(Math.max(now.getTime() - PATTERN_WINDOW_MS, uuidv7Ms(state.watermark) - REFRESH_MARGIN_MS))
    : windowFloor
  const dirty = await sql<{ id: string }[]>`
    select distinct schedule_id as id from executions
     where id >= ${scanFrom}::uuid and schedule_id is not null
    union
    select schedule_id from schedule_patterns
     where unfinished > 0 or oldest_id < ${windowFloor}::uuid`
  const ids = dirty.map((r) => r.id)
  for (let i = 0; i < ids.length; i += BATCH) {
    await recompute(sql, ids.slice(i, i + BATCH), windowFloor, now)
  }
  await sql`
    insert into schedule_pattern_refresh (singleton, watermark_id, refreshed_at)
    values (true, ${top?.id ?? state?.watermark ?? windowFloor}::uuid, ${now.toISOString()}::timestamptz)
    on conflict (singleton) do update set watermark_id = excluded.watermark_id, refreshed_at = excluded.refreshed_at`
  return { refreshed: ids.length, ms: Math.round(performance.now() - t0) }
}

async function recompute(sql: TransactionSql, ids: string[], windowFloor: string, now: Date): Promise<void> {
  // Percentiles are nearest-rank (percentile_disc): a value that occurred. Nulls (not started, not finished)
  // are left out of each aggregate.
  await sql`
    insert into schedule_patterns (schedule_id, tenant, runs, p50_duration_ms, p95_duration_ms, failure_rate,
                                   late_p95_ms, unfinished, oldest_id, refreshed_at)
    select s.id, s.tenant, a.runs, a.p50, a.p95,
           case when a.runs = 0 then 0 else a.dead::float8 / a.runs end, a.late_p95, a.unfinished, a.oldest_id,
           ${now.toISOString()}::timestamptz
      from schedules s
     cross join lateral (
       select count(r.duration)::int as runs,
              count(*) filter (where r.status = 'dead' and r.duration is not null)::int as dead,
              round(percentile_disc(0.5) within group (order by r.duration))::int as p50,
              round(percentile_disc(0.95) within group (order by r.duration))::int as p95,
              round(percentile_disc(0.95) within group (order by r.late))::int as late_p95,
              count(*) filter (where r.status = any(${unfinishedExecutionStatuses as unknown as string[]}))::int
                as unfinished,
              min(r.id::text)::uuid as oldest_id
         from (select e.id, e.status,
                      case when e.finished_at is not null and e.started_at is not null
                           then extract(epoch from e.finished_at - e.started_at) * 1000 end as duration,
                      case when e.started_at is not null
                           then extract(epoch from e.started_at - coalesce(e.due_at, e.scheduled_for)) * 1000
                      end as late
                 from executions e
                where e.schedule_id = s.id and e.id >= ${windowFloor}::uuid
                order by e.id desc
                limit ${PATTERN_MAX_RUNS}) r
     ) a
     where s.id = any(${ids}::uuid[])
    on conflict (schedule_id) do update set
      tenant = excluded.tenant, runs = excluded.runs, p50_duration_ms = excluded.p50_duration_ms,
      p95_duration_ms = excluded.p95_duration_ms, failure_rate = excluded.failure_rate,
      late_p95_ms = excluded.late_p95_ms, unfinished = excluded.unfinished, oldest_id = excluded.oldest_id,
      refreshed_at = excluded.refreshed_at`
  // History outlives a deleted schedule; its pattern does not.
  await sql`
    delete from schedule_patterns p
     where p.schedule_id = any(${ids}::uuid[]) and not exists (select 1 from schedules s where s.id = p.schedule_id)`
}

export interface SchedulePatternRow {
  scheduleId: string
  runs: number
  p50DurationMs: number | null
  p95DurationMs: number | null
  failureRate: number
  lateP95Ms: number | null
}

/**
 * The tenant's patterns with runs, of active schedules, the busiest (most runs) first, at most `limit`; the
 * total, and when the last refresh ran (null: never).
 */
export async function readSchedulePatterns(
  sql: Sql,
  tenant: string,
  limit: number,
): Promise<{ rows: SchedulePatternRow[]; total: number; refreshedAt: Date | null }> {
  const [rows, state] = await Promise.all([
    sql<(SchedulePatternRow & { total: number })[]>`
      select p.schedule_id as "scheduleId", p.runs, p.p50_duration_ms as "p50DurationMs",
             p.p95_duration_ms as "p95DurationMs", p.failure_rate as "failureRate", p.late_p95_ms as "lateP95Ms",
             (count(*) over ())::int as total
        from schedule_patterns p
        join schedules s on s.id = p.schedule_id and s.tenant = p.tenant and s.state = 'active'
       where p.tenant = ${tenant} and p.runs > 0
       order by p.runs desc, p.schedule_id
       limit ${limit}`,
    sql<{ ms: number }[]>`
      select (extract(epoch from refreshed_at) * 1000)::float8 as ms from schedule_pattern_refresh`,
  ])
  return {
    rows: rows.map(({ total: _t, ...r }) => r),
    total: rows[0]?.total ?? 0,
    refreshedAt: state[0] ? new Date(state[0].ms) : null,
  }
}

/** When the last refresh pass committed (ms), null before the first: what a kept read of the patterns is valid for. */
export async function readPatternsStamp(sql: Sql): Promise<number | null> {
  const [row] = await sql<{ ms: number }[]>`
    select (extract(epoch from refreshed_at) * 1000)::float8 as ms from schedule_pattern_refresh`
  return row ? row.ms : null
}
